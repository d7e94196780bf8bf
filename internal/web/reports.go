package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/store"
)

// reportRows bounds each list of the exposure report.
const reportRows = 200

// reportRange is the exposure report's trend period.
var reportRange = trendRanges[1] // 30 days

// acceptedRow is a risk-accepted finding, for auditors.
type acceptedRow struct {
	card
	Reason, Expires string
}

// exposureReport is everything the exposure report shows, in HTML and PDF.
type exposureReport struct {
	exposure
	Organisation string
	GeneratedISO string
	GeneratedDay string
	Lead         string
	Work         []card
	MoreWork     bool
	Accepted     []acceptedRow
	MoreAccepted bool
}

// exposureReportOf gathers the report of org at now.
func (s *Server) exposureReportOf(ctx context.Context, sess *session, now time.Time) (exposureReport, error) {
	e, err := s.exposureOf(ctx, sess.OrgID, now, reportRange)
	if err != nil {
		return exposureReport{}, err
	}
	rep := exposureReport{exposure: e, Organisation: sess.OrgName,
		GeneratedISO: now.UTC().Format(time.RFC3339), GeneratedDay: now.UTC().Format("2 January 2006, 15:04 UTC")}
	work, err := s.store.ListFindings(ctx, sess.OrgID, store.FindingFilter{
		States: store.OpenStates, Decisions: []risk.Decision{risk.Act, risk.Attend},
	}, store.ListOptions{Limit: reportRows})
	if err != nil {
		return rep, err
	}
	for i := range work.Items {
		rep.Work = append(rep.Work, s.card(&work.Items[i], now))
	}
	rep.MoreWork = work.Next != ""
	acc, err := s.store.ListFindings(ctx, sess.OrgID, store.FindingFilter{States: []store.FindingState{store.StateRiskAccepted}},
		store.ListOptions{Limit: reportRows})
	if err != nil {
		return rep, err
	}
	for i := range acc.Items {
		f := &acc.Items[i]
		rep.Accepted = append(rep.Accepted, acceptedRow{card: s.card(f, now), Reason: f.Reason, Expires: day(f.AcceptExpiresAt)})
	}
	rep.MoreAccepted = acc.Next != ""
	act, attend := e.Open[0].Count, e.Open[1].Count
	switch {
	case e.OpenTotal == 0:
		rep.Lead = "No open findings: no asset needs work on a published flaw."
	case act > 0:
		rep.Lead = fmt.Sprintf("%d open findings. %d need work within days (Act), %d within weeks (Attend).", e.OpenTotal, act, attend)
	default:
		rep.Lead = fmt.Sprintf("%d open findings; none needs work within days. %d need work within weeks (Attend).", e.OpenTotal, attend)
	}
	return rep, nil
}

type reportsPage struct {
	basePage
}

func (s *Server) reports(w http.ResponseWriter, r *http.Request, sess *session) {
	page := reportsPage{basePage: s.base(sess, "Reports")}
	page.Nav = "reports"
	s.render(w, r, http.StatusOK, "reports.html", page)
}

type exposurePage struct {
	basePage
	exposureReport
	Decisions []decisionStyle
}

func (s *Server) exposureReport(w http.ResponseWriter, r *http.Request, sess *session) {
	rep, err := s.exposureReportOf(r.Context(), sess, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := exposurePage{exposureReport: rep, Decisions: decisionStyles}
	page.basePage = s.base(sess, "Exposure report")
	page.Nav = "reports"
	s.render(w, r, http.StatusOK, "exposure.html", page)
}

func (s *Server) exposurePDF(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx := r.Context()
	now := s.now()
	rep, err := s.exposureReportOf(ctx, sess, now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := writeExposurePDF(&buf, &rep, now); err != nil {
		s.log.ErrorContext(ctx, "pdf failed", slog.Any("error", err))
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="ward-exposure-`+now.UTC().Format("2006-01-02")+`.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Write(buf.Bytes()) //nolint:errcheck // the client went away
}

// PDF layout, in millimetres on A4 portrait.
const (
	pdfMargin = 15
	pdfWidth  = 210 - 2*pdfMargin
	pdfLine   = 5.5
)

// writeExposurePDF writes rep as a PDF with the core fonts, whose text is
// Windows-1252: characters outside it print as "?". The document's dates
// are now, so the same report gives the same bytes.
func writeExposurePDF(w *bytes.Buffer, rep *exposureReport, now time.Time) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetCreationDate(now)
	pdf.SetModificationDate(now)
	pdf.SetTitle("ward exposure report: "+rep.Organisation, true)
	pdf.SetProducer("ward", true)
	pdf.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	pdf.SetAutoPageBreak(true, pdfMargin)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont("Helvetica", "", 8)
		pdf.SetTextColor(74, 74, 74)
		pdf.CellFormat(0, 5, tr(fmt.Sprintf("ward exposure report · %s · %s · page %d of {nb}", rep.Organisation, rep.GeneratedDay, pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetTextColor(26, 26, 26)
	pdf.SetFont("Helvetica", "B", 18)
	pdf.MultiCell(pdfWidth, 9, tr("Exposure report: "+rep.Organisation), "", "L", false)
	pdf.SetFont("Helvetica", "", 10)
	pdf.MultiCell(pdfWidth, pdfLine, tr("Generated "+rep.GeneratedDay+"."), "", "L", false)
	pdf.Ln(2)
	pdf.SetFont("Helvetica", "", 12)
	pdf.MultiCell(pdfWidth, 6, tr(rep.Lead), "", "L", false)

	heading := func(s string) {
		pdf.Ln(4)
		pdf.SetFont("Helvetica", "B", 13)
		pdf.MultiCell(pdfWidth, 7, tr(s), "", "L", false)
		pdf.SetFont("Helvetica", "", 9)
	}
	// table writes a header row and rows, cells cut to their width.
	table := func(widths []float64, head []string, rows [][]string) {
		cell := func(i int, s string, border string) {
			txt := tr(s)
			if pdf.GetStringWidth(txt) > widths[i]-2 {
				for len(txt) > 1 && pdf.GetStringWidth(txt+"...") > widths[i]-2 {
					txt = txt[:len(txt)-1] // Windows-1252: one byte a character
				}
				txt += "..."
			}
			pdf.CellFormat(widths[i], pdfLine, txt, border, 0, "L", false, 0, "")
		}
		pdf.SetFont("Helvetica", "B", 9)
		for i, h := range head {
			cell(i, h, "B")
		}
		pdf.Ln(-1)
		pdf.SetFont("Helvetica", "", 9)
		for _, row := range rows {
			for i, c := range row {
				cell(i, c, "")
			}
			pdf.Ln(-1)
		}
	}

	heading("Open findings by decision")
	top := 0
	for _, d := range rep.Open {
		top = max(top, d.Count)
	}
	for _, d := range rep.Open {
		pdf.CellFormat(45, 7, tr(d.Label+" ("+d.Words+")"), "", 0, "L", false, 0, "")
		x, y := 15.0+47, pdf.GetY()+1
		wid := 0.0
		if top > 0 {
			wid = float64(d.Count) * 110 / float64(top)
		}
		var cr, cg, cb int
		fmt.Sscanf(d.Colour, "#%02x%02x%02x", &cr, &cg, &cb) //nolint:errcheck // our own constants
		pdf.SetFillColor(cr, cg, cb)
		if wid > 0 {
			pdf.Rect(x, y, max(wid, 0.5), 5, "F")
		}
		pdf.SetXY(x+wid+2, y-1)
		pdf.CellFormat(20, 7, strconv.Itoa(d.Count), "", 1, "L", false, 0, "")
	}

	groups := func(title, col string, rows []groupRow) {
		heading(title)
		if len(rows) == 0 {
			pdf.MultiCell(pdfWidth, pdfLine, "No open findings.", "", "L", false)
			return
		}
		head := []string{col, "Assets"}
		widths := []float64{60, 20}
		for _, d := range decisionStyles {
			head = append(head, d.Label)
			widths = append(widths, 20)
		}
		head, widths = append(head, "Total"), append(widths, 20)
		var body [][]string
		for _, r := range rows {
			row := []string{r.Name, strconv.Itoa(r.Assets)}
			for _, c := range r.Counts {
				row = append(row, strconv.Itoa(c))
			}
			body = append(body, append(row, strconv.Itoa(r.Total)))
		}
		table(widths, head, body)
	}
	groups("Exposure by clinical role", "Clinical role", rep.RoleRows)
	groups("Exposure by zone", "Zone", rep.ZoneRows)

	if n := len(rep.TrendRows); n > 0 {
		first, last := rep.TrendRows[0], rep.TrendRows[n-1]
		heading("Trend over " + rep.Range.Label)
		pdf.MultiCell(pdfWidth, pdfLine, tr(fmt.Sprintf("Open findings: %d on %s, %d on %s.", first.Total, first.At, last.Total, last.At)), "", "L", false)
	}

	heading("Work list: Act and Attend")
	if len(rep.Work) == 0 {
		pdf.MultiCell(pdfWidth, pdfLine, "Nothing to do within days or weeks.", "", "L", false)
	} else {
		var body [][]string
		for _, c := range rep.Work {
			body = append(body, []string{c.AssetName, c.CVE, string(c.Decision), c.Due, string(c.State), c.Action})
		}
		table([]float64{38, 30, 16, 30, 20, 46}, []string{"Asset", "Flaw", "Decision", "Due", "State", "Action"}, body)
		if rep.MoreWork {
			pdf.MultiCell(pdfWidth, pdfLine, tr(fmt.Sprintf("Only the first %d are listed.", reportRows)), "", "L", false)
		}
	}
	heading("Accepted risks")
	if len(rep.Accepted) == 0 {
		pdf.MultiCell(pdfWidth, pdfLine, "No risk is accepted.", "", "L", false)
	} else {
		var body [][]string
		for _, a := range rep.Accepted {
			body = append(body, []string{a.AssetName, a.CVE, a.Expires, a.Reason})
		}
		table([]float64{45, 30, 25, 80}, []string{"Asset", "Flaw", "Until", "Reason"}, body)
	}
	return pdf.Output(w)
}
