package browsertest

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestExposureReportAndPDF: the practice's admin opens the exposure report
// from Reports, sees the organisation's name and the charts, and downloads
// the report as a PDF.
func TestExposureReportAndPDF(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	anna := s.login(t, practice)

	b.signIn(anna.Email, anna.Password)
	b.submit(`nav a[href="/reports"]`)
	if h := b.text("h1"); h != "Reports" {
		t.Fatalf("the Reports link shows %q", h)
	}
	b.submit(`main a[href="/reports/exposure"]`)
	if p := b.path(); p != "/reports/exposure" {
		t.Fatalf("the report link led to %s, want /reports/exposure", p)
	}
	if h, want := b.text("h1"), "Exposure report: "+anna.Organisation; h != want {
		t.Errorf("the report's heading = %q, want %q", h, want)
	}
	if n := b.count("figure.chart svg"); n < 2 {
		t.Errorf("the report shows %d chart SVGs, want the decision and trend charts at least", n)
	}
	// The chart is drawn: it has marks and a size.
	if !run(b, chromedp.Evaluate[bool](`(() => {
		const svg = document.querySelector("figure.chart svg");
		const box = svg.getBoundingClientRect();
		return box.width > 100 && box.height > 50 && svg.querySelectorAll("rect, path, line, polyline").length > 0;
	})()`)) {
		t.Error("the first chart is empty or has no size")
	}
	b.screenshot("exposure-report")

	name, data := b.download(chromedp.Click(chromedp.CSS(`main a[href="/reports/exposure.pdf"]`)))
	if want := "ward-exposure-" + time.Now().UTC().Format("2006-01-02") + ".pdf"; name != want {
		// Midnight may pass between the request and this check.
		if !strings.HasPrefix(name, "ward-exposure-") || !strings.HasSuffix(name, ".pdf") {
			t.Errorf("the PDF's suggested name = %q, want %q", name, want)
		}
	}
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Errorf("the download does not start with %%PDF-: %q", data[:min(len(data), 16)])
	}
	if len(data) < 1<<10 {
		t.Errorf("the PDF is only %d bytes", len(data))
	}
	// Its page shows the report of the organisation, with its findings.
	text := pdfContent(t, data)
	for _, want := range []string{"(Exposure report: " + anna.Organisation + ")", "(Open findings by decision)", "(Work list: Act and Attend)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's pages lack the text %s", want)
		}
	}
	if !bytes.Contains(data[max(0, len(data)-32):], []byte("%%EOF")) {
		t.Errorf("the PDF does not end with %s: it is cut short", "%%EOF")
	}
	if p := b.path(); p != "/reports/exposure" {
		t.Errorf("after the download the tab shows %s, want the report still", p)
	}
}

// pdfStream matches a PDF's compressed streams (ward's PDFs compress every
// page's content).
var pdfStream = regexp.MustCompile(`(?s)/FlateDecode[^>]*>>\s*stream\r?\n(.*?)\r?\nendstream`)

// pdfContent returns the inflated streams of the PDF data: the pages'
// drawing operators, whose text shows as (text)Tj.
func pdfContent(t *testing.T, data []byte) string {
	t.Helper()
	var out strings.Builder
	for _, m := range pdfStream.FindAllSubmatch(data, -1) {
		zr, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			t.Fatalf("a stream of the PDF does not inflate: %v", err)
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("a stream of the PDF does not inflate: %v", err)
		}
		out.Write(b)
	}
	if out.Len() == 0 {
		t.Fatal("the PDF has no compressed page content")
	}
	return out.String()
}
