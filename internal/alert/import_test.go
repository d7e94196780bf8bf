package alert_test

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/testenv"
)

func readShared(t *testing.T, elem ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(testenv.SharedData(t, elem...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hasIndicator(a *alert.Alert, typ, value string) bool {
	return slices.Contains(a.Indicators, alert.Indicator{Type: typ, Value: value})
}

func TestFromSTIX(t *testing.T) {
	// The OASIS Poison Ivy report: indicators in compound patterns and six
	// vulnerabilities.
	imp, err := alert.FromSTIX(readShared(t, "stix", "oasis", "examples", "threat-reports", "poisonivy.json"))
	if err != nil {
		t.Fatalf("FromSTIX(poisonivy) = %v", err)
	}
	a := imp.Alert
	if a.Title != "Poison Ivy: Assessing Damage and Extracting Intelligence" {
		t.Errorf("title = %q, want the report's name", a.Title)
	}
	if !hasIndicator(a, "ipv4", "219.76.208.163") || !hasIndicator(a, "domain", "www.webserver.dynssl.com") {
		t.Errorf("indicators = %v, want those of the patterns, OR-ed ones included", a.Indicators)
	}
	if len(a.CVEs) != 6 || !slices.Contains(a.CVEs, "CVE-2012-0158") {
		t.Errorf("CVEs = %v, want the six vulnerabilities", a.CVEs)
	}
	if a.TLP != alert.TLPAmber {
		t.Errorf("TLP = %s, want AMBER for a bundle without markings", a.TLP)
	}
	seen := map[alert.Indicator]bool{}
	for _, in := range a.Indicators {
		if seen[in] {
			t.Errorf("indicator %v twice", in)
		}
		seen[in] = true
	}

	// APT1: address ranges written as ipv4-addr values become CIDRs.
	imp, err = alert.FromSTIX(readShared(t, "stix", "oasis", "examples", "threat-reports", "apt1.json"))
	if err != nil {
		t.Fatalf("FromSTIX(apt1) = %v", err)
	}
	if !hasIndicator(imp.Alert, "cidr", "223.166.0.0/15") || !hasIndicator(imp.Alert, "domain", "hugesoft.org") {
		t.Errorf("apt1 indicators = %v", imp.Alert.Indicators)
	}

	// A single indicator: its name is the title.
	imp, err = alert.FromSTIX(readShared(t, "stix", "oasis", "examples", "indicator-for-c2-ip-address.json"))
	if err != nil {
		t.Fatalf("FromSTIX(c2) = %v", err)
	}
	if imp.Alert.Title != "IP Address for known C2 channel" || !hasIndicator(imp.Alert, "ipv4", "10.0.0.0") {
		t.Errorf("c2 = %+v", imp.Alert)
	}
}

func TestFromSTIX_TLPAndErrors(t *testing.T) {
	// TLP 1.0 RED on one object makes the draft RED, with a notice to name
	// its organisations.
	bundle := `{"type":"bundle","objects":[
	 {"type":"indicator","id":"indicator--1","name":"Bad host","pattern":"[domain-name:value = 'evil.example.net']","pattern_type":"stix",
	  "object_marking_refs":["marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"]},
	 {"type":"indicator","id":"indicator--2","name":"x","pattern":"[process:name = 'a.exe']","pattern_type":"stix"},
	 {"type":"indicator","id":"indicator--3","name":"y","pattern":"alert tcp any any","pattern_type":"snort"}]}`
	imp, err := alert.FromSTIX([]byte(bundle))
	if err != nil {
		t.Fatalf("FromSTIX() = %v", err)
	}
	if imp.Alert.TLP != alert.TLPRed {
		t.Errorf("TLP = %s, want RED", imp.Alert.TLP)
	}
	notices := strings.Join(imp.Notices, "\n")
	for _, want := range []string{"indicator--2: nothing ward can match", `indicator--3: pattern type "snort"`, "name the organisations"} {
		if !strings.Contains(notices, want) {
			t.Errorf("notices = %q, want %q", notices, want)
		}
	}
	for _, bad := range []string{`{`, `{"type":"indicator"}`, `{"type":"bundle","objects":[]}`, `[]`} {
		if _, err := alert.FromSTIX([]byte(bad)); !errors.Is(err, alert.ErrInvalid) {
			t.Errorf("FromSTIX(%s) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestFromMISP(t *testing.T) {
	imp, err := alert.FromMISP(readShared(t, "misp", "events", "tests", "57c4445b-c548-4654-af0b-4be3950d210f.json"))
	if err != nil {
		t.Fatalf("FromMISP(xorist) = %v", err)
	}
	a := imp.Alert
	if a.Title != "Ransomware - Xorist" || a.TLP != alert.TLPClear || a.Severity != alert.Low {
		t.Errorf("draft = %q TLP:%s %s, want the event's info, tlp:white as CLEAR, threat level 3 as low", a.Title, a.TLP, a.Severity)
	}
	if !hasIndicator(a, "md5", "0749bae92ca336a02c83d126e04ec628") {
		t.Errorf("indicators = %v, want the md5", a.Indicators)
	}
	if !slices.Contains(a.References, "http://www.xylibox.com/2011/06/have-fun-with-trojan-ransomwin32xorist.html") {
		t.Errorf("references = %v, want the links", a.References)
	}
	if !strings.Contains(strings.Join(imp.Notices, "\n"), "filename attribute(s) not carried over") {
		t.Errorf("notices = %v, want the attributes left out named", imp.Notices)
	}

	imp, err = alert.FromMISP(readShared(t, "misp", "events", "tests", "misp_event.json"))
	if err != nil {
		t.Fatalf("FromMISP(misp_event) = %v", err)
	}
	if imp.Alert.Severity != alert.High || !hasIndicator(imp.Alert, "url", "http://fake.website.com/malware/is/here") {
		t.Errorf("misp_event draft = %+v", imp.Alert)
	}
	if _, err := alert.FromMISP([]byte(`{"Event":{"info":""}}`)); !errors.Is(err, alert.ErrInvalid) {
		t.Errorf("FromMISP(no info) = %v, want ErrInvalid", err)
	}
}

func FuzzFromSTIX(f *testing.F) {
	for _, name := range []string{"testdata/stix-c2.json", "testdata/stix-red.json"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		imp, err := alert.FromSTIX(data)
		if err == nil && imp.Alert.Title == "" {
			t.Fatal("a draft without a title")
		}
	})
}

func FuzzFromMISP(f *testing.F) {
	if b, err := os.ReadFile("testdata/misp-event.json"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		imp, err := alert.FromMISP(data)
		if err == nil {
			for _, in := range imp.Alert.Indicators {
				if in.Validate() != nil {
					t.Fatalf("a draft with an invalid indicator %v", in)
				}
			}
		}
	})
}

// TestToSTIX_RoundTrip writes a published alert as STIX 2.1 and reads it
// back: what ward sends over TAXII is what ward (and so MISP or OpenCTI)
// can read.
func TestToSTIX_RoundTrip(t *testing.T) {
	base, err := os.ReadFile("testdata/alert.json")
	if err != nil {
		t.Fatal(err)
	}
	a, err := alert.Parse(strings.NewReader(string(base)))
	if err != nil {
		t.Fatal(err)
	}
	a.ID, a.Issued, a.Sequence = "WA-2026-000042", time.Date(2026, 12, 5, 9, 5, 0, 0, time.UTC), 42
	a.Indicators = append(a.Indicators, alert.Indicator{Type: "url", Value: "https://x.example.net/it's"})
	creator := alert.STIXIdentity("Health Sector Support Centre")
	objects := append([]alert.STIXObject{creator}, a.ToSTIX(creator["id"].(string))...)
	bundle, err := json.Marshal(map[string]any{"type": "bundle", "id": alert.STIXID("bundle", a.ID), "objects": objects})
	if err != nil {
		t.Fatal(err)
	}
	imp, err := alert.FromSTIX(bundle)
	if err != nil {
		t.Fatalf("FromSTIX(ToSTIX()) = %v", err)
	}
	got := imp.Alert
	if got.Title != a.Title || got.TLP != a.TLP || !slices.Equal(got.CVEs, a.CVEs) || !slices.Equal(got.Indicators, a.Indicators) {
		t.Errorf("round trip:\n got  %q %s %v %v\n want %q %s %v %v", got.Title, got.TLP, got.CVEs, got.Indicators, a.Title, a.TLP, a.CVEs, a.Indicators)
	}
	if len(imp.Notices) != 0 {
		t.Errorf("notices = %v, want none", imp.Notices)
	}
	// Ids are stable: the same alert makes the same objects.
	again := a.ToSTIX(creator["id"].(string))
	for i, o := range a.ToSTIX(creator["id"].(string)) {
		if o["id"] != again[i]["id"] {
			t.Errorf("object %d: id %v then %v", i, o["id"], again[i]["id"])
		}
	}
}
