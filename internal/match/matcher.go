package match

import (
	"cmp"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/facebookincubator/nvdtools/wfn"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/inventory"
)

// Matcher holds advisories indexed by product identity. Build it once with
// [NewMatcher]; it is read-only afterwards and safe for concurrent use.
type Matcher struct {
	names   *Names
	entries []*entry
	index   map[string][]int32 // identifier key -> entries

	products       []*productNames
	productEntries [][]int32          // product -> entries
	productIndex   map[string][]int32 // name, token and model key -> products
}

// NewMatcher indexes every product of every vulnerability of advs.
func NewMatcher(names *Names, advs []*advisory.Advisory) *Matcher {
	m := &Matcher{names: names, index: map[string][]int32{}, productIndex: map[string][]int32{}}
	byKey := map[string]int32{}
	for _, adv := range advs {
		for vi := range adv.Vulnerabilities {
			v := &adv.Vulnerabilities[vi]
			fixed := fixedVersions(v, names)
			for ai := range v.Affects {
				a := &v.Affects[ai]
				pid, ok := byKey[productKey(a.Product)]
				if !ok {
					pid = -1
					if p := newProductNames(names, a.Product); p != nil {
						pid = int32(len(m.products))
						m.products = append(m.products, p)
						m.productEntries = append(m.productEntries, nil)
						addKeys(m.productIndex, p.keys(), pid)
					}
					byKey[productKey(a.Product)] = pid
				}
				var prod *productNames
				if pid >= 0 {
					prod = m.products[pid]
				}
				e := newEntry(names, adv, v, a, fixed, prod)
				id := int32(len(m.entries))
				m.entries = append(m.entries, e)
				addKeys(m.index, e.idKeys(), id)
				if pid >= 0 {
					m.productEntries[pid] = append(m.productEntries[pid], id)
				}
			}
		}
	}
	return m
}

// addKeys posts id under every distinct key.
func addKeys(index map[string][]int32, keys []string, id int32) {
	for i, k := range keys {
		if !slices.Contains(keys[:i], k) {
			index[k] = append(index[k], id)
		}
	}
}

// Len returns the number of advisory products indexed.
func (m *Matcher) Len() int { return len(m.entries) }

// lookupCache remembers work across the subjects of one Match call:
// whole answers by identity, and name relations by (vendor, name, model),
// which many versions of one product share.
// It is shared by the workers of one Match call.
type lookupCache struct {
	byIdentity sync.Map // spec key -> []hit
	byName     sync.Map // name identity -> []nameCandidate
}

type nameCandidate struct {
	id  int32 // product
	rel relation
}

// lookup returns the best hit per (advisory, vulnerability) for one subject.
func (m *Matcher) lookup(s *subject, c *lookupCache) []hit {
	seen := map[int32]bool{}
	var b bestHits
	for _, k := range s.idKeys() {
		for _, id := range m.index[k] {
			if seen[id] {
				continue
			}
			e := m.entries[id]
			h, ok, done := judgeIDs(m.names, s, e)
			if !done {
				continue // the names decide, below, from cached relations
			}
			seen[id] = true
			b.consider(e, h, ok, sameProduct(s, e))
		}
	}
	for _, nc := range m.nameCandidates(s, c) {
		for _, id := range m.productEntries[nc.id] {
			if seen[id] {
				continue
			}
			seen[id] = true
			e := m.entries[id]
			if nc.rel.similar && b.exact[e.vuln] {
				continue // the vulnerability names this product exactly elsewhere
			}
			h, ok, done := judgeIDs(m.names, s, e)
			if !done {
				h, ok = judgeName(m.names, s, e, nc.rel)
			}
			b.consider(e, h, ok, nc.rel.exact || sameProduct(s, e))
		}
	}
	return b.hits()
}

// nameCandidates returns the products whose names relate to the subject's.
func (m *Matcher) nameCandidates(s *subject, c *lookupCache) []nameCandidate {
	keys := s.nameKeys()
	if len(keys) == 0 {
		return nil
	}
	ck := s.nameIdentity()
	if c != nil {
		if got, ok := c.byName.Load(ck); ok {
			return got.([]nameCandidate)
		}
	}
	var out []nameCandidate
	seen := map[int32]bool{}
	for _, k := range keys {
		for _, id := range m.productIndex[k] {
			if seen[id] {
				continue
			}
			seen[id] = true
			if r, ok := relateNames(s, m.products[id]); ok {
				out = append(out, nameCandidate{id, r})
			}
		}
	}
	// Exact relations first: they let lookup skip merely similar products
	// of the same vulnerability.
	slices.SortStableFunc(out, func(a, b nameCandidate) int {
		switch {
		case a.rel.exact == b.rel.exact:
			return 0
		case a.rel.exact:
			return -1
		}
		return 1
	})
	if c != nil {
		c.byName.Store(ck, out)
	}
	return out
}

// bestHits keeps, for one subject, the best hit per vulnerability. When a
// vulnerability names the subject's product exactly (whatever the version
// says), its other, merely similar products are other products, not
// spellings of this one: their "possible" hits are dropped.
type bestHits struct {
	best  map[*advisory.Vulnerability]hit
	exact map[*advisory.Vulnerability]bool
	order []*advisory.Vulnerability
}

// consider records the outcome of judging entry e: h when ok, and whether
// e names the subject's product exactly.
func (b *bestHits) consider(e *entry, h hit, ok, same bool) {
	if b.best == nil {
		b.best, b.exact = map[*advisory.Vulnerability]hit{}, map[*advisory.Vulnerability]bool{}
	}
	if same {
		b.exact[e.vuln] = true
	}
	if !ok {
		return
	}
	if old, had := b.best[e.vuln]; !had {
		b.order = append(b.order, e.vuln)
		b.best[e.vuln] = h
	} else if h.rank() > old.rank() {
		b.best[e.vuln] = h
	}
}

func (b *bestHits) hits() []hit {
	out := make([]hit, 0, len(b.order))
	for _, v := range b.order {
		h := b.best[v]
		if b.exact[v] && h.similar {
			continue
		}
		h.words()
		out = append(out, h)
	}
	return out
}

// Match returns every finding for every asset, ordered by asset id,
// advisory and vulnerability. Assets that share an identity are looked up
// once; the work is spread over the available processors. A first pass looks
// every asset up and bounds its findings, so that the second writes them all
// into one slice allocated once.
func (m *Matcher) Match(assets []inventory.Asset) []Finding {
	order := make([]int, len(assets))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(assets[a].ID, assets[b].ID) })
	cache := &lookupCache{}
	bound := make([]int, len(order))
	subs := make([][]spec, len(order))
	found := make([][][]hit, len(order))
	parallel(len(order), func(j int) {
		subs[j] = specs(&assets[order[j]])
		found[j] = make([][]hit, len(subs[j]))
		for i := range subs[j] {
			found[j][i] = m.hits(&subs[j][i], cache)
			bound[j] += len(found[j][i])
		}
	})
	offset := make([]int, len(order)+1)
	for j, n := range bound {
		offset[j+1] = offset[j] + n
	}
	out := make([]Finding, offset[len(order)])
	parallel(len(order), func(j int) {
		lo := offset[j]
		bound[j] = len(m.collect(&assets[order[j]], subs[j], found[j], out[lo:lo:offset[j+1]]))
	})
	n := 0
	for j, c := range bound { // close the gaps left by merged and rejected hits
		n += copy(out[n:], out[offset[j]:offset[j]+c])
	}
	clear(out[n:])
	return out[:n]
}

// parallel runs fn for 0..n-1 in contiguous chunks, one per processor.
func parallel(n int, fn func(int)) {
	workers := max(1, min(runtime.GOMAXPROCS(0), n/1000))
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*n/workers, (w+1)*n/workers
		wg.Go(func() {
			for j := lo; j < hi; j++ {
				fn(j)
			}
		})
	}
	wg.Wait()
}

// MatchAsset returns the findings for one asset.
func (m *Matcher) MatchAsset(a *inventory.Asset) []Finding {
	return m.matchAsset(a, &lookupCache{}, nil)
}

// hits returns the cached hits of one spec, looking it up on first use.
func (m *Matcher) hits(sp *spec, cache *lookupCache) []hit {
	k := sp.key()
	if v, ok := cache.byIdentity.Load(k); ok {
		return v.([]hit)
	}
	s := newSubject(m.names, sp)
	hits := m.lookup(&s, cache)
	// In finding order, so that an asset of one subject needs no sort.
	slices.SortFunc(hits, func(a, b hit) int {
		return cmp.Or(strings.Compare(a.e.adv.ID, b.e.adv.ID), strings.Compare(a.e.vuln.ID(), b.e.vuln.ID()))
	})
	cache.byIdentity.Store(k, hits)
	return hits
}

// matchAsset appends an asset's findings, ordered by advisory and
// vulnerability, to out.
func (m *Matcher) matchAsset(a *inventory.Asset, cache *lookupCache, out []Finding) []Finding {
	sps := specs(a)
	found := make([][]hit, len(sps))
	for i := range sps {
		found[i] = m.hits(&sps[i], cache)
	}
	return m.collect(a, sps, found, out)
}

// collect appends the findings of an asset's subjects sps, whose hits are
// found, to out, ordered by advisory and vulnerability.
func (m *Matcher) collect(a *inventory.Asset, sps []spec, found [][]hit, out []Finding) []Finding {
	var platforms []*wfn.Attributes
	platformsRead := false
	// One subject's hits are one per vulnerability already; only several
	// subjects (components, services) can repeat one.
	agg := aggregator{found: out, base: len(out), multi: len(sps) > 1}
	for i, sp := range sps {
		for _, h := range found[i] {
			if len(h.e.affect.Platforms) > 0 && !platformsRead {
				platforms, platformsRead = platformCPEs(a), true
			}
			agg.add(a.ID, sp.component, h, platforms)
		}
	}
	out = agg.found
	if agg.multi {
		sortFindings(out[agg.base:])
	}
	return out
}

// aggregator keeps the best hit per (advisory, vulnerability) for one asset.
type aggregator struct {
	found []Finding // this asset's findings are found[base:]
	base  int
	ranks []int                           // per finding of this asset
	at    map[*advisory.Vulnerability]int // index into found; nil while one subject adds
	multi bool                            // several subjects add: hits may repeat a vulnerability
}

func (g *aggregator) add(assetID, component string, h hit, platforms []*wfn.Attributes) {
	ok, checked := platformOK(h.e, platforms)
	if !ok {
		return
	}
	if !checked {
		h.confidence = Possible
		h.evidence += "; it must run on " + platformWords(h.e.affect.Platforms) + ", which the inventory does not say"
	}
	r := h.rank()
	at := -1
	if g.multi {
		if g.at == nil {
			g.at = make(map[*advisory.Vulnerability]int, len(g.ranks))
			for i := range g.ranks {
				g.at[g.found[g.base+i].Vuln] = i
			}
		}
		if i, had := g.at[h.e.vuln]; had {
			if g.ranks[i] >= r {
				return
			}
			at = i
		}
	}
	f := Finding{
		AssetID: assetID, Component: component,
		AdvisoryID: h.e.adv.ID, VulnID: h.e.vuln.ID(),
		Status: h.status, Confidence: h.confidence, Path: h.path,
		Evidence: h.evidence, FixedIn: h.fixed,
		Advisory: h.e.adv, Vuln: h.e.vuln, Affect: h.e.affect,
	}
	if at >= 0 {
		g.found[g.base+at], g.ranks[at] = f, r
		return
	}
	if g.at != nil {
		g.at[h.e.vuln] = len(g.ranks)
	}
	g.found = append(g.found, f)
	g.ranks = append(g.ranks, r)
}

func (g *aggregator) findings() []Finding { return g.found[g.base:] }

func platformWords(ps []advisory.Identity) string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += " or "
		}
		if len(p.CPEs) > 0 {
			s += p.CPEs[0]
		} else {
			s += p.Vendor + " " + p.Name
		}
	}
	return s
}
