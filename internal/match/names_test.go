package match

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNames_Vendors(t *testing.T) {
	n := NewNames()
	tests := []struct {
		in   string
		want []string
	}{
		// Spellings from real ICSMA files.
		{"Philips", []string{"philips"}},
		{"Phillips", []string{"philips"}},
		{"GE Healthcare", []string{"ge healthcare"}},
		{"GE HealthCare", []string{"ge healthcare"}},
		{"General Electric (GE)", []string{"ge healthcare"}},
		{"Becton, Dickinson and Company (BD)", []string{"bd"}},
		{"BD", []string{"bd"}},
		{"B. Braun Medical", []string{"b braun"}},
		{"B. Braun", []string{"b braun"}},
		{"Dräger", []string{"drager"}},
		{"Draeger", []string{"drager"}},
		{"Baxter International Inc.", []string{"baxter"}},
		{"Natus Medical, Inc. (Natus)", []string{"natus"}},
		{"Silex Technology and GE Healthcare", []string{"silex technology and ge healthcare", "silex technology", "ge healthcare"}},
		{"Hillrom and ELI, Baxter International Inc.", []string{"hillrom and eli baxter", "hillrom", "eli", "baxter"}},
		{"Medtronic", []string{"medtronic"}},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, n.Vendors(tt.in)); diff != "" {
				t.Errorf("Vendors(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestNames_Product(t *testing.T) {
	n := NewNames()
	tests := []struct{ vendor, product, want string }{
		{"Philips", "Philips IntelliVue MX40®", "intellivue mx40"},
		{"Philips", "IntelliVue MX40", "intellivue mx40"},
		{"GE Healthcare", "GE Healthcare CARESCAPE Telemetry Server", "carescape telemetry server"},
		{"Medtronic", "MyCareLink Smart 25000 Patient Reader", "mycarelink smart 25000 patient reader"},
		{"BD", "Alaris™ PC Unit", "alaris pc unit"},
	}
	for _, tt := range tests {
		if got := n.Product(tt.vendor, tt.product); got != tt.want {
			t.Errorf("Product(%q, %q) = %q, want %q", tt.vendor, tt.product, got, tt.want)
		}
	}
}

func TestNewNames_Extra(t *testing.T) {
	n := NewNames("acme medical: acme devices; acmemed")
	if got := n.Vendor("AcmeMed GmbH"); got != "acme medical" {
		t.Errorf("Vendor(AcmeMed GmbH) = %q, want acme medical", got)
	}
}
