package ews

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/engine"
)

// Rules raise alerts from what a feed sync brought, so the sites hear of
// it without an analyst at the desk.
type Rules struct {
	// KEV raises an alert for every CVE added to CISA's Known Exploited
	// Vulnerabilities catalogue (not on the first KEV sync).
	KEV bool
	// MinCVSS, when above 0, raises an alert for every new advisory with a
	// vulnerability scored at least this high, published in the last
	// fortnight.
	MinCVSS float64
	// MedicalOnly limits MinCVSS to medical-device advisories (see
	// [Medical]).
	MedicalOnly bool
	// MaxPerSync caps the alerts one sync raises; the rest are logged. 0
	// means 10.
	MaxPerSync int
}

// Active reports whether any rule is on.
func (r Rules) Active() bool { return r.KEV || r.MinCVSS > 0 }

// recentAdvisory is how old a new advisory may be and still raise an
// alert: a feed added today brings years of history, which is no news.
const recentAdvisory = 14 * 24 * time.Hour

var reMedical = regexp.MustCompile(`(?i)\b(medical|patient|infusion|ventilator|anaesthe|anesthe|imaging|radiolog|dicom|hl7|clinical|hospital|defibrillat|insulin|monitor)`)

// Medical reports whether an advisory concerns medical devices: CISA's
// ICS medical advisories (ICSMA-…), or a title or summary that speaks of
// medical devices, patients or clinical systems. A heuristic: vendors'
// own CSAF documents carry no such category.
func Medical(a *advisory.Advisory) bool {
	return strings.HasPrefix(a.ID, "ICSMA-") || reMedical.MatchString(a.Title+" "+a.Summary)
}

// Raise publishes the alerts rules call for after a sync; it returns the
// alerts published. A failure to publish one is logged and the rest go on.
func (h *Hub) Raise(ctx context.Context, rules Rules, rep *engine.SyncReport, cat *engine.Catalog) []string {
	limit := rules.MaxPerSync
	if limit <= 0 {
		limit = 10
	}
	var (
		candidates []*alert.Alert
		rule       []string
	)
	if rules.KEV {
		for _, cve := range rep.KEVAdded {
			candidates = append(candidates, KEVAlert(cat, cve))
			rule = append(rule, "rule:kev")
		}
	}
	if rules.MinCVSS > 0 {
		now := h.cfg.Now()
		for _, id := range rep.Added {
			a, ok := cat.Advisory(id)
			if !ok || now.Sub(a.Published) > recentAdvisory || (rules.MedicalOnly && !Medical(a)) {
				continue
			}
			if score := maxCVSS(a); score >= rules.MinCVSS {
				candidates = append(candidates, advisoryAlert(a, score))
				rule = append(rule, fmt.Sprintf("rule:cvss>=%g", rules.MinCVSS))
			}
		}
	}
	var out []string
	for i, a := range candidates {
		if i == limit {
			h.log.WarnContext(ctx, "alert rules: more alerts than one sync may raise; the rest are left to the analysts",
				slog.String("feed", rep.Feed), slog.Int("raised", limit), slog.Int("left", len(candidates)-limit))
			break
		}
		if err := a.Validate(); err != nil {
			h.log.WarnContext(ctx, "alert rule made an invalid alert", slog.String("rule", rule[i]), slog.Any("error", err))
			continue
		}
		rec, err := h.Publish(ctx, a, rule[i])
		if err != nil {
			h.log.ErrorContext(ctx, "alert rule: not published", slog.String("rule", rule[i]), slog.Any("error", err))
			continue
		}
		out = append(out, rec.ID)
	}
	return out
}

// KEVAlert drafts the alert for cve, an entry of cat's KEV catalogue: its
// description and required action, and the advisories of cat that name it.
func KEVAlert(cat *engine.Catalog, cve string) *alert.Alert {
	e := cat.Set.KEV[cve]
	name := strings.TrimSpace(e.Vendor + " " + e.Product)
	a := &alert.Alert{
		Title:    alert.Clip(fmt.Sprintf("Exploited now: %s (%s)", cmpOrString(name, cve), cve), 200),
		Severity: alert.High,
		TLP:      alert.TLPClear,
		CVEs:     []string{cve},
		Summary: alert.Clip(fmt.Sprintf("%s CISA added %s to its catalogue of vulnerabilities known to be exploited on %s.",
			strings.TrimSpace(e.ShortDescription), cve, e.DateAdded.Format("2 January 2006")), 8000),
		Actions:    alert.Clip(cmpOrString(e.RequiredAction, "Find the product in your inventory; apply the vendor's update or mitigation today; if you cannot, take it off networks it does not need."), 8000),
		References: []string{"https://www.cisa.gov/known-exploited-vulnerabilities-catalog", "https://www.cve.org/CVERecord?id=" + cve},
	}
	if e.KnownRansomware {
		a.Severity = alert.Critical
		a.Summary = alert.Clip(a.Summary+" It is known to be used in ransomware campaigns.", 8000)
	}
	for _, adv := range cat.Set.Advisories {
		if len(a.Advisories) == 20 {
			break
		}
		if slices.ContainsFunc(adv.Vulnerabilities, func(v advisory.Vulnerability) bool { return v.CVE == cve }) {
			a.Advisories = append(a.Advisories, adv.ID)
		}
	}
	return a
}

func advisoryAlert(adv *advisory.Advisory, score float64) *alert.Alert {
	a := &alert.Alert{
		Title:      alert.Clip(cmpOrString(adv.Title, adv.ID), 200),
		Severity:   alert.High,
		TLP:        alert.TLPClear,
		Advisories: []string{adv.ID},
		Summary: alert.Clip(fmt.Sprintf("%s %s published %s with a vulnerability scored %.1f (CVSS).",
			strings.TrimSpace(adv.Summary), cmpOrString(adv.Publisher, "The vendor"), adv.ID, score), 8000),
		Actions: "Check whether you run the products the advisory names; apply the fix or mitigation it gives; " +
			"until then keep affected devices off networks they do not need.",
	}
	if score >= 9 {
		a.Severity = alert.Critical
	}
	if strings.HasPrefix(adv.URL, "https://") {
		a.References = []string{adv.URL}
	}
	for _, v := range adv.Vulnerabilities {
		if v.CVE != "" && len(a.CVEs) < 100 && !slices.Contains(a.CVEs, v.CVE) {
			a.CVEs = append(a.CVEs, v.CVE)
		}
	}
	return a
}

func maxCVSS(a *advisory.Advisory) float64 {
	m := 0.0
	for _, v := range a.Vulnerabilities {
		m = max(m, v.CVSS)
	}
	return m
}

func cmpOrString(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
