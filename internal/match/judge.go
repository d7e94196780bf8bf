package match

import (
	"fmt"
	"slices"
	"strings"

	"github.com/facebookincubator/nvdtools/wfn"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/version"
)

// hit is one subject reaching one entry.
type hit struct {
	e          *entry
	status     advisory.Status
	confidence Confidence
	path       Path
	evidence   string // set for identifier hits; else built from what and v by words
	what       string
	v          verdict
	wordsDue   bool // evidence still to be built from what and v
	fixed      string
	similar    bool // reached by similar names only
}

// words completes the hit's evidence; only kept hits pay for it.
func (h *hit) words() {
	if h.wordsDue {
		h.evidence, h.wordsDue = h.what+"; "+h.v.because(h.e.affect), false
	}
}

// rank orders hits for the same vulnerability: a confirmed answer beats a
// possible one, a stronger path a weaker one, and, all else equal, affected
// beats fixed (overlapping ranges are read the cautious way).
func (h hit) rank() int {
	r := 0
	if h.confidence == Confirmed {
		r += 100
	}
	switch h.path {
	case ViaPURL:
		r += 30
	case ViaCPE:
		r += 20
	default:
		r += 10
	}
	switch h.status {
	case advisory.StatusKnownAffected:
		r += 4
	case advisory.StatusUnderInvestigation:
		r += 3
	case advisory.StatusFixed:
		r += 2
	case advisory.StatusKnownNotAffected:
		r += 1
	}
	return r
}

// judge decides whether subject s is the product of entry e, by the
// strongest path that applies.
func judge(n *Names, s *subject, e *entry) (hit, bool) {
	if h, ok, done := judgeIDs(n, s, e); done {
		return h, ok
	}
	r, ok := relateNames(s, e.prod)
	if !ok {
		return hit{}, false
	}
	return judgeName(n, s, e, r)
}

// judgeIDs tries the identifier paths (PURL, then CPE). done is false when
// neither applies and the names must decide.
func judgeIDs(n *Names, s *subject, e *entry) (h hit, ok, done bool) {
	if s.purl != "" {
		for _, p := range e.purls {
			if p != s.purl {
				continue
			}
			ver := s.purlVer
			if ver == "" {
				ver = s.version
			}
			h, ok := decide(n, s, e, ViaPURL, true, ver, "package "+s.purl)
			return h, ok, true
		}
	}
	if s.cpe != nil {
		for _, c := range e.cpes {
			if h, ok := judgeCPE(n, s, e, c); ok {
				return h, true, true
			}
		}
	}
	return hit{}, false, false
}

// relation is how a subject's names relate to an entry's, whatever the
// versions say.
type relation struct {
	exact   bool // the same product: exact name or listed model
	similar bool // similar names, or the model appears in the name
	what    string
}

// relateNames compares vendor, product name and model.
func relateNames(s *subject, e *productNames) (relation, bool) {
	if e == nil || len(s.vendors) == 0 || !overlap(s.vendors, e.vendors) {
		return relation{}, false
	}
	vendor := e.vendor
	for _, name := range e.names {
		if name == s.name {
			return relation{exact: true,
				what: fmt.Sprintf("vendor %q and product %q match %q %q", s.vendor, s.product, vendor, e.name)}, true
		}
	}
	if s.fmodel != "" && slices.Contains(e.models, s.fmodel) {
		return relation{exact: true,
			what: fmt.Sprintf("model %q of %q is listed for %q", s.model, s.vendor, e.name)}, true
	}
	best, subset := 0.0, false
	for _, t := range e.tokens {
		best = max(best, similarity(s.tokens, t))
		subset = subset || contained(s.tokens, t)
	}
	if best > minSimilarity || subset {
		return relation{similar: true,
			what: fmt.Sprintf("product %q of %q is similar to %q of %q (%.0f%% of words shared)",
				s.product, s.vendor, e.name, vendor, best*100)}, true
	}
	if s.fmodel != "" {
		for _, t := range e.tokens {
			if slices.Contains(t, s.fmodel) {
				return relation{similar: true,
					what: fmt.Sprintf("model %q of %q appears in %q of %q", s.model, s.vendor, e.name, vendor)}, true
			}
		}
	}
	return relation{}, false
}

// judgeName decides the version for a name relation.
func judgeName(n *Names, s *subject, e *entry, r relation) (hit, bool) {
	h, ok := decide(n, s, e, ViaName, r.exact, s.version, r.what)
	h.similar = r.similar
	return h, ok
}

// judgeCPE matches a subject's CPE against one criteria CPE of an entry.
func judgeCPE(n *Names, s *subject, e *entry, c *wfn.Attributes) (hit, bool) {
	if c.Part != s.cpe.Part || c.Vendor != s.cpe.Vendor || c.Product != s.cpe.Product {
		return hit{}, false
	}
	for _, pair := range [][2]string{
		{c.Update, s.cpe.Update}, {c.Edition, s.cpe.Edition}, {c.SWEdition, s.cpe.SWEdition},
		{c.TargetSW, s.cpe.TargetSW}, {c.TargetHW, s.cpe.TargetHW}, {c.Language, s.cpe.Language}, {c.Other, s.cpe.Other},
	} {
		if pair[0] != wfn.Any && pair[1] != wfn.Any && !strings.EqualFold(pair[0], pair[1]) {
			return hit{}, false
		}
	}
	ver := s.cpeVer
	if ver == "" {
		ver = s.version
	}
	cv := cpeVersion(c)
	if len(e.affect.Ranges) == 0 && cv != "" {
		// The criteria pins one version.
		eq, ok := version.Equal(cv, ver)
		switch {
		case ver == "" || !ok:
			return hit{e: e, status: advisory.StatusKnownAffected, confidence: Possible, path: ViaCPE,
				evidence: fmt.Sprintf("cpe matches %s but version %q cannot be compared with %s", c.BindToFmtString(), ver, cv)}, true
		case !eq:
			return hit{}, false
		}
		return hit{e: e, status: advisory.StatusKnownAffected, confidence: Confirmed, path: ViaCPE,
			evidence: fmt.Sprintf("cpe %s matches, version %s", c.BindToFmtString(), ver)}, true
	}
	return decide(n, s, e, ViaCPE, true, ver, e.cpeWhat)
}

// decide evaluates the version and builds the hit. exact says the identity
// matched exactly (an identifier or the exact name).
func decide(n *Names, s *subject, e *entry, via Path, exact bool, ver, what string) (hit, bool) {
	pv := s.parsedVer
	if ver != s.version {
		pv = version.Parse(ver)
	}
	v, ok := evaluate(e, ver, pv)
	if !ok {
		return hit{}, false
	}
	conf := Possible
	if exact && v.sure {
		conf = Confirmed
	}
	h := hit{e: e, status: v.status, confidence: conf, path: via, what: what, v: v, wordsDue: true}
	if v.status == advisory.StatusKnownAffected || v.status == advisory.StatusUnderInvestigation {
		h.fixed = e.fixed
		if v.rng != nil && v.rng.Fixed != "" {
			h.fixed = v.rng.Fixed
		}
	}
	return h, true
}

func cpeVersion(a *wfn.Attributes) string {
	if a.Version == wfn.Any || a.Version == wfn.NA || wfn.HasWildcard(a.Version) {
		return ""
	}
	return wfn.StripSlashes(a.Version)
}

func overlap(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// platformOK checks an entry's "running on" condition against an asset's
// CPEs. When the asset lists no CPE of the kind the condition names
// (operating system, hardware), the condition cannot be checked: the hit
// stays, as possible.
func platformOK(e *entry, platforms []*wfn.Attributes) (ok, checked bool) {
	if len(e.affect.Platforms) == 0 {
		return true, true
	}
	for _, p := range e.affect.Platforms {
		for _, c := range p.CPEs {
			want, ok := parseCPE(c)
			if !ok {
				continue
			}
			for _, have := range platforms {
				if have.Part != want.Part {
					continue
				}
				checked = true
				if want.Vendor == have.Vendor && want.Product == have.Product {
					return true, true
				}
			}
		}
	}
	return !checked, checked
}

// sameProduct reports whether s and e name the same product by an
// identifier or the exact name, whatever the versions.
func sameProduct(s *subject, e *entry) bool {
	for _, p := range e.purls {
		if p == s.purl {
			return true
		}
	}
	if s.cpe != nil {
		for _, c := range e.cpes {
			if c.Part == s.cpe.Part && c.Vendor == s.cpe.Vendor && c.Product == s.cpe.Product {
				return true
			}
		}
	}
	if s.name == "" || e.prod == nil || !overlap(s.vendors, e.prod.vendors) {
		return false
	}
	return slices.Contains(e.prod.names, s.name)
}
