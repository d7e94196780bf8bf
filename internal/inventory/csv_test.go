package inventory

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestRead_CSV(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		want *Result
	}{
		{
			name: "shuffled columns, spellings, unknown columns",
			file: "testdata/csv/assets.csv",
			want: &Result{
				Format:  FormatCSV,
				Notices: []string{"unknown columns kept as attributes: room, asset_tag"},
				Assets: []Asset{
					{
						ID: "pump-icu-4", Name: "Infusion pump ICU bed 4", Vendor: "Baxter", Product: "Sigma Spectrum", Version: "8.00.01",
						ClinicalRole: RoleLifeSustaining, Exposure: ExposureInternal, PatchAuthority: PatchVendor,
						EndOfSupport: date(2027, time.June, 1),
						Attributes:   map[string]string{"room": "ICU 4", "asset_tag": "A-1001"},
						Source:       "testdata/csv/assets.csv:2",
					},
					{
						ID: "pacs-1", Name: "PACS server", CPE: "cpe:2.3:a:orthanc-server:orthanc:1.12.1:*:*:*:*:*:*:*",
						ClinicalRole: RoleClinicalSupport, Exposure: ExposureInternal, PatientData: true, PatchAuthority: PatchOrg,
						EndOfSupport: date(2026, time.December, 31),
						Attributes:   map[string]string{"room": "server room"},
						Source:       "testdata/csv/assets.csv:3",
					},
					{
						ID: "pc-rec-1", Name: "Reception PC, front desk", Vendor: "Microsoft", Product: "Windows 10", Version: "22H2",
						ClinicalRole: RoleAdministrative, Exposure: ExposureInternet, PatientData: true, PatchAuthority: PatchOrg,
						EndOfSupport: date(2025, time.October, 14),
						Attributes:   map[string]string{"room": "reception", "asset_tag": "A-1003"},
						Source:       "testdata/csv/assets.csv:4",
					},
					{
						ID: "lab-mw", Name: "Lab middleware", PURL: "pkg:nuget/Newtonsoft.Json@9.0.1",
						ClinicalRole: RoleDiagnostic, Exposure: ExposurePartner, PatientData: true,
						Attributes: map[string]string{"room": "lab"},
						Source:     "testdata/csv/assets.csv:5",
					},
				},
			},
		},
		{
			name: "excel semicolons, byte order mark, CRLF, empty row",
			file: "testdata/csv/excel-semicolon.csv",
			want: &Result{
				Format: FormatCSV,
				Assets: []Asset{
					{
						ID: "vent-1", Vendor: "Draeger", Product: "Evita V500", Version: "2.51",
						Exposure: ExposureIsolated, ClinicalRole: RoleLifeSustaining,
						Source: "testdata/csv/excel-semicolon.csv:2",
					},
					{
						ID: "ct-1", Vendor: "Siemens Healthineers", Product: "SOMATOM go.Up", Version: "VA30",
						Exposure: ExposureInternal, ClinicalRole: RoleDiagnostic, PatientData: true,
						Source: "testdata/csv/excel-semicolon.csv:4",
					},
				},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadFile(t.Context(), tc.file)
			if err != nil {
				t.Fatalf("ReadFile() = %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ReadFile() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRead_CSVInline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		want  []Asset
	}{
		{
			name:  "excel sep line",
			input: "sep=;\nid;cpe\nr-1;cpe:/h:cisco:router\n",
			want:  []Asset{{ID: "r-1", CPE: "cpe:/h:cisco:router", Source: "in.csv:3"}},
		},
		{
			name:  "header names with spaces and case",
			input: " ID , Vendor ,PRODUCT,End-Of-Support,Patch Authority\nx, Acme , Pump ,2030-01,Manufacturer\n",
			want:  []Asset{{ID: "x", Vendor: "Acme", Product: "Pump", EndOfSupport: date(2030, time.January, 1), PatchAuthority: PatchVendor, Source: "in.csv:2"}},
		},
		{
			name:  "escaped colon in a CPE",
			input: "id,cpe\nx,cpe:2.3:a:acme:pump\\:pro:1.0:*:*:*:*:*:*:*\n",
			want:  []Asset{{ID: "x", CPE: `cpe:2.3:a:acme:pump\:pro:1.0:*:*:*:*:*:*:*`, Source: "in.csv:2"}},
		},
		{
			name:  "header only",
			input: "id,vendor,product\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Read(t.Context(), "in.csv", strings.NewReader(tc.input))
			if err != nil {
				t.Fatalf("Read() = %v", err)
			}
			if diff := cmp.Diff(tc.want, got.Assets); diff != "" {
				t.Errorf("Read() assets mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRead_CSVErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		input   string
		wantIs  error
		wantErr string
	}{
		{
			name:    "missing id",
			input:   "id,vendor,product\n,Acme,Pump\n",
			wantIs:  ErrRequired,
			wantErr: "bad.csv:2: column id: required field is empty",
		},
		{
			name:    "no id column",
			input:   "name,vendor,product\nx,Acme,Pump\n",
			wantIs:  ErrRequired,
			wantErr: "bad.csv:1: column id: required field is empty: the header has no id column",
		},
		{
			name:    "duplicate id",
			input:   "id,vendor,product\na,Acme,Pump\nb,Acme,Pump\na,Acme,Monitor\n",
			wantIs:  ErrDuplicate,
			wantErr: `bad.csv:4: column id: duplicate id "a", also on line 2`,
		},
		{
			name:    "bad exposure",
			input:   "id,vendor,product,exposure\na,Acme,Pump,wifi\n",
			wantIs:  ErrInvalid,
			wantErr: `bad.csv:2: column exposure: "wifi": invalid value (want internet, partner, internal or isolated)`,
		},
		{
			name:    "bad clinical role",
			input:   "id,vendor,product,clinical_role\na,Acme,Pump,critical\n",
			wantIs:  ErrInvalid,
			wantErr: `bad.csv:2: column clinical_role: "critical": invalid value (want life-sustaining, treatment, diagnostic, clinical-support or administrative)`,
		},
		{
			name:    "bad patch authority",
			input:   "id,vendor,product,patch_authority\na,Acme,Pump,nobody\n",
			wantIs:  ErrInvalid,
			wantErr: `bad.csv:2: column patch_authority: "nobody": invalid value (want org or vendor)`,
		},
		{
			name:    "bad patient data",
			input:   "id,vendor,product,patient_data\na,Acme,Pump,maybe\n",
			wantIs:  ErrInvalid,
			wantErr: `bad.csv:2: column patient_data: "maybe": invalid value (want yes or no)`,
		},
		{
			name:    "bad CPE, too few parts",
			input:   "id,cpe\na,cpe:2.3:a:acme:pump\n",
			wantIs:  ErrInvalid,
			wantErr: `bad.csv:2: column cpe: cpe "cpe:2.3:a:acme:pump": invalid value: a CPE 2.3 name has 13 colon-separated parts, this has 5`,
		},
		{
			name:    "bad CPE, no prefix",
			input:   "id,cpe\na,acme pump\n",
			wantIs:  ErrInvalid,
			wantErr: `bad.csv:2: column cpe: cpe "acme pump": invalid value: contains white space`,
		},
		{
			name:    "bad PURL",
			input:   "id,purl\na,npm/left-pad\n",
			wantIs:  ErrInvalid,
			wantErr: `bad.csv:2: column purl: purl "npm/left-pad": invalid value: `,
		},
		{
			name:    "bad date",
			input:   "id,vendor,product,end_of_support\na,Acme,Pump,31.12.2027\n",
			wantIs:  ErrInvalid,
			wantErr: `bad.csv:2: column end_of_support: "31.12.2027": invalid value (want a date, YYYY-MM-DD, or a month, YYYY-MM)`,
		},
		{
			name:    "no identity",
			input:   "id,name,vendor\na,Pump,Acme\n",
			wantIs:  ErrNoIdentity,
			wantErr: `bad.csv:2: asset "a": needs vendor and product, a cpe, or a purl`,
		},
		{
			name:    "ragged row",
			input:   "id,vendor,product\na,Acme,Pump\nb,Acme\n",
			wantIs:  ErrInvalid,
			wantErr: "bad.csv:3: invalid value: 2 fields, the header has 3",
		},
		{
			name:    "field on the physical line after a multi-line quoted cell",
			input:   "id,name,vendor,product,exposure\na,\"two\nlines\",Acme,Pump,wifi\n",
			wantIs:  ErrInvalid,
			wantErr: `bad.csv:3: column exposure: "wifi": invalid value`,
		},
		{
			name:    "bare quote",
			input:   "id,vendor,product\na,Ac\"me,Pump\n",
			wantIs:  nil,
			wantErr: `bad.csv:2: bare " in non-quoted-field`,
		},
		{
			name:    "not UTF-8",
			input:   "id,vendor,product\na,Acme,Pump\nb,M\xfcller,Pump\n",
			wantIs:  ErrInvalid,
			wantErr: `bad.csv:3: invalid value: not UTF-8 text; save the file as "CSV UTF-8"`,
		},
		{
			name:    "column named twice",
			input:   "id,vendor,Vendor,product\na,Acme,Acme,Pump\n",
			wantIs:  ErrInvalid,
			wantErr: "bad.csv:1: column vendor: invalid value: the column is named twice",
		},
		{
			name:    "value under a nameless column",
			input:   "id,vendor,,product\na,Acme,oops,Pump\n",
			wantIs:  ErrInvalid,
			wantErr: "bad.csv:2: column 3: invalid value: a value in a column with no name",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := mustFailRead(t, "bad.csv", tc.input, tc.wantErr, tc.wantIs)
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != "bad.csv" || pe.Line == 0 {
				t.Errorf("Read() error = %#v, want a *ParseError with file and line", err)
			}
		})
	}
}

func TestRead_CSVCollectsEveryRowError(t *testing.T) {
	t.Parallel()
	input := "id,vendor,product,exposure\n" +
		"ok-1,Acme,Pump,internal\n" +
		",Acme,Pump,internal\n" +
		"x,Acme,Pump,wifi\n" +
		"ok-1,Acme,Pump,internal\n"
	got, err := Read(t.Context(), "inv.csv", strings.NewReader(input))
	if got != nil {
		t.Errorf("Read() returned %d assets, want none while any row is bad", len(got.Assets))
	}
	var lines []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var pe *ParseError
		if !errors.As(e, &pe) {
			t.Fatalf("Read() joined %T, want *ParseError", e)
		}
		lines = append(lines, fmt.Sprintf("%d %s", pe.Line, pe.Column))
	}
	if diff := cmp.Diff([]string{"3 id", "4 exposure", "5 id"}, lines); diff != "" {
		t.Errorf("Read() errors mismatch (-want +got):\n%s", diff)
	}
}

func TestRead_CSVCapsErrors(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("id,vendor,product,exposure\n")
	for i := range 150 {
		fmt.Fprintf(&b, "a-%d,Acme,Pump,wifi\n", i)
	}
	_, err := Read(t.Context(), "inv.csv", strings.NewReader(b.String()))
	errs := err.(interface{ Unwrap() []error }).Unwrap()
	if len(errs) != maxErrors+1 {
		t.Errorf("Read() joined %d errors, want %d and a count", len(errs), maxErrors+1)
	}
	if got, want := errs[len(errs)-1].Error(), "50 more errors not shown"; got != want {
		t.Errorf("Read() last error = %q, want %q", got, want)
	}
}

func TestParseValues_Aliases(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Exposure{"Internet Facing": ExposureInternet, "VPN": ExposurePartner, "lan": ExposureInternal, "air_gapped": ExposureIsolated} {
		if got, err := parseExposure(in); got != want || err != nil {
			t.Errorf("parseExposure(%q) = %q, %v, want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]ClinicalRole{"Life Sustaining": RoleLifeSustaining, "therapy": RoleTreatment, "Diagnostics": RoleDiagnostic, "clinical_support": RoleClinicalSupport, "Admin": RoleAdministrative} {
		if got, err := parseClinicalRole(in); got != want || err != nil {
			t.Errorf("parseClinicalRole(%q) = %q, %v, want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]bool{"Yes": true, "y": true, "TRUE": true, "1": true, "no": false, "N": false, "false": false, "0": false} {
		if got, err := parseYesNo(in); got != want || err != nil {
			t.Errorf("parseYesNo(%q) = %v, %v, want %v", in, got, err, want)
		}
	}
}
