// Package scan is the exposure engine's front door: it reads inventories and
// advisories, matches them, decides every finding and returns a [Report]
// ordered by what to do first. The command line (ward scan) and the server
// both call it.
package scan

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/risk"
)

// Options say what to scan and how.
type Options struct {
	Inventory  []string // inventory files
	Advisories []string // advisory files or directory trees (KEV and EPSS files may be among them)
	KEV        string   // optional KEV file
	EPSS       string   // optional EPSS file
	Keys       []string // armored OpenPGP keys for CSAF signatures
	Now        time.Time
	Policy     risk.Policy
	All        bool     // keep fixed and not-affected findings too
	Aliases    []string // extra vendor alias lines
	// Progress, when set, hears each stage's progress.
	Progress func(stage string, done, total int)
}

// Report is the result of a scan.
type Report struct {
	GeneratedAt time.Time              `json:"generated_at"`
	Summary     Summary                `json:"summary"`
	Findings    []Item                 `json:"findings"`
	Errors      []advisory.SourceError `json:"errors"`
	Notices     []string               `json:"notices,omitempty"`
	Assets      map[string]*AssetBrief `json:"-"`
	// Timings says how long each stage took, for --stats and benchmarks.
	Timings Timings `json:"-"`
}

// Timings are the durations of a scan's stages.
type Timings struct {
	ReadInventory, ReadAdvisories, Index, Match, Decide time.Duration
}

// AssetBrief is what a report says about an asset.
type AssetBrief struct {
	ID           string `json:"id"`
	Name         string `json:"name,omitempty"`
	Kind         string `json:"kind,omitempty"`
	Location     string `json:"location,omitempty"`
	Owner        string `json:"owner,omitempty"`
	ClinicalRole string `json:"clinical_role,omitempty"`
	Exposure     string `json:"exposure,omitempty"`
}

// Summary counts what a scan found.
type Summary struct {
	Assets          int            `json:"assets"`
	Advisories      int            `json:"advisories"`
	Vulnerabilities int            `json:"vulnerabilities"`
	Findings        int            `json:"findings"`
	AffectedAssets  int            `json:"affected_assets"`
	ByDecision      map[string]int `json:"by_decision"`
	ByConfidence    map[string]int `json:"by_confidence"`
	ByStatus        map[string]int `json:"by_status"`
	KEVFindings     int            `json:"kev_findings"`
	SourceErrors    int            `json:"source_errors"`
}

// Item is one decided finding.
type Item struct {
	AssetID       string           `json:"asset_id"`
	AssetName     string           `json:"asset_name,omitempty"`
	AssetSource   string           `json:"asset_source,omitempty"` // inventory file:line
	Component     string           `json:"component,omitempty"`
	AdvisoryID    string           `json:"advisory_id"`
	AdvisoryTitle string           `json:"advisory_title,omitempty"`
	AdvisoryURL   string           `json:"advisory_url,omitempty"`
	Source        string           `json:"source,omitempty"`
	CVE           string           `json:"cve_id"`
	Product       string           `json:"product,omitempty"`
	Status        advisory.Status  `json:"status"`
	Confidence    match.Confidence `json:"confidence"`
	Path          match.Path       `json:"match_path"`
	Evidence      string           `json:"evidence"`
	FixedIn       string           `json:"fixed_in,omitempty"`
	Decision      risk.Decision    `json:"decision"`
	Due           time.Time        `json:"due"`
	Why           string           `json:"why"`
	KEV           bool             `json:"kev,omitempty"`
	EPSS          float64          `json:"epss,omitempty"`
	CVSS          float64          `json:"cvss,omitempty"`
	Action        string           `json:"action"`
	ActionKind    risk.ActionKind  `json:"action_kind"`
	Steps         []string         `json:"steps,omitempty"`
	RingFence     *risk.RingFence  `json:"ring_fence,omitempty"`
}

// Run reads every input and scans. Inventory problems stop the scan (an
// inventory is imported whole or not at all); advisory problems are reported
// in Report.Errors and the scan goes on with the rest.
func Run(ctx context.Context, opts Options) (*Report, error) {
	progress := func(stage string) func(done, total int) {
		if opts.Progress == nil {
			return nil
		}
		return func(done, total int) { opts.Progress(stage, done, total) }
	}
	start := time.Now()
	inv, err := inventory.ReadAll(ctx, opts.Inventory)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	readInv := time.Since(start)
	paths := slices.Clone(opts.Advisories)
	for _, p := range []string{opts.KEV, opts.EPSS} {
		if p != "" {
			paths = append(paths, p)
		}
	}
	start = time.Now()
	set, err := advisory.Load(ctx, paths, advisory.Options{Keys: opts.Keys, Progress: progress("advisories")})
	if err != nil {
		return nil, fmt.Errorf("advisories: %w", err)
	}
	readAdv := time.Since(start)
	rep := Assess(inv.Assets, set, opts)
	rep.Timings.ReadInventory, rep.Timings.ReadAdvisories = readInv, readAdv
	rep.Notices = append(inv.Notices, rep.Notices...)
	return rep, nil
}

// Assess matches assets against a loaded advisory set and decides every
// finding. It does no I/O.
func Assess(assets []inventory.Asset, set *advisory.Set, opts Options) *Report {
	now := opts.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	if opts.Policy.Due == nil {
		opts.Policy = risk.DefaultPolicy()
	}
	t0 := time.Now()
	names := match.NewNames(opts.Aliases...)
	m := match.NewMatcher(names, set.Advisories)
	t1 := time.Now()
	findings := m.Match(assets)
	t2 := time.Now()
	assessor := risk.NewAssessor(opts.Policy, set.KEV, set.EPSS)
	rep := Build(assets, set, findings, assessor, now, opts.All)
	rep.Timings.Index, rep.Timings.Match, rep.Timings.Decide = t1.Sub(t0), t2.Sub(t1), time.Since(t2)
	return rep
}

// Build decides findings and assembles the report.
func Build(assets []inventory.Asset, set *advisory.Set, findings []match.Finding, assessor *risk.Assessor, now time.Time, all bool) *Report {
	byID := make(map[string]*inventory.Asset, len(assets))
	for i := range assets {
		byID[assets[i].ID] = &assets[i]
	}
	rep := &Report{
		GeneratedAt: now,
		Errors:      set.Errors,
		Assets:      map[string]*AssetBrief{},
		Summary: Summary{
			Assets: len(assets), Advisories: len(set.Advisories), SourceErrors: len(set.Errors),
			ByDecision: map[string]int{}, ByConfidence: map[string]int{}, ByStatus: map[string]int{},
		},
	}
	if rep.Errors == nil {
		rep.Errors = []advisory.SourceError{}
	}
	for _, a := range set.Advisories {
		rep.Summary.Vulnerabilities += len(a.Vulnerabilities)
	}
	// Deciding is independent per finding: spread it over the processors.
	keep := make([]int, 0, len(findings))
	for i := range findings {
		if f := &findings[i]; all || relevant(f.Status) {
			keep = append(keep, i)
		}
	}
	items := make([]Item, len(keep))
	workers := max(1, min(runtime.GOMAXPROCS(0), len(keep)/5000))
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*len(keep)/workers, (w+1)*len(keep)/workers
		wg.Go(func() {
			for j := lo; j < hi; j++ {
				f := &findings[keep[j]]
				items[j] = decide(f, byID[f.AssetID], assessor, now)
			}
		})
	}
	wg.Wait()

	affected := map[string]bool{}
	for i := range items {
		it := &items[i]
		rep.Summary.ByStatus[string(it.Status)]++
		if !relevant(it.Status) {
			continue
		}
		affected[it.AssetID] = true
		rep.Summary.Findings++
		rep.Summary.ByDecision[string(it.Decision)]++
		rep.Summary.ByConfidence[string(it.Confidence)]++
		if it.KEV {
			rep.Summary.KEVFindings++
		}
		if _, ok := rep.Assets[it.AssetID]; !ok {
			a := byID[it.AssetID]
			rep.Assets[a.ID] = &AssetBrief{ID: a.ID, Name: a.Name, Kind: a.Kind, Location: a.Location, Owner: a.Owner,
				ClinicalRole: string(a.RoleOrDefault()), Exposure: string(a.ExposureOrDefault())}
		}
	}
	rep.Summary.AffectedAssets = len(affected)
	Sort(items)
	rep.Findings = items
	return rep
}

// relevant reports whether a status needs work: affected, or not yet known.
func relevant(s advisory.Status) bool {
	return s == advisory.StatusKnownAffected || s == advisory.StatusUnderInvestigation
}

// decide assesses one finding for its asset. Fixed and not-affected findings
// keep their evidence but get no decision.
func decide(f *match.Finding, a *inventory.Asset, assessor *risk.Assessor, now time.Time) Item {
	as := assessor.Assess(f, a, now)
	it := Item{
		AssetID: a.ID, AssetName: a.Name, AssetSource: a.Source, Component: f.Component,
		AdvisoryID: f.AdvisoryID, AdvisoryTitle: f.Advisory.Title, AdvisoryURL: f.Advisory.URL, Source: f.Advisory.Source,
		CVE: f.VulnID, Product: productName(f), Status: f.Status, Confidence: f.Confidence, Path: f.Path,
		Evidence: f.Evidence, FixedIn: f.FixedIn,
		Decision: as.Decision, Due: as.Due, Why: as.Why, KEV: as.KEV, EPSS: as.EPSS, CVSS: as.CVSS,
		Action: as.Action.Summary, ActionKind: as.Action.Kind, Steps: as.Action.Steps, RingFence: as.Action.RingFence,
	}
	if !relevant(f.Status) {
		it.Decision, it.Due, it.Why = "", time.Time{}, ""
	}
	return it
}

// Sort orders items by what to do first: decision, then exploitation
// evidence (KEV, EPSS), severity (CVSS), due date, asset and vulnerability.
// Items are large: it sorts their positions, then moves each item once.
func Sort(items []Item) {
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(i, j int) int {
		a, b := &items[i], &items[j]
		return cmp.Or(
			cmp.Compare(rank(a.Decision), rank(b.Decision)),
			boolFirst(a.KEV, b.KEV),
			cmp.Compare(b.EPSS, a.EPSS),
			cmp.Compare(b.CVSS, a.CVSS),
			a.Due.Compare(b.Due),
			cmp.Compare(a.AssetID, b.AssetID),
			cmp.Compare(a.AdvisoryID, b.AdvisoryID),
			cmp.Compare(a.CVE, b.CVE),
		)
	})
	sorted := make([]Item, len(items))
	for i, j := range idx {
		sorted[i] = items[j]
	}
	copy(items, sorted)
}

func rank(d risk.Decision) int {
	if d == "" {
		return len(risk.Decisions) + 1
	}
	return d.Rank()
}

func boolFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

func productName(f *match.Finding) string {
	p := f.Affect.Product
	if p.Vendor != "" || p.Name != "" {
		return p.Vendor + " " + p.Name
	}
	if p.Display != "" {
		return p.Display
	}
	if len(p.CPEs) > 0 {
		return p.CPEs[0]
	}
	if len(p.PURLs) > 0 {
		return p.PURLs[0]
	}
	return ""
}
