package inventory

import (
	"fmt"
	"time"
)

// Exposure says how reachable an asset is. It feeds the decision's "system
// exposure" input.
type Exposure string

// The exposure levels, from most to least reachable.
const (
	ExposureInternet Exposure = "internet" // reachable from the internet
	ExposurePartner  Exposure = "partner"  // reachable by partners: VPN, vendor remote access
	ExposureInternal Exposure = "internal" // reachable inside the organisation's network
	ExposureIsolated Exposure = "isolated" // on a closed segment or unplugged
)

// Exposures lists every valid exposure, most reachable first.
var Exposures = []Exposure{ExposureInternet, ExposurePartner, ExposureInternal, ExposureIsolated}

// ClinicalRole says what harm follows when an asset fails or lies. It feeds the
// decision's "human impact" input.
type ClinicalRole string

// The clinical roles, from most to least critical.
const (
	RoleLifeSustaining  ClinicalRole = "life-sustaining"  // ventilators, infusion pumps, implants
	RoleTreatment       ClinicalRole = "treatment"        // therapy devices, radiotherapy, dialysis
	RoleDiagnostic      ClinicalRole = "diagnostic"       // imaging, lab analysers, monitors
	RoleClinicalSupport ClinicalRole = "clinical-support" // EHR, PACS, CAD, lab information systems
	RoleAdministrative  ClinicalRole = "administrative"   // office PCs, printers, billing
)

// ClinicalRoles lists every valid clinical role, most critical first.
var ClinicalRoles = []ClinicalRole{RoleLifeSustaining, RoleTreatment, RoleDiagnostic, RoleClinicalSupport, RoleAdministrative}

// PatchAuthority says who may change an asset's software.
type PatchAuthority string

// The patch authorities.
const (
	PatchOrg    PatchAuthority = "org"    // the organisation's own IT may patch it
	PatchVendor PatchAuthority = "vendor" // only the manufacturer may (regulated medical devices)
)

// Asset is one thing an organisation runs. Identity fields (Vendor, Product,
// Version, Model, CPE, PURL) drive matching; the rest drives decisions and
// advice.
type Asset struct {
	ID      string `json:"id"`
	Name    string `json:"name,omitempty"`
	Kind    string `json:"kind,omitempty"` // free text: workstation, infusion-pump, router, ...
	Vendor  string `json:"vendor,omitempty"`
	Product string `json:"product,omitempty"`
	Version string `json:"version,omitempty"`
	Model   string `json:"model,omitempty"`
	CPE     string `json:"cpe,omitempty"`
	PURL    string `json:"purl,omitempty"`

	Location       string         `json:"location,omitempty"`
	Zone           string         `json:"zone,omitempty"` // network segment or VLAN name
	Exposure       Exposure       `json:"exposure,omitempty"`
	ClinicalRole   ClinicalRole   `json:"clinical_role,omitempty"`
	PatientData    bool           `json:"patient_data,omitempty"`
	PatchAuthority PatchAuthority `json:"patch_authority,omitempty"`
	EndOfSupport   time.Time      `json:"end_of_support,omitzero"`
	Owner          string         `json:"owner,omitempty"`

	// Components are the parts inside the asset: firmware, OS, libraries.
	Components []Component `json:"components,omitempty"`
	// Services are network services seen on the asset (from nmap).
	Services []Service `json:"services,omitempty"`
	// Attributes keeps columns ward does not know, by column name.
	Attributes map[string]string `json:"attributes,omitempty"`
	// Source names the file (and line) the asset came from.
	Source string `json:"source,omitempty"`
}

// Component is software or firmware inside an asset, usually from an SBOM.
type Component struct {
	Ref     string `json:"ref,omitempty"`  // the SBOM's bom-ref or SPDXID
	Kind    string `json:"kind,omitempty"` // firmware, operating-system, library, application, device
	Vendor  string `json:"vendor,omitempty"`
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	CPE     string `json:"cpe,omitempty"`
	PURL    string `json:"purl,omitempty"`
}

// Service is an open network service seen on an asset.
type Service struct {
	Port     int    `json:"port"`
	Protocol string `json:"protocol"` // tcp or udp
	Name     string `json:"name,omitempty"`
	Product  string `json:"product,omitempty"`
	Version  string `json:"version,omitempty"`
	CPE      string `json:"cpe,omitempty"`
}

// Validate reports the first field of a that is missing or out of range.
func (a *Asset) Validate() error {
	if a.ID == "" {
		return fmt.Errorf("id: %w", ErrRequired)
	}
	if a.CPE == "" && a.PURL == "" && (a.Vendor == "" || a.Product == "") && len(a.Components) == 0 {
		return fmt.Errorf("asset %q: %w", a.ID, ErrNoIdentity)
	}
	if a.Exposure != "" && !oneOf(a.Exposure, Exposures) {
		return fmt.Errorf("exposure %q: %w (want one of %v)", a.Exposure, ErrInvalid, Exposures)
	}
	if a.ClinicalRole != "" && !oneOf(a.ClinicalRole, ClinicalRoles) {
		return fmt.Errorf("clinical_role %q: %w (want one of %v)", a.ClinicalRole, ErrInvalid, ClinicalRoles)
	}
	if a.PatchAuthority != "" && a.PatchAuthority != PatchOrg && a.PatchAuthority != PatchVendor {
		return fmt.Errorf("patch_authority %q: %w (want org or vendor)", a.PatchAuthority, ErrInvalid)
	}
	return nil
}

// ExposureOrDefault returns the asset's exposure, or internal when unset: an
// asset nobody classified is assumed to sit on the ordinary network.
func (a *Asset) ExposureOrDefault() Exposure {
	if a.Exposure == "" {
		return ExposureInternal
	}
	return a.Exposure
}

// RoleOrDefault returns the asset's clinical role, or administrative when unset.
func (a *Asset) RoleOrDefault() ClinicalRole {
	if a.ClinicalRole == "" {
		return RoleAdministrative
	}
	return a.ClinicalRole
}

func oneOf[T comparable](v T, set []T) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}
