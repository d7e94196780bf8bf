package report

import (
	"bufio"
	"encoding/csv"
	"strconv"
	"strings"

	"github.com/ward-health/ward/internal/scan"
)

// writeCSV writes a header row and one row per finding. Cells that a
// spreadsheet would run as a formula are defused (see [cell]).
func writeCSV(b *bufio.Writer, rep *scan.Report) error {
	w := csv.NewWriter(b)
	header := []string{
		"asset_id", "asset_name", "component", "advisory_id", "cve_id", "product", "status", "confidence",
		"decision", "due", "kev", "epss", "cvss", "action", "evidence", "fixed_in",
	}
	if err := w.Write(header); err != nil {
		return err
	}
	for _, it := range rep.Findings {
		rec := []string{
			it.AssetID, it.AssetName, it.Component, it.AdvisoryID, it.CVE, it.Product, string(it.Status), string(it.Confidence),
			string(it.Decision), day(it.Due), strconv.FormatBool(it.KEV), number(it.EPSS), number(it.CVSS), it.Action, it.Evidence, it.FixedIn,
		}
		for i := range rec {
			rec[i] = cell(rec[i])
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// cell defuses CSV (formula) injection: a cell starting with = + - @, a tab
// or a carriage return gets a leading apostrophe, so spreadsheets show it as
// text instead of running it (OWASP "CSV Injection").
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// number formats a score, or "" when the source gave none.
func number(f float64) string {
	if f == 0 {
		return ""
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
