package inventory

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRead_Nmap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		want *Result
	}{
		{
			name: "real nmap -A scan",
			file: "testdata/nmap/scan_base.xml",
			want: &Result{
				Format: FormatNmapXML,
				Assets: []Asset{{
					// The best OS class: MikroTik RouterOS 2.X at 94%; port 443 is closed.
					ID: "66.35.250.168", Name: "freshmeat.net", Kind: "software-router",
					Vendor: "MikroTik", Product: "RouterOS", Version: "2.X",
					Components: []Component{{Kind: "application", Name: "Apache httpd", Version: "1.3.39"}},
					Services:   []Service{{Port: 80, Protocol: "tcp", Name: "http", Product: "Apache httpd", Version: "1.3.39"}},
					Attributes: map[string]string{"os": "MicroTik RouterOS 2.9.46 (94%)"},
					Source:     "testdata/nmap/scan_base.xml:38",
				}},
			},
		},
		{
			name: "hosts without status, several ports elements",
			file: "testdata/nmap/scan_invalid_services.xml",
			want: &Result{
				Format: FormatNmapXML,
				Assets: []Asset{
					{
						ID:         "66.35.250.168",
						Components: []Component{{Kind: "application", Name: "VALID"}},
						Services:   []Service{{Port: 80, Name: "http", Product: "VALID"}, {Port: 443, Name: "https", Product: "VALID"}},
						Source:     "testdata/nmap/scan_invalid_services.xml:3",
					},
					{
						ID:         "66.35.250.169",
						Components: []Component{{Kind: "application", Name: "INVALID"}},
						Services:   []Service{{Port: 443, Name: "https", Product: "INVALID"}},
						Source:     "testdata/nmap/scan_invalid_services.xml:18",
					},
					{
						ID:         "66.35.250.170",
						Components: []Component{{Kind: "application", Name: "INVALID"}},
						Services:   []Service{{Port: 80, Name: "http", Product: "INVALID"}},
						Source:     "testdata/nmap/scan_invalid_services.xml:33",
					},
					{
						ID:         "66.35.250.171",
						Components: []Component{{Kind: "application", Name: "INVALID"}},
						Services:   []Service{{Port: 80, Name: "http", Product: "INVALID"}},
						Source:     "testdata/nmap/scan_invalid_services.xml:42",
					},
				},
			},
		},
		{
			name: "clinical LAN: DICOM, HL7, IPv6, MAC vendor, down, duplicate and unidentified hosts",
			file: "testdata/nmap/clinical-lan.xml",
			want: &Result{
				Format: FormatNmapXML,
				Assets: []Asset{
					{
						ID: "10.20.0.5", Name: "pacs01.radiology.example", Kind: KindImaging,
						Vendor: "Linux", Product: "Linux", Version: "4.X", CPE: "cpe:/o:linux:linux_kernel:4",
						ClinicalRole: RoleClinicalSupport,
						Components: []Component{
							{Kind: "application", Vendor: "openbsd", Name: "OpenSSH", Version: "8.9p1 Ubuntu 3ubuntu0.10", CPE: "cpe:/a:openbsd:openssh:8.9p1"},
							{Kind: "application", Name: "Orthanc"},
							{Kind: "application", Name: "Orthanc", Version: "1.12.1"},
						},
						Services: []Service{
							{Port: 22, Protocol: "tcp", Name: "ssh", Product: "OpenSSH", Version: "8.9p1 Ubuntu 3ubuntu0.10", CPE: "cpe:/a:openbsd:openssh:8.9p1"},
							{Port: 104, Protocol: "tcp", Name: "dicom", Product: "Orthanc"},
							{Port: 8042, Protocol: "tcp", Name: "http", Product: "Orthanc", Version: "1.12.1"},
						},
						Attributes: map[string]string{"mac": "00:1B:21:3A:4B:5C", "mac_vendor": "Intel Corporate", "os": "Linux 4.15 - 5.8 (100%)"},
						Source:     "testdata/nmap/clinical-lan.xml:7",
					},
					{
						ID: "10.20.0.7", Kind: KindHL7, ClinicalRole: RoleClinicalSupport,
						Components: []Component{{Kind: "application", Vendor: "lighttpd", Name: "lighttpd", Version: "1.4.35", CPE: "cpe:/a:lighttpd:lighttpd:1.4.35"}},
						Services: []Service{
							{Port: 2575, Protocol: "tcp", Name: "unknown"},
							{Port: 80, Protocol: "tcp", Name: "http", Product: "lighttpd", Version: "1.4.35", CPE: "cpe:/a:lighttpd:lighttpd:1.4.35"},
						},
						Attributes: map[string]string{"mac": "00:09:FB:12:34:56", "mac_vendor": "Philips Patient Monitoring"},
						Source:     "testdata/nmap/clinical-lan.xml:24",
					},
					{
						ID: "fd00:20::11", Kind: KindImaging, ClinicalRole: RoleClinicalSupport,
						Components: []Component{
							{Kind: "application", Vendor: "net-snmp", Name: "net-snmp", Version: "5.9", CPE: "cpe:/a:net-snmp:net-snmp:5.9"},
							{Kind: "application", Vendor: "dcm4che", Name: "DCM4CHEE", CPE: "cpe:/a:dcm4che:dcm4chee-arc-light:5.31"},
						},
						Services: []Service{
							{Port: 161, Protocol: "udp", Name: "snmp", Product: "net-snmp", Version: "5.9", CPE: "cpe:/a:net-snmp:net-snmp:5.9"},
							{Port: 11112, Protocol: "tcp", Name: "unknown", Product: "DCM4CHEE", CPE: "cpe:/a:dcm4che:dcm4chee-arc-light:5.31"},
						},
						Source: "testdata/nmap/clinical-lan.xml:45",
					},
				},
				Notices: []string{
					"host 10.20.0.5: DICOM on port 104/tcp: marked clinical-support, kind imaging-or-pacs; please confirm its clinical role",
					"host 10.20.0.7: HL7 on port 2575/tcp: marked clinical-support, kind hl7-interface; please confirm its clinical role",
					"host 10.20.0.5 on line 40 repeats the host on line 7; kept the first",
					"host fd00:20::11: DICOM on port 11112/tcp: marked clinical-support, kind imaging-or-pacs; please confirm its clinical role",
					"1 hosts up but with no OS or service identification skipped (10.20.0.9); scan them with nmap -sV -O",
				},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := mustReadFile(t, tc.file)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ReadFile() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRead_NmapErrors(t *testing.T) {
	t.Parallel()
	host := `<host><status state="up"/><address addr="10.0.0.1" addrtype="ipv4"/><ports><port protocol="tcp" portid="22"><state state="open"/><service name="ssh" product="OpenSSH"/></port></ports></host>`
	tests := []struct {
		name    string
		input   string
		wantIs  error
		wantErr string
	}{
		{
			name:    "nmap failed and found nothing",
			input:   "<nmaprun>\n<runstats>\n<finished exit=\"error\" errormsg=\"Error resolving name localhost\"/></runstats></nmaprun>",
			wantIs:  ErrScanFailed,
			wantErr: "scan.xml:2: the scan reported an error: Error resolving name localhost",
		},
		{
			name:    "interrupted scan: the file ends early",
			input:   "<nmaprun>\n" + host + "\n<host>",
			wantErr: "scan.xml:3: XML syntax error on line 3: unexpected EOF",
		},
		{
			name:    "garbage after the root",
			input:   "<nmaprun>" + host + "</nmaprun>\n\n<nmaprun/>",
			wantErr: "scan.xml:3: unexpected data after the root element",
		},
		{
			name:    "host without an address",
			input:   "<nmaprun>\n<host><status state=\"up\"/></host></nmaprun>",
			wantIs:  ErrRequired,
			wantErr: "scan.xml:2: column address: host: required field is empty",
		},
		{
			name:    "port number out of range",
			input:   `<nmaprun><host><address addr="10.0.0.1"/><ports><port portid="70000"><state state="open"/></port></ports></host></nmaprun>`,
			wantIs:  ErrInvalid,
			wantErr: "scan.xml:1: column portid: 70000: invalid value",
		},
		{
			name:    "port number not a number",
			input:   `<nmaprun><host><address addr="10.0.0.1"/><ports><port portid="http"/></ports></host></nmaprun>`,
			wantErr: `scan.xml: strconv.ParseInt: parsing "http": invalid syntax`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mustFailRead(t, "scan.xml", tc.input, tc.wantErr, tc.wantIs)
		})
	}
}

func TestRead_NmapErrorWithHosts(t *testing.T) {
	t.Parallel()
	// nmap can report an error (one target did not resolve) and still scan the
	// rest: ward keeps the hosts and passes the message on.
	input := `<nmaprun><host><address addr="10.0.0.1"/><ports><port protocol="tcp" portid="22"><state state="open"/><service name="ssh" product="OpenSSH"/></port></ports></host>
		<runstats><finished exit="error" errormsg="Failed to resolve &quot;pacs.invalid&quot;."/></runstats></nmaprun>`
	got, err := Read(t.Context(), "scan.xml", strings.NewReader(input))
	if err != nil {
		t.Fatalf("Read() = %v", err)
	}
	want := []string{`nmap reported an error, the scan may be incomplete: Failed to resolve "pacs.invalid".`}
	if diff := cmp.Diff(want, got.Notices); diff != "" || len(got.Assets) != 1 {
		t.Errorf("Read() = %d assets, notices mismatch (-want +got):\n%s", len(got.Assets), diff)
	}
}

func TestRead_NmapErrorFile(t *testing.T) {
	t.Parallel()
	_, err := ReadFile(t.Context(), "testdata/nmap/scan_error_resolving_name.xml")
	if want := "testdata/nmap/scan_error_resolving_name.xml:3: the scan reported an error: Error resolving name localhost"; err == nil || err.Error() != want {
		t.Errorf("ReadFile() error = %v, want %q", err, want)
	}
}
