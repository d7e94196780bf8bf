package browsertest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportBadRowThenFixed: the practice's admin uploads a ward CSV with
// one good and one bad row, learns that nothing was saved and which line
// is wrong, uploads the corrected file, checks its preview, saves it and
// finds the new assets on the asset list.
func TestImportBadRowThenFixed(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	anna := s.login(t, practice)
	b.allow("status of 422") // the upload with a bad row answers 422 Unprocessable Entity

	const header = "id,name,vendor,product,version,zone,clinical_role\n"
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad/inventory.csv", header+
		"bt-ecg-1,Browsertest ECG,Schiller,Cardiovit AT-102,2.1,clinical,diagnostic\n"+
		"bt-pump-1,Browsertest pump,B. Braun,Perfusor Space,3.4,clinical,very important\n")
	fixed := writeFile(t, dir, "fixed/inventory.csv", header+
		"bt-ecg-1,Browsertest ECG,Schiller,Cardiovit AT-102,2.1,clinical,diagnostic\n"+
		"bt-pump-1,Browsertest pump,B. Braun,Perfusor Space,3.4,clinical,treatment\n")

	b.signIn(anna.Email, anna.Password)
	b.submit(`nav a[href="/assets"]`)
	b.submit(`main a[href="/assets/import"]`)
	if p := b.path(); p != "/assets/import" {
		t.Fatalf("the import link led to %s, want /assets/import", p)
	}

	// The file with a bad row: nothing is saved, and the page names the line.
	b.upload("#file", bad)
	b.submit(`form[action="/assets/import"] button[type=submit]`)
	if h := b.text("#bad"); !strings.HasPrefix(h, "Nothing was saved: 1 problem in inventory.csv") {
		t.Errorf("after a bad upload the heading = %q, want it to say nothing was saved", h)
	}
	if n := b.count("table.bad-rows tbody tr"); n != 1 {
		t.Errorf("the page lists %d problems, want 1 (line 3)", n)
	}
	row := b.text("table.bad-rows tbody tr")
	for _, want := range []string{"line 3", "clinical_role"} {
		if !strings.Contains(row, want) {
			t.Errorf("the problem row %q lacks %q", row, want)
		}
	}
	if strings.Contains(row, "line 2") {
		t.Errorf("the problem row %q blames the good line 2", row)
	}
	if n := b.count(`form[action="/assets/import/confirm"]`); n != 0 {
		t.Error("the page offers to save a file with a bad row")
	}
	b.screenshot("import-bad-row")

	// The corrected file: a preview, saved only on confirmation. That it
	// adds both assets shows the bad upload saved not even its good row.
	b.upload("#file", fixed)
	b.submit(`form[action="/assets/import"] button[type=submit]`)
	if h := b.text("#preview"); !strings.Contains(h, "nothing saved yet") {
		t.Errorf("the preview heading = %q, want it to say nothing is saved yet", h)
	}
	if n := b.count("table.bad-rows"); n != 0 {
		t.Error("the corrected file still shows problems")
	}
	if got := b.text(`#preview ~ ul.counters li:first-child .count`); got != "2" {
		t.Errorf("the preview adds %q assets, want 2", got)
	}
	if got := b.text(`#preview ~ ul.counters li:nth-child(2) .count`); got != "0" {
		t.Errorf("the preview updates %q assets, want 0", got)
	}
	preview := b.text(`section[aria-labelledby="preview"] tbody`)
	for _, want := range []string{"bt-ecg-1", "Browsertest ECG", "bt-pump-1", "Browsertest pump"} {
		if !strings.Contains(preview, want) {
			t.Errorf("the preview's table lacks %q:\n%s", want, preview)
		}
	}
	b.screenshot("import-preview")
	b.submit(`form[action="/assets/import/confirm"] button[type=submit]`)
	if h := b.text("#done"); h != "Saved inventory.csv" {
		t.Errorf("after saving the heading = %q, want %q", h, "Saved inventory.csv")
	}
	if got := b.text(`#done ~ ul.counters li:first-child .count`); got != "2" {
		t.Errorf("the summary says %q assets added, want 2", got)
	}
	if got := b.text(`#done ~ ul.counters li:nth-child(2) .count`); got != "0" {
		t.Errorf("the summary says %q assets updated, want 0", got)
	}
	b.screenshot("import-saved")

	// The new assets are in the inventory.
	b.submit(`section[aria-labelledby="done"] a[href="/assets"]`)
	b.fill("#q", "Browsertest")
	b.submit(`form.filters button[type=submit]`)
	if n := b.count(`main tbody tr`); n != 2 {
		t.Errorf("searching the assets for Browsertest finds %d, want 2:\n%s", n, b.text("main"))
	}
	for _, id := range []string{"bt-ecg-1", "bt-pump-1"} {
		if n := b.count(`main tbody a[href="/assets/` + id + `"]`); n != 1 {
			t.Errorf("the asset list has no link to %s", id)
		}
	}
}

// writeFile writes data to dir/name, making its directory, and returns its
// path.
func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
