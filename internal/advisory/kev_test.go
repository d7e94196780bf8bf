package advisory

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/testenv"
)

func TestReadKEV(t *testing.T) {
	t.Parallel()
	sharepoint := KEVEntry{
		CVE: "CVE-2025-49704", Vendor: "Microsoft", Product: "SharePoint",
		Name:             "Microsoft SharePoint Code Injection Vulnerability",
		DateAdded:        ts(2025, 7, 22, 0, 0, 0, 0),
		DueDate:          ts(2025, 7, 23, 0, 0, 0, 0),
		RequiredAction:   "Disconnect public-facing versions of SharePoint Server that have reached their end-of-life (EOL) or end-of-service (EOS) to include SharePoint Server 2013 and earlier versions. For supported versions, please follow the mitigations according to CISA (URL listed below in Notes) and vendor instructions (URL listed below in Notes). Adhere to the applicable BOD 22-01 guidance for cloud services or discontinue use of the product if mitigations are not available.",
		KnownRansomware:  true,
		ShortDescription: "Microsoft SharePoint contains a code injection vulnerability that could allow an authorized attacker to execute code over a network. This vulnerability could be chained with CVE-2025-49706. CVE-2025-53770 is a patch bypass for CVE-2025-49704, and the updates for CVE-2025-53770 include more robust protection than those for CVE-2025-49704.",
	}
	for _, file := range []string{"kev-subset.derived.json", "kev-subset.derived.csv"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			got, err := ReadKEV(t.Context(), file, mustReadFixture(t, "testdata/kev/"+file))
			if err != nil {
				t.Fatalf("ReadKEV() error = %v", err)
			}
			if len(got) != 5 {
				t.Errorf("ReadKEV() gave %d entries, want 5", len(got))
			}
			if diff := cmp.Diff(sharepoint, got["CVE-2025-49704"]); diff != "" {
				t.Errorf("ReadKEV() CVE-2025-49704 mismatch (-want +got):\n%s", diff)
			}
			if got["CVE-2025-48384"].KnownRansomware {
				t.Errorf("ReadKEV() CVE-2025-48384 KnownRansomware = true, want false (Unknown)")
			}
		})
	}
}

// TestReadKEV_JSONEqualsCSV reads CISA's whole catalogue in both forms.
func TestReadKEV_JSONEqualsCSV(t *testing.T) {
	dir := testenv.SharedData(t, "kev") + "/"
	fromJSON, err := ReadKEV(t.Context(), "json", mustReadFixture(t, dir+"known_exploited_vulnerabilities.json"))
	if err != nil {
		t.Fatalf("ReadKEV(json) error = %v", err)
	}
	fromCSV, err := ReadKEV(t.Context(), "csv", mustReadFixture(t, dir+"known_exploited_vulnerabilities.csv"))
	if err != nil {
		t.Fatalf("ReadKEV(csv) error = %v", err)
	}
	if len(fromJSON) != 1404 {
		t.Errorf("ReadKEV(json) gave %d entries, want 1404", len(fromJSON))
	}
	if diff := cmp.Diff(fromJSON, fromCSV); diff != "" {
		t.Errorf("ReadKEV(json) and ReadKEV(csv) differ (-json +csv):\n%s", diff)
	}
}

func TestReadKEV_Invalid(t *testing.T) {
	t.Parallel()
	const header = "cveID,vendorProject,product,vulnerabilityName,dateAdded,dueDate,knownRansomwareCampaignUse\n"
	tests := []struct {
		name    string
		data    string
		wantErr error
		wantMsg string
	}{
		{"no vulnerabilities", `{"catalogVersion":"1"}`, ErrInvalid, "vulnerabilities is missing"},
		{"no cveID", `{"vulnerabilities":[{"dateAdded":"2024-01-01"}]}`, ErrInvalid, "vulnerabilities[0].cveID is missing"},
		{"bad cveID", `{"vulnerabilities":[{"cveID":"X-1","dateAdded":"2024-01-01"}]}`, ErrInvalid, `vulnerabilities[0].cveID "X-1"`},
		{"no dateAdded", `{"vulnerabilities":[{"cveID":"CVE-2024-1"}]}`, ErrInvalid, "vulnerabilities[0].dateAdded is missing"},
		{"bad dueDate", `{"vulnerabilities":[{"cveID":"CVE-2024-1","dateAdded":"2024-01-01","dueDate":"soon"}]}`, ErrInvalid, "vulnerabilities[0].dueDate"},
		{"csv without dateAdded", "cveID,vendorProject\nCVE-2024-1,x\n", ErrInvalid, "kev.csv:1: invalid document: no dateadded column"},
		{"csv bad date", header + "CVE-2024-1,v,p,n,2024-01-01,2024-02-01,Known\nCVE-2024-2,v,p,n,01/02/2024,,Unknown\n", ErrInvalid, "kev.csv:3: invalid document: dateAdded"},
		{"csv field count", header + "CVE-2024-1,v,p\n", ErrInvalid, "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ReadKEV(t.Context(), "kev.csv", []byte(tt.data))
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMsg) || !strings.HasPrefix(err.Error(), "kev: ") {
				t.Errorf("ReadKEV() error = %v, want %v containing %q", err, tt.wantErr, tt.wantMsg)
			}
		})
	}
}
