package report

import (
	"bufio"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ward-health/ward/internal/scan"
)

// SARIF 2.1.0 as far as ward writes it
// (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html).
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool    sarifTool     `json:"tool"`
		Results []sarifResult `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID               string         `json:"id"`
		ShortDescription *sarifMessage  `json:"shortDescription,omitempty"`
		HelpURI          string         `json:"helpUri,omitempty"`
		Properties       sarifRuleProps `json:"properties"`
	}
	sarifRuleProps struct {
		Tags             []string `json:"tags"`
		SecuritySeverity string   `json:"security-severity,omitempty"`
	}
	sarifMessage struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID              string            `json:"ruleId"`
		RuleIndex           int               `json:"ruleIndex"`
		Level               string            `json:"level"`
		Message             sarifMessage      `json:"message"`
		Locations           []sarifLocation   `json:"locations"`
		PartialFingerprints map[string]string `json:"partialFingerprints"`
		Properties          sarifResultProps  `json:"properties"`
	}
	sarifLocation struct {
		PhysicalLocation *sarifPhysical         `json:"physicalLocation,omitempty"`
		LogicalLocations []sarifLogicalLocation `json:"logicalLocations"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
	}
	sarifLogicalLocation struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
	}
	sarifResultProps struct {
		Decision   string  `json:"decision,omitempty"`
		Due        string  `json:"due,omitempty"`
		Confidence string  `json:"confidence"`
		KEV        bool    `json:"kev"`
		EPSS       float64 `json:"epss,omitempty"`
	}
)

// writeSARIF writes one SARIF run: a rule per vulnerability and a result
// per finding, located in the inventory file and at the asset.
func writeSARIF(b *bufio.Writer, rep *scan.Report) error {
	rules := sarifRules(rep.Findings)
	index := make(map[string]int, len(rules))
	for i, r := range rules {
		index[r.ID] = i
	}
	results := make([]sarifResult, 0, len(rep.Findings))
	for _, it := range rep.Findings {
		loc := sarifLocation{LogicalLocations: []sarifLogicalLocation{{Name: it.AssetID, Kind: "resource"}}}
		loc.PhysicalLocation = sarifSource(it.AssetSource)
		results = append(results, sarifResult{
			RuleID:    ruleID(&it),
			RuleIndex: index[ruleID(&it)],
			Level:     infoFor(it.Decision).Level,
			Message:   sarifMessage{Text: strings.TrimSpace(it.Action + " " + it.Evidence)},
			Locations: []sarifLocation{loc},
			PartialFingerprints: map[string]string{
				"wardFinding/v1": it.AssetID + "|" + it.AdvisoryID + "|" + it.CVE,
			},
			Properties: sarifResultProps{
				Decision: string(it.Decision), Due: day(it.Due), Confidence: string(it.Confidence), KEV: it.KEV, EPSS: it.EPSS,
			},
		})
	}
	return encodeJSON(b, sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{
				Name: "ward", InformationURI: "https://github.com/ward-health/ward", Rules: rules,
			}},
			Results: results,
		}},
	})
}

// ruleID is the SARIF rule of a finding: its CVE, else its advisory.
func ruleID(it *scan.Item) string {
	if it.CVE != "" {
		return it.CVE
	}
	return it.AdvisoryID
}

// sarifRules returns one rule per vulnerability, sorted by id. When several
// advisories describe one vulnerability, the first title and URL win and the
// highest CVSS score is kept.
func sarifRules(items []scan.Item) []sarifRule {
	byID := map[string]*sarifRule{}
	cvss := map[string]float64{}
	for _, it := range items {
		id := ruleID(&it)
		r, ok := byID[id]
		if !ok {
			r = &sarifRule{ID: id, Properties: sarifRuleProps{Tags: []string{"security"}}}
			byID[id] = r
		}
		if r.ShortDescription == nil && it.AdvisoryTitle != "" {
			r.ShortDescription = &sarifMessage{Text: it.AdvisoryTitle}
		}
		if r.HelpURI == "" {
			r.HelpURI = it.AdvisoryURL
		}
		cvss[id] = max(cvss[id], it.CVSS)
	}
	rules := make([]sarifRule, 0, len(byID))
	for id, r := range byID {
		if cvss[id] > 0 {
			r.Properties.SecuritySeverity = strconv.FormatFloat(cvss[id], 'f', 1, 64)
		}
		rules = append(rules, *r)
	}
	slices.SortFunc(rules, func(a, b sarifRule) int { return strings.Compare(a.ID, b.ID) })
	return rules
}

// sarifSource turns an inventory position ("file:line", or just "file")
// into a physical location, or nil when there is none.
func sarifSource(src string) *sarifPhysical {
	if src == "" {
		return nil
	}
	file, region := src, (*sarifRegion)(nil)
	if i := strings.LastIndexByte(src, ':'); i > 0 {
		if line, err := strconv.Atoi(src[i+1:]); err == nil && line > 0 {
			file, region = src[:i], &sarifRegion{StartLine: line}
		}
	}
	uri := (&url.URL{Path: filepath.ToSlash(file)}).String()
	return &sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri}, Region: region}
}
