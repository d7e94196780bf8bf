package risk

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/match"
)

// ActionKind names what kind of work an action is.
type ActionKind string

// The action kinds.
const (
	ActUpdate    ActionKind = "update"     // install the fixed version
	ActVendor    ActionKind = "vendor"     // the vendor must install the fix
	ActMitigate  ActionKind = "mitigate"   // apply the vendor's mitigation
	ActRingFence ActionKind = "ring-fence" // no fix: isolate until one exists
	ActConfirm   ActionKind = "confirm"    // a person must confirm the match first
	ActNone      ActionKind = "none"       // fixed or not affected
)

// Action is what to do about a finding, in plain words.
type Action struct {
	Kind    ActionKind `json:"kind"`
	Summary string     `json:"summary"`
	Steps   []string   `json:"steps,omitempty"`
	// RingFence is set when the asset should be isolated until fixed.
	RingFence *RingFence `json:"ring_fence,omitempty"`
}

// RingFence is advice for isolating an asset that cannot be patched yet.
type RingFence struct {
	Zone  string   `json:"zone"`
	Allow []string `json:"allow"`
	Block []string `json:"block"`
	Until string   `json:"until"`
}

// maxQuote bounds how much of an advisory's text an action quotes.
const maxQuote = 400

// advise says what to do; step words a remediation (see Assessor.step).
func advise(f *match.Finding, a *inventory.Asset, as Assessment, step func(*advisory.Remediation) string) Action {
	product := productWords(f, a)
	if f.Status == advisory.StatusFixed || f.Status == advisory.StatusKnownNotAffected {
		return Action{Kind: ActNone, Summary: fmt.Sprintf("No action: %s is %s.", product, statusWords(f.Status))}
	}
	var fix, mitigations []*advisory.Remediation
	noFix := false
	for i := range f.Vuln.Remediations {
		r := &f.Vuln.Remediations[i]
		if f.Affect != nil && !r.AppliesTo(f.Affect.ProductID) {
			continue
		}
		switch r.Category {
		case advisory.RemedyVendorFix:
			fix = append(fix, r)
		case advisory.RemedyMitigation, advisory.RemedyWorkaround:
			mitigations = append(mitigations, r)
		case advisory.RemedyNoneAvailable, advisory.RemedyNoFixPlanned:
			noFix = true
		}
	}
	vendor := vendorWords(f, a)
	var act Action
	hasFix := (f.FixedIn != "" || len(fix) > 0) && !noFix
	switch {
	case hasFix && a.PatchAuthority == inventory.PatchVendor:
		act.Kind = ActVendor
		act.Summary = fmt.Sprintf("Ask %s to install the fix%s on %s; only the vendor may change this device.", vendor, fixedWords(f), assetName(a))
	case hasFix:
		act.Kind = ActUpdate
		if f.FixedIn != "" {
			act.Summary = fmt.Sprintf("Update %s to version %s or later.", product, f.FixedIn)
		} else {
			act.Summary = fmt.Sprintf("Install %s's fix for %s.", vendor, product)
		}
	case len(mitigations) > 0:
		act.Kind = ActMitigate
		act.Summary = fmt.Sprintf("No fix yet: apply %s's mitigation and ring-fence %s.", vendor, assetName(a))
	default:
		act.Kind = ActRingFence
		act.Summary = fmt.Sprintf("No fix yet: ring-fence %s until %s releases one.", assetName(a), vendor)
	}
	for _, r := range fix {
		act.Steps = append(act.Steps, step(r))
	}
	for _, r := range mitigations {
		act.Steps = append(act.Steps, step(r))
	}
	eol := !a.EndOfSupport.IsZero() && a.EndOfSupport.Before(as.Due)
	if act.Kind != ActUpdate || eol {
		act.RingFence = ringFence(a, vendor, act.Kind == ActVendor, as.Due)
		switch act.Kind {
		case ActUpdate: // a fix in hand: nothing to ask for
		case ActVendor:
			act.Steps = append(act.Steps, fmt.Sprintf("Ask %s for a date to install the fix%s.", vendor, contactWords(f, fix)))
		default:
			act.Steps = append(act.Steps, fmt.Sprintf("Ask %s when a fix will be available%s.", vendor, contactWords(f, fix)))
		}
	}
	if eol {
		act.Steps = append(act.Steps, fmt.Sprintf("%s is out of support since %s: plan its replacement.", assetName(a), a.EndOfSupport.Format("2006-01-02")))
	}
	if f.Confidence == match.Possible {
		act.Steps = append([]string{fmt.Sprintf("First check that %s really is the affected product (%s); confirm or reject this match.", assetName(a), f.Evidence)}, act.Steps...)
	}
	return act
}

// ringFence builds isolation advice from what the inventory says about the
// asset: its role, its kind and the services seen on it.
func ringFence(a *inventory.Asset, vendor string, fixExists bool, due time.Time) *RingFence {
	rf := &RingFence{Until: fmt.Sprintf("until %s releases a fix; review by %s", vendor, due.Format("2006-01-02"))}
	if fixExists {
		rf.Until = fmt.Sprintf("until %s has installed the fix; review by %s", vendor, due.Format("2006-01-02"))
	}
	kind := strings.ToLower(a.Kind + " " + a.Product)
	switch a.RoleOrDefault() {
	case inventory.RoleLifeSustaining, inventory.RoleTreatment, inventory.RoleDiagnostic:
		rf.Zone = "the medical-device network segment (its own VLAN, no route to the internet)"
	case inventory.RoleClinicalSupport:
		rf.Zone = "the clinical-servers segment (no route to the internet, reachable only from clinical workstations)"
	default:
		rf.Zone = "a restricted segment with no route to the internet"
	}
	for _, s := range a.Services {
		switch {
		case s.Port == 104 || s.Port == 11112 || strings.Contains(strings.ToLower(s.Name), "dicom"):
			rf.Allow = append(rf.Allow, fmt.Sprintf("DICOM (port %d) to and from the PACS and modalities only", s.Port))
		case s.Port == 2575 || strings.Contains(strings.ToLower(s.Name), "hl7"):
			rf.Allow = append(rf.Allow, fmt.Sprintf("HL7 (port %d) to and from the interface engine only", s.Port))
		}
	}
	switch {
	case strings.Contains(kind, "pump"):
		rf.Allow = append(rf.Allow, "the pump server (drug library and status) only")
	case strings.Contains(kind, "monitor"):
		rf.Allow = append(rf.Allow, "the central monitoring station only")
	case strings.Contains(kind, "imaging") || strings.Contains(kind, "modality") || slices.Contains(strings.Fields(kind), "ct"):
		if len(rf.Allow) == 0 {
			rf.Allow = append(rf.Allow, "DICOM to and from the PACS only")
		}
	}
	if len(rf.Allow) == 0 {
		rf.Allow = append(rf.Allow, "only the connections it needs for its clinical or business work (ask the vendor for the list)")
	}
	rf.Block = []string{
		"all internet traffic, in and out",
		"remote access from other segments (RDP, SMB, SSH, VNC, Telnet)",
		"vendor remote access, except sessions you open and watch",
	}
	return rf
}

// assetName names an asset for people: its name, else its id.
func assetName(a *inventory.Asset) string {
	if a.Name != "" {
		return a.Name + " (" + a.ID + ")"
	}
	return a.ID
}

// productWords names the affected product the way the organisation does:
// its own inventory's product name when the finding is on the asset itself
// (sources name products by CPE: "vigor2960_firmware"), else the source's.
func productWords(f *match.Finding, a *inventory.Asset) string {
	name := f.Affect.Product.Name
	if name == "" && f.Affect.Product.Display != "" {
		name = f.Affect.Product.Display
	}
	if f.Component == "" && a.Product != "" || name == "" {
		name = a.Product
	}
	if f.Component != "" {
		return fmt.Sprintf("%s (inside %s)", name, assetName(a))
	}
	return name
}

func vendorWords(f *match.Finding, a *inventory.Asset) string {
	if f.Affect != nil && f.Affect.Product.Vendor != "" {
		return f.Affect.Product.Vendor
	}
	if a.Vendor != "" {
		return a.Vendor
	}
	return "the vendor"
}

func fixedWords(f *match.Finding) string {
	if f.FixedIn != "" {
		return " (version " + f.FixedIn + " or later)"
	}
	return ""
}

func contactWords(f *match.Finding, fix []*advisory.Remediation) string {
	for _, r := range fix {
		if r.URL != "" {
			return " (" + r.URL + ")"
		}
	}
	if f.Advisory.URL != "" {
		return " (see " + f.Advisory.URL + ")"
	}
	return ""
}

func urlWords(u string) string {
	if u == "" {
		return ""
	}
	return " (" + u + ")"
}

func statusWords(s advisory.Status) string {
	switch s {
	case advisory.StatusFixed:
		return "already fixed"
	case advisory.StatusKnownNotAffected:
		return "not affected"
	}
	return string(s)
}

// quote trims an advisory's text to a readable length.
func quote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= maxQuote {
		return "“" + s + "”"
	}
	cut := maxQuote
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > maxQuote/2 {
		cut = sp
	}
	return "“" + s[:cut] + " …”"
}
