package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/engine"
)

// upload posts file as the multipart form of the import page.
func (c *client) upload(name, content string) response {
	c.t.Helper()
	tok := c.csrf("/assets/import")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("csrf", tok); err != nil {
		c.t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		c.t.Fatal(err)
	}
	fw.Write([]byte(content))
	mw.Close()
	req, err := http.NewRequestWithContext(c.t.Context(), http.MethodPost, c.base+"/assets/import", &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

var tokenRE = regexp.MustCompile(`name="token" value="([^"]+)"`)

func (f *fixture) assetCount(org string) int {
	f.t.Helper()
	return len(must(engine.AllAssets(f.t.Context(), f.st, org))(f.t))
}

const goodCSV = "id,name,vendor,product,version,zone\n" +
	"router-1,Router,AVM,FRITZ!Box,7.50,office\n" +
	"ultra-1,Ultrasound,GE HealthCare,Vivid,201,clinical\n"

func TestImport_BadRowSavesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	c := f.signedIn("anna@example.org")
	before := f.assetCount(f.practice.ID)
	csv := "id,name,vendor,product,version,clinical_role\n" +
		"ok-1,Fine,Philips,IntelliVue,1.0,diagnostic\n" +
		"bad-1,Bad role,Philips,IntelliVue,1.0,very important\n" +
		"ok-2,Fine too,Philips,IntelliVue,1.0,\n" +
		"bad-2,No product,,,,\n"
	res := c.upload("inventory.csv", csv)
	if res.Code != http.StatusUnprocessableEntity {
		t.Fatalf("upload with bad rows = %d, want 422:\n%s", res.Code, res.Body)
	}
	for _, want := range []string{"Nothing was saved: 2 problems", "line 3", "clinical_role", "line 5"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("preview lacks %q:\n%s", want, res.Body)
		}
	}
	if tokenRE.MatchString(res.Body) || strings.Contains(res.Body, "/assets/import/confirm") {
		t.Errorf("a preview with bad rows offers to save it")
	}
	if after := f.assetCount(f.practice.ID); after != before {
		t.Errorf("assets after a bad upload = %d, want %d", after, before)
	}
}

func TestImport_PreviewThenConfirm(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	c := f.signedIn("anna@example.org")
	before := f.assetCount(f.practice.ID)
	res := c.upload("inventory.csv", goodCSV)
	if res.Code != http.StatusOK {
		t.Fatalf("upload = %d, want 200:\n%s", res.Code, res.Body)
	}
	for _, want := range []string{`<span class="count">1</span> assets to add`, `<span class="count">1</span> assets to update`, "Ultrasound"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	if n := f.assetCount(f.practice.ID); n != before {
		t.Fatalf("assets after the preview = %d, want %d: the preview saved", n, before)
	}
	token := tokenRE.FindStringSubmatch(res.Body)[1]
	csrf := csrfRE.FindStringSubmatch(res.Body)[1]

	// Another session of another user cannot use the token.
	mira := f.signedIn("mira@example.org")
	miraTok := mira.csrf("/orgs")
	mira.post("/orgs/select", url.Values{"csrf": {miraTok}, "org": {f.hospital.ID}})
	if res := mira.post("/assets/import/confirm", url.Values{"csrf": {miraTok}, "token": {token}}); res.Code != http.StatusGone {
		t.Errorf("confirm with another session's token = %d, want 410", res.Code)
	}
	if n := f.assetCount(f.hospital.ID); n != 1 {
		t.Errorf("hospital assets = %d, want 1", n)
	}

	res = c.post("/assets/import/confirm", url.Values{"csrf": {csrf}, "token": {token}})
	if res.Code != http.StatusOK || !strings.Contains(res.Body, "Saved inventory.csv") {
		t.Fatalf("confirm = %d, want 200 with a summary:\n%s", res.Code, res.Body)
	}
	if n := f.assetCount(f.practice.ID); n != before+1 {
		t.Errorf("assets after confirm = %d, want %d", n, before+1)
	}
	if a := must(f.st.Asset(t.Context(), f.practice.ID, "router-1"))(t); a.Asset.Version != "7.50" {
		t.Errorf("router-1 version = %q, want the file's 7.50", a.Asset.Version)
	}
	if res := c.post("/assets/import/confirm", url.Values{"csrf": {csrf}, "token": {token}}); res.Code != http.StatusGone {
		t.Errorf("second confirm = %d, want 410: the token is one-time", res.Code)
	}
}

func TestImport_Expires(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	c := f.signedIn("anna@example.org")
	res := c.upload("inventory.csv", goodCSV)
	token := tokenRE.FindStringSubmatch(res.Body)[1]
	csrf := csrfRE.FindStringSubmatch(res.Body)[1]
	f.clock.Advance(16 * time.Minute)
	if res := c.post("/assets/import/confirm", url.Values{"csrf": {csrf}, "token": {token}}); res.Code != http.StatusGone {
		t.Errorf("confirm after 16 minutes = %d, want 410", res.Code)
	}
	if _, err := f.st.Asset(t.Context(), f.practice.ID, "ultra-1"); err == nil {
		t.Error("an expired preview was saved")
	}
}

func TestImport_Forbidden(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	viewer := f.signedIn("mira@example.org") // a viewer of the practice
	tok := viewer.csrf("/orgs")
	viewer.post("/orgs/select", url.Values{"csrf": {tok}, "org": {f.practice.ID}})
	if res := viewer.upload("inventory.csv", goodCSV); res.Code != http.StatusForbidden {
		t.Errorf("upload as a viewer = %d, want 403", res.Code)
	}
	// Without the CSRF token nothing is read.
	anna := f.signedIn("anna@example.org")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "x.csv")
	fw.Write([]byte(goodCSV))
	mw.Close()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, anna.base+"/assets/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if res := anna.do(req); res.Code != http.StatusForbidden {
		t.Errorf("upload without csrf = %d, want 403", res.Code)
	}
}

// withCatalog gives the fixture's engine advisories named as its findings
// are, with KEV and EPSS facts.
func (f *fixture) withCatalog() {
	set := &advisory.Set{
		KEV:  advisory.KEV{"CVE-2026-2001": {CVE: "CVE-2026-2001", DateAdded: now.AddDate(0, 0, -3), RequiredAction: "Apply the vendor's fix."}},
		EPSS: &advisory.EPSS{Scores: map[string]advisory.EPSSScore{"CVE-2026-2001": {Score: 0.42, Percentile: 0.97}}},
	}
	for _, cve := range []string{"CVE-2026-1001", "CVE-2026-2001"} {
		set.Advisories = append(set.Advisories, &advisory.Advisory{ID: "ADV-" + cve, Title: "Flaw " + cve, Publisher: "CISA",
			Summary: "A flaw in a device.", Vulnerabilities: []advisory.Vulnerability{{CVE: cve, CVSS: 9.8}}})
	}
	f.eng.SetCatalog(engine.NewCatalog(set))
}

func TestAdvisories(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	f.withCatalog()
	anna := f.signedIn("anna@example.org")
	mira := f.signedIn("mira@example.org")
	tok := mira.csrf("/orgs")
	mira.post("/orgs/select", url.Values{"csrf": {tok}, "org": {f.hospital.ID}})

	res := anna.get("/advisories?q=2001")
	if res.Code != http.StatusOK || !strings.Contains(res.Body, "ADV-CVE-2026-2001") || strings.Contains(res.Body, "ADV-CVE-2026-1001") {
		t.Errorf("GET /advisories?q=2001 = %d, want only ADV-CVE-2026-2001:\n%s", res.Code, res.Body)
	}
	// The hospital's pump is affected; the practice sees the advisory but
	// not the hospital's asset.
	res = mira.get("/advisories/ADV-CVE-2026-2001")
	for _, want := range []string{"Infusion pump 1", "CVE-2026-2001", "Apply the vendor&#39;s fix.", "42.0 %"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("advisory page for the hospital lacks %q:\n%s", want, res.Body)
		}
	}
	res = anna.get("/advisories/ADV-CVE-2026-2001")
	if res.Code != http.StatusOK || strings.Contains(res.Body, "Infusion") || strings.Contains(res.Body, "pump-1") {
		t.Errorf("advisory page for the practice = %d, shows the hospital's asset:\n%s", res.Code, res.Body)
	}
	if !strings.Contains(res.Body, "None of your assets is affected") {
		t.Errorf("advisory page for the practice does not say it is unaffected")
	}
	res = anna.get("/advisories/ADV-CVE-2026-1001")
	if !strings.Contains(res.Body, "/assets/router-1") {
		t.Errorf("advisory page lacks the practice's router:\n%s", res.Body)
	}
	if res := anna.get("/advisories/ADV-nope"); res.Code != http.StatusNotFound {
		t.Errorf("GET /advisories/ADV-nope = %d, want 404", res.Code)
	}
}

func TestOverview(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	c := f.signedIn("anna@example.org")
	for _, path := range []string{"/overview", "/overview?range=7d", "/overview?range=1y", "/reports", "/reports/exposure"} {
		res := c.get(path)
		if res.Code != http.StatusOK {
			t.Fatalf("GET %s = %d, want 200:\n%s", path, res.Code, res.Body)
		}
		for _, bad := range []string{"<script", "<style", " style=", "Infusion"} {
			if strings.Contains(res.Body, bad) {
				t.Errorf("GET %s contains %q", path, bad)
			}
		}
	}
	res := c.get("/overview")
	for _, want := range []string{"<svg", "Open findings over 30 days, by decision", `<polyline`, "Exposure by zone", `href="/assets?zone=office"`} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	if res := c.get("/overview?range=forever"); res.Code != http.StatusBadRequest {
		t.Errorf("GET /overview?range=forever = %d, want 400", res.Code)
	}
	// The router finding was found an hour ago: the last point counts it.
	if !regexp.MustCompile(`<td>\d+ \w+</td><td>1</td><td>1</td><td>0</td><td>1</td><td>3</td></tr>\s*</tbody>`).MatchString(res.Body) {
		t.Errorf("overview's trend table does not end with 1 act, 1 attend, 1 track:\n%s", res.Body)
	}
	rep := c.get("/reports/exposure")
	for _, want := range []string{"Exposure report: Praxis Weber", routerAction, "Work list"} {
		if !strings.Contains(rep.Body, want) {
			t.Errorf("exposure report lacks %q", want)
		}
	}
}

func TestExposurePDF(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	c := f.signedIn("anna@example.org")
	res := c.get("/reports/exposure.pdf")
	if res.Code != http.StatusOK {
		t.Fatalf("GET /reports/exposure.pdf = %d", res.Code)
	}
	if !strings.HasPrefix(res.Body, "%PDF-") {
		t.Errorf("PDF starts with %q, want %%PDF-", res.Body[:min(len(res.Body), 8)])
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("Content-Type = %q", ct)
	}
	if !strings.Contains(res.Header.Get("Content-Disposition"), "ward-exposure-2026-11-23.pdf") {
		t.Errorf("Content-Disposition = %q", res.Header.Get("Content-Disposition"))
	}
	if !strings.HasSuffix(strings.TrimSpace(res.Body), "%%EOF") {
		t.Error("PDF does not end with its EOF marker")
	}
}

func TestAssets_DecisionFilter(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	c := f.signedIn("anna@example.org")
	res := c.get("/assets?decision=act")
	if !strings.Contains(res.Body, "/assets/router-1") || strings.Contains(res.Body, "/assets/ecg-1") {
		t.Errorf("GET /assets?decision=act should list the router only:\n%s", res.Body)
	}
	if res := c.get("/assets?decision=soon"); res.Code != http.StatusBadRequest {
		t.Errorf("GET /assets?decision=soon = %d, want 400", res.Code)
	}
}

func TestImport_Formats(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	c := f.signedIn("anna@example.org")
	for _, tc := range []struct{ file, format string }{
		{"../inventory/testdata/nmap/clinical-lan.xml", "nmap-xml"},
		{"../inventory/testdata/cyclonedx/cern-lhc-vdm-editor.bom.json", "cyclonedx-json"},
		{"../inventory/testdata/cyclonedx/cern-lhc-vdm-editor.bom.xml", "cyclonedx-xml"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			data, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			res := c.upload(filepath.Base(tc.file), string(data))
			if res.Code != http.StatusOK || !strings.Contains(res.Body, "("+tc.format+")") || !tokenRE.MatchString(res.Body) {
				t.Errorf("upload %s = %d, want a %s preview with a save button:\n%s", tc.file, res.Code, tc.format, res.Body)
			}
		})
	}
}
