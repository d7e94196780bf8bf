package advisory

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/ward-health/ward/internal/testenv"
)

// csafTestdata is where the real CSAF documents of these tests live (see its
// README.md for their sources).
const csafTestdata = "testdata/csaf"

// mustReadCSAFFile reads testdata/csaf/file with ReadCSAF and returns its one
// advisory.
func mustReadCSAFFile(tb testing.TB, file string) *Advisory {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(csafTestdata, file))
	if err != nil {
		tb.Fatal(err)
	}
	advs, err := ReadCSAF(tb.Context(), file, data, Options{})
	if err != nil {
		tb.Fatalf("ReadCSAF(%s) error = %v", file, err)
	}
	if len(advs) != 1 {
		tb.Fatalf("ReadCSAF(%s) returned %d advisories, want 1", file, len(advs))
	}
	return advs[0]
}

// csafVulnRow is what a test asserts of each vulnerability.
type csafVulnRow struct {
	CVE          string
	Aliases      []string
	CWE          string
	CVSS         float64
	Vector       string
	Exploitation string
	// Statuses lists each affect's range statuses: affects split by " ",
	// ranges of one affect joined by "+".
	Statuses string
}

func csafVulnRows(a *Advisory) []csafVulnRow {
	var rows []csafVulnRow
	for _, v := range a.Vulnerabilities {
		var st []string
		for _, af := range v.Affects {
			var rs []string
			for _, r := range af.Ranges {
				rs = append(rs, string(r.Status))
			}
			st = append(st, strings.Join(rs, "+"))
		}
		rows = append(rows, csafVulnRow{
			CVE: v.CVE, Aliases: v.Aliases, CWE: v.CWE, CVSS: v.CVSS, Vector: v.CVSSVector,
			Exploitation: v.Exploitation, Statuses: strings.Join(st, " "),
		})
	}
	return rows
}

// csafRemedyRow is what a test asserts of each remediation.
type csafRemedyRow struct {
	Category   RemediationCategory
	URL        string
	ProductIDs []string
}

func csafRemedyRows(v *Vulnerability) []csafRemedyRow {
	var rows []csafRemedyRow
	for _, r := range v.Remediations {
		rows = append(rows, csafRemedyRow{r.Category, r.URL, r.ProductIDs})
	}
	return rows
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// cisaHead is the header CISA's advisories share.
func cisaHead(id, file, title, contact string, published, updated time.Time, url string) Advisory {
	return Advisory{
		ID: id, Format: "csaf", Source: file, Title: title, Publisher: "CISA", Contact: contact,
		Published: published, Updated: updated, TLP: "WHITE", URL: url,
	}
}

const (
	cisaDesk     = "CISAservicedesk@cisa.dhs.gov"
	cisaCentral  = "central@cisa.dhs.gov"
	cisaDeskLong = "Email: CISAservicedesk@cisa.dhs.gov;\n Toll Free: 1-888-282-0870"
	icsmaPage    = "https://www.cisa.gov/news-events/ics-medical-advisories/"
)

func TestReadCSAF(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		head Advisory // compared without Summary and Vulnerabilities
		// summary is a prefix of Summary ("" asserts no summary).
		summary string
		vulns   []csafVulnRow
		// affects and remedies are those of the first vulnerability.
		affects  []Affect
		remedies []csafRemedyRow
	}{
		{
			name: "ICSMA product_version_range <= (Philips)",
			file: "icsma-18-137-02.json",
			head: cisaHead("ICSMA-18-137-02", "icsma-18-137-02.json", "Philips EncoreAnywhere", cisaCentral,
				time.Date(2018, 5, 17, 6, 0, 0, 0, time.UTC), time.Date(2018, 5, 17, 6, 0, 0, 0, time.UTC), icsmaPage+"icsma-18-137-02"),
			summary: "Successful exploitation of this vulnerability could result in unencrypted communication",
			vulns: []csafVulnRow{{CVE: "CVE-2018-8863", CWE: "CWE-200", CVSS: 5.9, Vector: "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N",
				Exploitation: "none", Statuses: "known_affected"}},
			affects: []Affect{{
				ProductID: "CSAFPID-0001",
				Product:   Identity{Vendor: "Philips", Name: "EncoreAnywhere APAC", Display: "EncoreAnywhere APAC: <= 2.36.3.3"},
				Ranges:    []Range{{Status: StatusKnownAffected, LastAffected: "2.36.3.3", Text: "<= 2.36.3.3"}},
			}},
			remedies: []csafRemedyRow{{RemedyMitigation, "", []string{"CSAFPID-0001"}}},
		},
		{
			name: "ICSMA range >= a | <= b",
			file: "icsma-18-240-01.json",
			head: cisaHead("ICSMA-18-240-01", "icsma-18-240-01.json", "ICSMA-18-240-01_Qualcomm Life Capsule", cisaDesk,
				day(2018, 8, 28), day(2018, 8, 28), icsmaPage+"icsma-18-240-01"),
			summary: "Elad Luz of CyberMDX reported this vulnerability",
			vulns: []csafVulnRow{{CVE: "CVE-2014-9222", CWE: "CWE-668", CVSS: 9.8, Vector: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
				Exploitation: "none", Statuses: "known_affected"}},
			affects: []Affect{{
				ProductID: "CSAFPID-0001",
				Product: Identity{Vendor: "Qualcomm Life", Name: "Allegro RomPager embedded web server",
					Display: "Allegro RomPager embedded web server: versions 4.01 through 4.34 included in Capsule DTS all versions affected"},
				Ranges: []Range{{Status: StatusKnownAffected, Introduced: "4.01", LastAffected: "4.34", Text: ">= 4.01 | <= 4.34"}},
			}},
			remedies: []csafRemedyRow{{RemedyMitigation, "https://customers.capsuletech.com/", []string{"CSAFPID-0001"}}},
		},
		{
			name: "ICSMA vers:all/*",
			file: "icsma-17-017-01.json",
			head: cisaHead("ICSMA-17-017-01", "icsma-17-017-01.json",
				"ICSMA-17-017-01_BD Alaris 8000 Insufficiently Protected Credentials Vulnerability", cisaDesk,
				day(2017, 1, 17), day(2017, 2, 7), icsmaPage+"icsma-17-017-01"),
			vulns: []csafVulnRow{{CVE: "CVE-2016-8375", CWE: "CWE-522", CVSS: 4.9, Vector: "CVSS:3.0/AV:P/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:N",
				Exploitation: "none", Statuses: "known_affected"}},
			affects: []Affect{{
				ProductID: "CSAFPID-0001",
				Product:   Identity{Vendor: "Becton, Dickinson and Company (BD)", Name: "Alaris 8000 PC unit", Display: "Alaris 8000 PC unit: all versions"},
				Ranges:    []Range{{Status: StatusKnownAffected, All: true, Text: "vers:all/*"}},
			}},
			remedies: []csafRemedyRow{{RemedyMitigation, "", []string{"CSAFPID-0001"}}},
		},
		{
			name: "ICSMA vendor spelt Phillips",
			file: "icsma-18-025-01.json",
			head: cisaHead("ICSMA-18-025-01", "icsma-18-025-01.json", "Philips IntelliSpace Cardiovascular System Vulnerability", cisaCentral,
				day(2018, 1, 25), day(2018, 1, 25), icsmaPage+"icsma-18-025-01"),
			summary: "Successful exploitation of this vulnerability could allow an attacker to gain unauthorized access",
			vulns: []csafVulnRow{{CVE: "CVE-2018-5438", CWE: "CWE-613", CVSS: 6.7, Vector: "CVSS:3.0/AV:L/AC:L/PR:L/UI:R/S:C/C:H/I:L/A:N",
				Exploitation: "none", Statuses: "known_affected"}},
			affects: []Affect{{
				ProductID: "CSAFPID-0001",
				Product:   Identity{Vendor: "Phillips", Name: "IntelliSpace Cardiovascular", Display: "IntelliSpace Cardiovascular: <= 2.3.0"},
				Ranges:    []Range{{Status: StatusKnownAffected, LastAffected: "2.3.0", Text: "<= 2.3.0"}},
			}},
			remedies: []csafRemedyRow{
				{RemedyMitigation, "", []string{"CSAFPID-0001"}},
				{RemedyMitigation, "http://www.usa.philips.com/healthcare/solutions/customer-service-solutions", []string{"CSAFPID-0001"}},
				{RemedyMitigation, "https://www.philips.com/productsecurity", []string{"CSAFPID-0001"}},
			},
		},
		{
			name: "ICSMA mitigation only, < fixed version",
			file: "icsma-17-009-01a.json",
			head: cisaHead("ICSMA-17-009-01A", "icsma-17-009-01a.json",
				"ICSMA-17-009-01A_St. Jude Merlin@home Transmitter Vulnerability (Update A)", cisaDesk,
				day(2017, 1, 9), day(2017, 2, 6), icsmaPage+"icsma-17-009-01a"),
			vulns: []csafVulnRow{{CVE: "CVE-2017-5149", CWE: "CWE-300", CVSS: 8.9, Vector: "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:C/C:L/I:H/A:H",
				Exploitation: "none", Statuses: "known_affected known_affected known_affected"}},
			affects: []Affect{
				{
					ProductID: "CSAFPID-0001",
					Product: Identity{Vendor: "St. Jude Medical", Name: "Inductive models EX1100",
						Display: "Inductive models EX1100: versions prior to Version 8.2.2"},
					Ranges: []Range{{Status: StatusKnownAffected, Fixed: "8.2.2", Text: "< 8.2.2"}},
				},
				{
					ProductID: "CSAFPID-0002",
					Product: Identity{Vendor: "St. Jude Medical", Name: "Inductive models EX1100 with MerlinOnDemand capability",
						Display: "Inductive models EX1100 with MerlinOnDemand capability: versions prior to Version 8.2.2"},
					Ranges: []Range{{Status: StatusKnownAffected, Fixed: "8.2.2", Text: "< 8.2.2"}},
				},
				{
					ProductID: "CSAFPID-0003",
					Product: Identity{Vendor: "St. Jude Medical", Name: "RF models EX1150",
						Display: "RF models EX1150: versions prior to Version 8.2.2"},
					Ranges: []Range{{Status: StatusKnownAffected, Fixed: "8.2.2", Text: "< 8.2.2"}},
				},
			},
			remedies: []csafRemedyRow{{RemedyMitigation, "", []string{"CSAFPID-0001", "CSAFPID-0002", "CSAFPID-0003"}}},
		},
		{
			name: "ICSMA model numbers as versions stay text",
			file: "icsma-22-263-01.json",
			head: cisaHead("ICSMA-22-263-01", "icsma-22-263-01.json", "Medtronic NGP 600 Series Insulin Pumps", cisaDeskLong,
				day(2022, 9, 20), day(2022, 9, 20), icsmaPage+"icsma-22-263-01"),
			summary: "Successful exploitation of this vulnerability could allow an unauthorized user to deliver too much or too little insulin",
			vulns: []csafVulnRow{{CVE: "CVE-2022-32537", CWE: "CWE-693", CVSS: 4.8, Vector: "CVSS:3.0/AV:A/AC:H/PR:L/UI:N/S:U/C:N/I:H/A:N",
				Exploitation: "none", Statuses: "known_affected known_affected known_affected known_affected"}},
			affects: []Affect{
				{
					ProductID: "CSAFPID-0001",
					Product:   Identity{Vendor: "Medtronic", Name: "MiniMed 620G", Display: "MiniMed 620G: MMT-1710"},
					Ranges:    []Range{{Status: StatusKnownAffected, Text: "MMT-1710"}},
				},
				{
					ProductID: "CSAFPID-0002",
					Product:   Identity{Vendor: "Medtronic", Name: "MiniMed 630G", Display: "MiniMed 630G: MMT-1715 MMT-1754 MMT-1755"},
					Ranges:    []Range{{Status: StatusKnownAffected, Text: "MMT-1715 | MMT-1754 | MMT-1755"}},
				},
				{
					ProductID: "CSAFPID-0003",
					Product:   Identity{Vendor: "Medtronic", Name: "MiniMed 640G", Display: "MiniMed 640G: MMT-1711 MMT-1712 MMT-1751 MMT-1752"},
					Ranges:    []Range{{Status: StatusKnownAffected, Text: "MMT-1711 | MMT-1712 | MMT-1751 | MMT-1752"}},
				},
				{
					ProductID: "CSAFPID-0004",
					Product: Identity{Vendor: "Medtronic", Name: "MiniMed 670G",
						Display: "MiniMed 670G: MMT-1740 MMT-1741 MMT-1742 MMT-1760 MMT-1762 MMT-1762 MMT-1780 MMT-1781 MMT-1782"},
					Ranges: []Range{{Status: StatusKnownAffected,
						Text: "MMT-1740 | MMT-1741 | MMT-1742 | MMT-1760 | MMT-1762 | MMT-1762 | MMT-1780 | MMT-1781 | MMT-1782"}},
				},
			},
			remedies: []csafRemedyRow{
				{RemedyVendorFix, "", []string{"CSAFPID-0001", "CSAFPID-0002", "CSAFPID-0003", "CSAFPID-0004"}},
				{RemedyVendorFix, "", []string{"CSAFPID-0001", "CSAFPID-0002", "CSAFPID-0003", "CSAFPID-0004"}},
				{RemedyVendorFix, "", []string{"CSAFPID-0001", "CSAFPID-0002", "CSAFPID-0003", "CSAFPID-0004"}},
			},
		},
		{
			name: "ICSMA qualified versions (with Wireless Battery Modules)",
			file: "icsma-20-170-04.json",
			head: cisaHead("ICSMA-20-170-04", "icsma-20-170-04.json", "Baxter Sigma Spectrum Infusion Pumps (Update B)", cisaDeskLong,
				day(2020, 6, 18), day(2020, 6, 23), icsmaPage+"icsma-20-170-04"),
			summary: "Successful exploitation of these vulnerabilities could result in access to sensitive data",
			vulns: []csafVulnRow{
				{CVE: "CVE-2020-12039", CWE: "CWE-259", CVSS: 4.3, Vector: "CVSS:3.0/AV:P/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L", Exploitation: "none", Statuses: strings.Repeat("known_affected ", 5) + "known_affected"},
				{CVE: "CVE-2020-12040", CWE: "CWE-319", CVSS: 7.3, Vector: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L", Exploitation: "none", Statuses: strings.Repeat("known_affected ", 5) + "known_affected"},
				{CVE: "CVE-2020-12045", CWE: "CWE-259", CVSS: 8.6, Vector: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:H", Exploitation: "none", Statuses: strings.Repeat("known_affected ", 5) + "known_affected"},
				{CVE: "CVE-2020-12041", CWE: "CWE-732", CVSS: 8.6, Vector: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:H", Exploitation: "none", Statuses: strings.Repeat("known_affected ", 5) + "known_affected"},
				{CVE: "CVE-2020-12047", CWE: "CWE-259", CVSS: 7.3, Vector: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L", Exploitation: "none", Statuses: strings.Repeat("known_affected ", 5) + "known_affected"},
				{CVE: "CVE-2020-12043", CWE: "CWE-672", CVSS: 7.3, Vector: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L", Exploitation: "none", Statuses: strings.Repeat("known_affected ", 5) + "known_affected"},
			},
			affects: []Affect{
				{
					ProductID: "CSAFPID-0001",
					Product:   Identity{Vendor: "Baxter", Name: "Baxter Spectrum", Display: "Baxter Spectrum: v8.x model 35700BAX2"},
					Ranges:    []Range{{Status: StatusKnownAffected, Text: "v8.x model 35700BAX2"}},
				},
				{
					ProductID: "CSAFPID-0002",
					Product: Identity{Vendor: "Baxter", Name: "Sigma Spectrum LVP",
						Display: "Sigma Spectrum LVP: v6.x with Wireless Battery Modules v9 v11 v13 v14 v15 v16 v16D38 v17 v17D19 v20D29 to v20D32 and v22D24 to v22D28"},
					Ranges: []Range{{Status: StatusKnownAffected, Exact: []string{"v6.x"}, Qualified: true,
						Text: "v6.x (with Wireless Battery Modules v9 | v11 | v13 | v14 | v15 | v16 | v16D38 | v17 | v17D19 | >= v20D29 | <= v20D32 | >= v22D24 | <= v22D28)"}},
				},
				{
					ProductID: "CSAFPID-0003",
					Product:   Identity{Vendor: "Baxter", Name: "Sigma Spectrum", Display: "Sigma Spectrum: v6.x model 35700BAX"},
					Ranges:    []Range{{Status: StatusKnownAffected, Text: "v6.x model 35700BAX"}},
				},
				{
					ProductID: "CSAFPID-0004",
					Product: Identity{Vendor: "Baxter", Name: "Baxter Spectrum LVP",
						Display: "Baxter Spectrum LVP: v8.x with Wireless Battery Modules v17 v17D19 v20D29 to v20D32 and v22D24 to v22D28"},
					Ranges: []Range{{Status: StatusKnownAffected, Exact: []string{"v8.x"}, Qualified: true,
						Text: "v8.x (with Wireless Battery Modules v17 | v17D19 | >= v20D29 | <= v20D32 | >= v22D24 | <= v22D28)"}},
				},
				{
					ProductID: "CSAFPID-0005",
					Product:   Identity{Vendor: "Baxter", Name: "Baxter Spectrum", Display: "Baxter Spectrum: v9.x model 35700BAX3"},
					Ranges:    []Range{{Status: StatusKnownAffected, Text: "v9.x model 35700BAX3"}},
				},
				{
					ProductID: "CSAFPID-0006",
					Product: Identity{Vendor: "Baxter", Name: "Baxter Spectrum LVP",
						Display: "Baxter Spectrum LVP: v9.x with Wireless Battery Module v22D19 to v22D28"},
					Ranges: []Range{{Status: StatusKnownAffected, Exact: []string{"v9.x"}, Qualified: true,
						Text: "v9.x (with Wireless Battery Module >= v22D19 | <= v22D28)"}},
				},
			},
			remedies: func() []csafRemedyRow {
				all := []string{"CSAFPID-0001", "CSAFPID-0002", "CSAFPID-0003", "CSAFPID-0004", "CSAFPID-0005", "CSAFPID-0006"}
				rows := make([]csafRemedyRow, 6, 7)
				for i := range rows {
					rows[i] = csafRemedyRow{RemedyVendorFix, "", all}
				}
				return append(rows, csafRemedyRow{RemedyVendorFix, "https://www.baxter.com/product-security#additionalresources", all})
			}(),
		},
		{
			name: "ICSA known_affected and fixed",
			file: "icsa-24-289-02.json",
			head: cisaHead("ICSA-24-289-02", "icsa-24-289-02.json", "Schneider Electric Data Center Expert", cisaCentral,
				day(2024, 10, 8), day(2024, 10, 8),
				"https://download.schneider-electric.com/files?p_Doc_Ref=SEVD-2024-282-01&p_enDocType=Security+and+Safety+Notice&p_File_Name=sevd-2024-282-01.pdf"),
			summary: "Schneider Electric is aware of a vulnerability in its Data Center Expert product.",
			vulns: []csafVulnRow{
				{CVE: "CVE-2024-8531", CWE: "CWE-347", CVSS: 7.2, Vector: "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", Statuses: "known_affected fixed"},
				{CVE: "CVE-2024-8530", CWE: "CWE-306", CVSS: 5.9, Vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", Statuses: "known_affected fixed"},
			},
			affects: []Affect{
				{
					ProductID: "CSAFPID-0001",
					Product: Identity{Vendor: "Schneider Electric", Name: "Data Center Expert",
						Display: "Schneider Electric Data Center Expert Versions 8.1.1.3 and prior"},
					Ranges: []Range{{Status: StatusKnownAffected, LastAffected: "8.1.1.3", Text: "<=8.1.1.3"}},
				},
				{
					ProductID: "CSAFPID-0002",
					Product:   Identity{Vendor: "Schneider Electric", Name: "Data Center Expert", Display: "Schneider Electric Data Center Expert 8.2"},
					Ranges:    []Range{{Status: StatusFixed, Exact: []string{"8.2"}, Text: "8.2"}},
				},
			},
			remedies: []csafRemedyRow{
				{RemedyVendorFix, "", []string{"CSAFPID-0001"}},
				{RemedyMitigation, "", []string{"CSAFPID-0001"}},
			},
		},
		{
			name: "ICSA model_numbers helper and none_available",
			file: "icsa-24-284-12.json",
			head: cisaHead("ICSA-24-284-12", "icsa-24-284-12.json", "Siemens Sentron Powercenter 1000", cisaCentral,
				day(2024, 10, 8), day(2024, 10, 8), "https://cert-portal.siemens.com/productcert/html/ssa-340240.html"),
			summary: "A vulnerability in Sentron Powercenter 1000 with 3RV2921-5M accessory",
			vulns: []csafVulnRow{{CVE: "CVE-2023-6874", CWE: "CWE-754", CVSS: 8.6, Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:H",
				Statuses: "known_affected"}},
			affects: []Affect{{
				ProductID: "CSAFPID-0001",
				Product: Identity{Vendor: "Siemens", Name: "SENTRON Powercenter 1000 (7KN1110-0MC00)", Models: []string{"7KN1110-0MC00"},
					Display: "SENTRON Powercenter 1000 (7KN1110-0MC00)"},
				Ranges: []Range{{Status: StatusKnownAffected, All: true, Text: "vers:all/*"}},
			}},
			remedies: []csafRemedyRow{
				{RemedyMitigation, "", []string{"CSAFPID-0001"}},
				{RemedyNoneAvailable, "", []string{"CSAFPID-0001"}},
			},
		},
		{
			name: "ICSA actively exploited",
			file: "icsa-24-030-04.json",
			head: cisaHead("ICSA-24-030-04", "icsa-24-030-04.json", "Hitron Systems Security Camera DVR", cisaCentral,
				time.Date(2024, 1, 30, 7, 0, 0, 0, time.UTC), time.Date(2024, 1, 30, 7, 0, 0, 0, time.UTC),
				"https://www.cisa.gov/news-events/ics-advisories/icsa-24-030-04"),
			summary: "Successful exploitation of these vulnerabilities could allow an attacker to affect the availability",
			vulns: func() []csafVulnRow {
				var rows []csafVulnRow
				for _, cve := range []string{"CVE-2024-22768", "CVE-2024-22769", "CVE-2024-22770", "CVE-2024-22771", "CVE-2024-22772", "CVE-2024-23842"} {
					rows = append(rows, csafVulnRow{CVE: cve, CWE: "CWE-20", CVSS: 7.4, Vector: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:H",
						Exploitation: "active", Statuses: "known_affected"})
				}
				return rows
			}(),
			affects: []Affect{{
				ProductID: "CSAFPID-0001",
				Product:   Identity{Vendor: "Hitron Systems", Name: "DVR HVR-4781", Display: "Hitron Systems DVR HVR-4781: >=1.03|<=4.02"},
				Ranges:    []Range{{Status: StatusKnownAffected, Introduced: "1.03", LastAffected: "4.02", Text: ">=1.03|<=4.02"}},
			}},
			remedies: []csafRemedyRow{
				{RemedyMitigation, "", []string{"CSAFPID-0001"}},
				{RemedyVendorFix, "http://www.hitron.co.kr/firmware/?uid=123&mod=document&pageid=1", []string{"CSAFPID-0001"}},
				{RemedyMitigation, "https://knvd.krcert.or.kr/detailSecNo.do?IDX=6092", []string{"CSAFPID-0001"}},
			},
		},
		{
			name: "VEX with every status",
			file: "2022-evd-uc-03-ms-001.json",
			head: Advisory{ID: "2022-EVD-UC-03-MS-001", Format: "csaf", Source: "2022-evd-uc-03-ms-001.json",
				Title: "Example VEX Document Use Case 3 - Multiple statuses", Publisher: "Example Company ProductCERT",
				Published: time.Date(2022, 3, 3, 11, 0, 0, 0, time.UTC), Updated: time.Date(2022, 3, 3, 11, 0, 0, 0, time.UTC)},
			summary: "Example Company VEX document.",
			vulns: func() []csafVulnRow {
				statuses := []Status{
					StatusUnderInvestigation, StatusKnownNotAffected, StatusKnownAffected, StatusKnownNotAffected, // 11896-11899
					StatusUnderInvestigation, StatusFixed, StatusKnownNotAffected, StatusUnderInvestigation, // 11900-11903
					StatusUnderInvestigation, StatusKnownNotAffected, StatusKnownNotAffected, StatusKnownAffected, // 11904-11907
					StatusUnderInvestigation, StatusKnownAffected, StatusKnownAffected, StatusKnownAffected, // 11908-11911
					StatusFixed, StatusKnownNotAffected, StatusFixed, // 11912-11914
				}
				var rows []csafVulnRow
				for i, st := range statuses {
					rows = append(rows, csafVulnRow{CVE: "CVE-2020-" + strconv.Itoa(11896+i), Statuses: string(st)})
				}
				return rows
			}(),
			affects: []Affect{{
				ProductID: "CSAFPID-0001",
				Product:   Identity{Vendor: "Example Company", Name: "GHI", Display: "Example Company GHI 17.4"},
				Ranges:    []Range{{Status: StatusUnderInvestigation, Exact: []string{"17.4"}, Text: "17.4"}},
			}},
		},
		{
			name: "cpe helper, first_fixed and fixed merged, ids as aliases",
			file: "bsi-2022-0001.json",
			head: Advisory{ID: "BSI-2022-0001", Format: "csaf", Source: "bsi-2022-0001.json",
				Title:     "CVRF-CSAF-Converter: XML External Entities Vulnerability",
				Publisher: "Bundesamt für Sicherheit in der Informationstechnik", TLP: "WHITE",
				Published: time.Date(2022, 3, 17, 13, 3, 42, 105e6, time.UTC), Updated: time.Date(2022, 3, 17, 13, 3, 42, 105e6, time.UTC)},
			vulns: []csafVulnRow{{CVE: "CVE-2022-27193", Aliases: []string{"csaf-tools/CVRF-CSAF-Converter#78"}, CWE: "CWE-611", CVSS: 6.1,
				Vector:   "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:L/E:F/RL:O/RC:C",
				Statuses: strings.Repeat("known_affected ", 5) + "fixed"}},
			affects: func() []Affect {
				var out []Affect
				for i, v := range []string{"1.0.0-alpha", "1.0.0-dev1", "1.0.0-dev2", "1.0.0-dev3", "1.0.0-rc1", "1.0.0-rc2"} {
					st := StatusKnownAffected
					if i == 5 {
						st = StatusFixed
					}
					out = append(out, Affect{
						ProductID: "CSAFPID-000" + strconv.Itoa(i+1),
						Product: Identity{Vendor: "CSAF Tools", Name: "CVRF-CSAF-Converter",
							CPEs: []string{"cpe:/a:csaf-tools:cvrf-csaf-converter:" + v}, Display: "CSAF Tools CVRF-CSAF-Converter " + v},
						Ranges: []Range{{Status: st, Exact: []string{v}, Text: v}},
					})
				}
				return out
			}(),
			remedies: []csafRemedyRow{{RemedyVendorFix, "https://github.com/csaf-tools/CVRF-CSAF-Converter/releases/tag/1.0.0-rc2",
				[]string{"CSAFPID-0001", "CSAFPID-0002", "CSAFPID-0003", "CSAFPID-0004", "CSAFPID-0005"}}},
		},
		{
			name: "product on a product_family branch",
			file: "rhsa-2021_5217.json",
			head: Advisory{ID: "RHSA-2021:5217", Format: "csaf", Source: "rhsa-2021_5217.json",
				Title:     "Red Hat Security Advisory: Red Hat Single Sign-On 7.5.0 security update",
				Publisher: "Red Hat Product Security", Contact: "https://access.redhat.com/security/team/contact/", TLP: "WHITE",
				URL:       "https://access.redhat.com/errata/RHSA-2021:5217",
				Published: time.Date(2021, 12, 20, 16, 16, 0, 0, time.UTC), Updated: time.Date(2021, 12, 20, 16, 16, 0, 0, time.UTC)},
			summary: "A security update is now available for Red Hat Single Sign-On",
			vulns: []csafVulnRow{{CVE: "CVE-2021-4133", Aliases: []string{"https://bugzilla.redhat.com/show_bug.cgi?id=2033602"},
				CWE: "CWE-863", Statuses: "fixed"}},
			affects: []Affect{{
				ProductID: "Red Hat Single Sign-On",
				Product:   Identity{Vendor: "Red Hat", Name: "Red Hat Single Sign-On", Display: "Red Hat Single Sign-On"},
				Ranges:    []Range{{Status: StatusFixed, All: true}},
			}},
			remedies: []csafRemedyRow{{RemedyVendorFix, "https://access.redhat.com/errata/RHSA-2021:5217", []string{"Red Hat Single Sign-On"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := mustReadCSAFFile(t, tt.file)

			head := *got
			head.Summary, head.Vulnerabilities = "", nil
			if diff := cmp.Diff(tt.head, head); diff != "" {
				t.Errorf("ReadCSAF(%s) header mismatch (-want +got):\n%s", tt.file, diff)
			}
			if !strings.HasPrefix(got.Summary, tt.summary) || (tt.summary == "") != (got.Summary == "") {
				t.Errorf("ReadCSAF(%s) Summary = %q, want prefix %q", tt.file, got.Summary, tt.summary)
			}
			if diff := cmp.Diff(tt.vulns, csafVulnRows(got), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ReadCSAF(%s) vulnerabilities mismatch (-want +got):\n%s", tt.file, diff)
			}
			if len(got.Vulnerabilities) == 0 {
				return
			}
			first := &got.Vulnerabilities[0]
			if diff := cmp.Diff(tt.affects, first.Affects, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ReadCSAF(%s) affects of %s mismatch (-want +got):\n%s", tt.file, first.ID(), diff)
			}
			if diff := cmp.Diff(tt.remedies, csafRemedyRows(first), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ReadCSAF(%s) remediations of %s mismatch (-want +got):\n%s", tt.file, first.ID(), diff)
			}
		})
	}
}

func TestReadCSAF_Relationships(t *testing.T) {
	t.Parallel()
	// ICSA-24-235-03 (Mobotix) states every status through installed_on
	// relationships: firmware versions installed on camera models.
	got := mustReadCSAFFile(t, "icsa-24-235-03.json")
	if len(got.Vulnerabilities) != 1 {
		t.Fatalf("ReadCSAF() vulnerabilities = %d, want 1", len(got.Vulnerabilities))
	}
	v := &got.Vulnerabilities[0]
	count := map[Status]int{}
	byID := map[string]Affect{}
	for _, a := range v.Affects {
		for _, r := range a.Ranges {
			count[r.Status]++
		}
		byID[a.ProductID] = a
	}
	// 439 fixed, 644 known_affected, 200 known_not_affected; the 33
	// recommended ids are all among the fixed ones and merge into them.
	wantCount := map[Status]int{StatusFixed: 439, StatusKnownAffected: 644, StatusKnownNotAffected: 200}
	if diff := cmp.Diff(wantCount, count); diff != "" {
		t.Errorf("range statuses mismatch (-want +got):\n%s", diff)
	}
	if len(v.Affects) != 1283 {
		t.Errorf("affects = %d, want 1283", len(v.Affects))
	}

	d24m := []Identity{{Vendor: "Mobotix", Name: "D24M", Display: "Mobotix P3 D24M"}}
	firmware := func(pid, version, hash string, st Status) Affect {
		a := Affect{
			ProductID: pid,
			Product: Identity{Vendor: "Mobotix", Name: "P3 Firmware",
				Display: "Mobotix P3 Firmware " + version + " installed on Mobotix P3 D24M"},
			Ranges:    []Range{{Status: st, Exact: []string{version}, Text: version}},
			Platforms: d24m,
		}
		if hash != "" {
			a.Product.Hashes = []string{hash}
		}
		return a
	}
	tests := []struct {
		name string
		want Affect
	}{
		{"known_affected", firmware("CSAFPID-0309", "MX-V4.1.4.11", "", StatusKnownAffected)},
		{"known_affected with md5 helper", firmware("CSAFPID-0749", "MX-V4.4.2.34", "md5:837fee628c1545a317aa3bbf7a2364ae", StatusKnownAffected)},
		{"fixed", firmware("CSAFPID-0829", "MX-V4.7.2.18", "md5:69e55d337d74a9e2dc2c6d1f0a8c75ae", StatusFixed)},
		{"known_not_affected", firmware("CSAFPID-0109", "MX-V4.0.1.15", "", StatusKnownNotAffected)},
		{"fixed and recommended, sha256 helper", firmware("CSAFPID-0949", "MX-V4.7.3.11-r6",
			"sha256:9c816f14cc0196432aaa599dfb77e9682ada300d146f7967b4b72d166dbf2897", StatusFixed)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, byID[tt.want.ProductID]); diff != "" {
				t.Errorf("affect %s mismatch (-want +got):\n%s", tt.want.ProductID, diff)
			}
		})
	}
	if n := len(v.Remediations); n != 2 || len(v.Remediations[0].ProductIDs) != 540 || v.Remediations[0].Category != RemedyVendorFix {
		t.Errorf("remediations = %d, first %s for %d products; want 2, vendor_fix for 540", n, v.Remediations[0].Category, len(v.Remediations[0].ProductIDs))
	}
}

// csafWantErr fails t unless err is nil when want is, or else wraps want,
// starts with prefix and contains msg.
func csafWantErr(t *testing.T, call string, err, want error, prefix, msg string) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("%s error = %v, want nil", call, err)
		}
		return
	}
	if !errors.Is(err, want) || !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), msg) {
		t.Fatalf("%s error = %v, want %v starting %q containing %q", call, err, want, prefix, msg)
	}
}

// derivedCSAF reads a testdata document and changes it with edit before
// encoding it again, for cases no real document shows.
func derivedCSAF(tb testing.TB, file string, edit func(doc map[string]any)) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(csafTestdata, file))
	if err != nil {
		tb.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		tb.Fatal(err)
	}
	edit(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestReadCSAF_ProductGroups(t *testing.T) {
	t.Parallel()
	// The OASIS test 6.1.27.9 (valid example 1) defines group CSAFGID-0001 =
	// products A and B; the edit adds remediations by group and a status
	// listing the group id itself.
	data := derivedCSAF(t, "oasis_csaf_tc-csaf_2_0-2021-6-1-27-09-11.json", func(doc map[string]any) {
		v := doc["vulnerabilities"].([]any)[0].(map[string]any)
		v["product_status"] = map[string]any{
			"known_not_affected": []any{"CSAFPID-9080702"},
			"known_affected":     []any{"CSAFGID-0001"},
		}
		v["remediations"] = []any{
			map[string]any{"category": "vendor_fix", "details": "update", "group_ids": []any{"CSAFGID-0001"}},
			map[string]any{"category": "workaround", "details": "isolate", "product_ids": []any{"CSAFPID-9080702"}, "group_ids": []any{"CSAFGID-0001"}},
			map[string]any{"category": "no_fix_planned", "details": "none", "group_ids": []any{"CSAFGID-9999"}},
			map[string]any{"category": "mitigation", "details": "all of them"},
		}
	})
	advs, err := ReadCSAF(t.Context(), "groups", data, Options{})
	if err != nil {
		t.Fatalf("ReadCSAF() error = %v", err)
	}
	v := &advs[0].Vulnerabilities[0]
	wantAffects := []Affect{
		{ProductID: "CSAFPID-9080700", Product: Identity{Name: "Product A", Display: "Product A"}, Ranges: []Range{{Status: StatusKnownAffected, All: true}}},
		{ProductID: "CSAFPID-9080701", Product: Identity{Name: "Product B", Display: "Product B"}, Ranges: []Range{{Status: StatusKnownAffected, All: true}}},
		{ProductID: "CSAFPID-9080702", Product: Identity{Name: "Product C", Display: "Product C"}, Ranges: []Range{{Status: StatusKnownNotAffected, All: true}}},
	}
	if diff := cmp.Diff(wantAffects, v.Affects); diff != "" {
		t.Errorf("affects mismatch (-want +got):\n%s", diff)
	}
	wantRemedies := []csafRemedyRow{
		{RemedyVendorFix, "", []string{"CSAFPID-9080700", "CSAFPID-9080701"}},
		{RemedyWorkaround, "", []string{"CSAFPID-9080702", "CSAFPID-9080700", "CSAFPID-9080701"}},
		{RemedyNoFixPlanned, "", []string{"CSAFGID-9999"}}, // unknown group: applies to nothing, never to all
		{RemedyMitigation, "", nil},
	}
	if diff := cmp.Diff(wantRemedies, csafRemedyRows(v)); diff != "" {
		t.Errorf("remediations mismatch (-want +got):\n%s", diff)
	}
}

func TestReadCSAF_Invalid(t *testing.T) {
	t.Parallel()
	readFile := func(file string) []byte {
		data, err := os.ReadFile(filepath.Join(csafTestdata, file))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	valid := readFile("icsma-17-017-01.json")
	// deep nests the first vendor branch under n product_family branches.
	deep := func(n int) []byte {
		return derivedCSAF(t, "icsma-17-017-01.json", func(doc map[string]any) {
			tree := doc["product_tree"].(map[string]any)
			b := tree["branches"].([]any)
			for i := range n {
				b = []any{map[string]any{"category": "product_family", "name": "level " + strconv.Itoa(i), "branches": b}}
			}
			tree["branches"] = b
		})
	}
	tests := []struct {
		name    string
		data    []byte
		want    error
		wantMsg string // part of the message
	}{
		{"OASIS 6.1.8 cvss_v3 without baseSeverity", readFile("invalid/oasis_csaf_tc-csaf_2_0-2021-6-1-08-01.json"), ErrInvalid,
			"/vulnerabilities/0/scores/0/cvss_v3: missing property 'baseSeverity'"},
		{"OASIS 6.2.20 additional property", readFile("invalid/oasis_csaf_tc-csaf_2_0-2021-6-2-20-01.json"), ErrInvalid,
			"/document: additional properties 'custom_property' not allowed"},
		{"not JSON", []byte("<html>"), ErrInvalid, "invalid character"},
		{"empty", nil, ErrInvalid, "EOF"},
		{"JSON but not CSAF", []byte(`{"id":"GO-2023-0001"}`), ErrInvalid, "missing property 'document'"},
		{"trailing data", append(append([]byte{}, valid...), "{}"...), ErrInvalid, "data after the JSON document"},
		{"too large", make([]byte, maxCSAFSize+1), ErrTooLarge, "exceeds"},
		{"JSON nested too deep", []byte(strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1)), ErrTooLarge, "nested deeper"},
		{"branches nested too deep", deep(maxBranchDepth), ErrTooLarge, "branches nested deeper than 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadCSAF(t.Context(), "x.json", tt.data, Options{})
			csafWantErr(t, "ReadCSAF()", err, tt.want, "csaf: ", tt.wantMsg)
			if got != nil {
				t.Errorf("ReadCSAF() = %v, want nil on error", got)
			}
		})
	}

	t.Run("deep but within bounds", func(t *testing.T) {
		t.Parallel()
		advs, err := ReadCSAF(t.Context(), "deep.json", deep(maxBranchDepth-3), Options{})
		if err != nil {
			t.Fatalf("ReadCSAF() error = %v", err)
		}
		if a := advs[0].Vulnerabilities[0].Affects[0]; a.Product.Vendor != "Becton, Dickinson and Company (BD)" || a.Product.Name != "Alaris 8000 PC unit" {
			t.Errorf("ReadCSAF() product = %+v, want BD Alaris 8000 PC unit", a.Product)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := ReadCSAF(ctx, "x.json", valid, Options{}); !errors.Is(err, context.Canceled) {
			t.Errorf("ReadCSAF() error = %v, want context.Canceled", err)
		}
	})
}

func TestCSAFExploitation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want string
	}{
		{"ICSMA Exploitability note", "No known public exploits specifically target this vulnerability. This vulnerability has a high attack complexity.", "none"},
		{"ICSA-2024 recommended practices", "No known public exploitation specifically targeting these vulnerabilities has been reported to CISA at this time.", "none"},
		{"ICSA-24-030-04", "CISA has received reports of this vulnerability being actively exploited.", "active"},
		{"ICSA-24-074-05 HTTP/2 rapid reset", "The HTTP/2 protocol allows a denial of service (server resource consumption) because request cancellation can reset many streams quickly, as exploited in the wild in August through October 2023.", "active"},
		{"public exploit code", "Exploit code is publicly available for this vulnerability.", "poc"},
		{"Metasploit (OASIS 6.1.4 threat)", "Reliable exploits integrated in Metasploit.", "poc"},
		{"negated active", "This vulnerability has not been exploited in the wild.", ""},
		{"most serious wins", "No known public exploits specifically target this vulnerability. It is known to be exploited by ransomware.", "active"},
		{"risk wording is not a claim", "CISA recommends users take defensive measures to minimize the risk of exploitation of this vulnerability.", ""},
		{"not exploitable remotely", "This vulnerability is not exploitable remotely.", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := csafExploitation(tt.text); got != tt.want {
				t.Errorf("csafExploitation(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestReadCSAF_AllCISA(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"cisa-icsma", "cisa-icsa-2024"} {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			root := testenv.SharedData(t, "csaf", dir)
			files, affects, fixed, text := 0, 0, 0, 0
			err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() || filepath.Ext(path) != ".json" {
					return err
				}
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				advs, err := ReadCSAF(t.Context(), path, data, Options{})
				if err != nil {
					t.Errorf("ReadCSAF(%s) error = %v", path, err)
					return nil
				}
				files++
				a := advs[0]
				if a.ID == "" || len(a.Vulnerabilities) == 0 {
					t.Errorf("ReadCSAF(%s) = id %q with %d vulnerabilities, want an id and at least one", path, a.ID, len(a.Vulnerabilities))
				}
				for _, v := range a.Vulnerabilities {
					if len(v.Affects) == 0 {
						t.Errorf("ReadCSAF(%s) %s has no affects", path, v.ID())
					}
					for _, af := range v.Affects {
						affects++
						r := af.Ranges[0]
						if r.Status == StatusFixed {
							fixed++
						}
						if !r.All && r.Exact == nil && r.Vers == "" && r.Introduced == "" && r.Fixed == "" && r.LastAffected == "" {
							text++
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if files == 0 {
				t.Fatalf("no .json files under %s", root)
			}
			t.Logf("%s: %d files, %d affects (%d fixed, %d with text-only versions)", dir, files, affects, fixed, text)
		})
	}
}
