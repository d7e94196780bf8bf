package advisory

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Bounds of the EPSS reader. FIRST's daily file holds about 300,000 rows.
const (
	maxEPSSRows  = 5_000_000
	maxEPSSBytes = maxInflated
)

// Column names ReadEPSS recognises, lowercased: FIRST's own and those of
// enrichment files such as jgamblin/KEV_EPSS ("CVE,CVSS3,EPSS,EPSS
// Percentile,...").
var (
	epssCVENames        = []string{"cve", "cveid", "cve_id"}
	epssScoreNames      = []string{"epss", "epss_score", "epss score"}
	epssPercentileNames = []string{"percentile", "epss_percentile", "epss percentile"}
)

// reFileDate finds a date in a file name ("epss_scores-2023-03-07.csv.gz").
var reFileDate = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)

// ReadEPSS reads FIRST's EPSS scores: the daily CSV, gzipped or not (the
// magic bytes tell), whose first line may be a comment
// "#model_version:v2023.03.01,score_date:2023-03-07T00:00:00+0000" (either
// field may be missing), then a header naming the columns, then one row per
// CVE. Columns are found by name (cve or cveID, epss or "EPSS", percentile
// or "EPSS Percentile"; other columns are ignored), so enrichment files that
// carry the scores among other columns read as well. When the file gives no
// score_date, a date in its name ("epss_scores-2023-03-07.csv.gz") is taken.
// A malformed row is an error naming name:line.
func ReadEPSS(ctx context.Context, name string, r io.Reader) (*EPSS, error) {
	br := bufio.NewReader(r)
	var src io.Reader = br
	if magic, _ := br.Peek(2); isGzip(magic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("epss: %s: gzip: %w", name, err)
		}
		defer zr.Close()
		src = zr
	}
	src = &boundedReader{r: src, n: maxEPSSBytes}
	in := bufio.NewReader(src)
	if b, _ := in.Peek(3); string(b) == utf8BOM {
		in.Discard(3)
	}

	out := &EPSS{Scores: map[string]EPSSScore{}}
	lineOffset := 0
	if b, _ := in.Peek(1); len(b) == 1 && b[0] == '#' {
		comment, err := in.ReadString('\n')
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("epss: %s:1: %w", name, err)
		}
		if err := out.readComment(comment); err != nil {
			return nil, fmt.Errorf("epss: %s:1: %w: %w", name, ErrInvalid, err)
		}
		lineOffset = 1
	}
	if out.Date.IsZero() {
		if d := reFileDate.FindString(filepath.Base(name)); d != "" {
			out.Date, _ = time.Parse(time.DateOnly, d) // not a date: stays zero
		}
	}

	cr := csv.NewReader(in)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("epss: %s:%d: %w: header: %w", name, lineOffset+1, ErrInvalid, csvErr(err))
	}
	header = slices.Clone(header) // ReuseRecord: the next Read overwrites it
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(header[i]))
	}
	cveCol, scoreCol, pctCol := epssColumn(header, epssCVENames), epssColumn(header, epssScoreNames), epssColumn(header, epssPercentileNames)
	if cveCol < 0 || scoreCol < 0 {
		return nil, fmt.Errorf("epss: %s:%d: %w: the header needs a cve and an epss column", name, lineOffset+1, ErrInvalid)
	}
	for n := 0; ; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("epss: %s:%d: %w: %w", name, pe.Line+lineOffset, ErrInvalid, pe.Err)
			}
			return nil, fmt.Errorf("epss: %s: %w", name, err)
		}
		if n >= maxEPSSRows {
			return nil, fmt.Errorf("epss: %s: %w: more than %d rows", name, ErrTooLarge, maxEPSSRows)
		}
		if n%10_000 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("epss: %w", ctx.Err())
		}
		line, _ := cr.FieldPos(0)
		line += lineOffset
		id := strings.ToUpper(strings.TrimSpace(rec[cveCol]))
		if !strings.HasPrefix(id, "CVE-") {
			return nil, fmt.Errorf("epss: %s:%d: %w: %q is not a CVE id", name, line, ErrInvalid, rec[cveCol])
		}
		var s EPSSScore
		if s.Score, err = probability(rec[scoreCol]); err != nil {
			return nil, fmt.Errorf("epss: %s:%d: %w: %s: %w", name, line, ErrInvalid, header[scoreCol], err)
		}
		if pctCol >= 0 {
			if s.Percentile, err = probability(rec[pctCol]); err != nil {
				return nil, fmt.Errorf("epss: %s:%d: %w: %s: %w", name, line, ErrInvalid, header[pctCol], err)
			}
		}
		out.Scores[id] = s
	}
	return out, nil
}

// readComment reads "#model_version:v2023.03.01,score_date:2023-03-07T00:00:00+0000".
func (e *EPSS) readComment(line string) error {
	line = strings.TrimSpace(strings.TrimPrefix(line, "#"))
	for field := range strings.SplitSeq(line, ",") {
		k, v, _ := strings.Cut(field, ":")
		v = strings.TrimSpace(v)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "model_version":
			e.ModelVersion = v
		case "score_date":
			t, err := parseTime(v)
			if err != nil {
				return fmt.Errorf("score_date: %w", err)
			}
			e.Date = t
		}
	}
	return nil
}

// epssColumn returns the index of the first column named one of names, or -1.
func epssColumn(header []string, names []string) int {
	for i, h := range header {
		for _, n := range names {
			if h == n {
				return i
			}
		}
	}
	return -1
}

// probability reads a number between 0 and 1.
func probability(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if f < 0 || f > 1 || f != f {
		return 0, fmt.Errorf("%v is not between 0 and 1", f)
	}
	return f, nil
}

// csvErr unwraps a csv.ParseError to its cause: the callers name the line.
func csvErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// boundedReader fails with ErrTooLarge once more than n bytes were read.
type boundedReader struct {
	r io.Reader
	n int64
}

// Read reads from the underlying reader up to the bound.
func (b *boundedReader) Read(p []byte) (int, error) {
	if b.n < 0 {
		return 0, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxEPSSBytes)
	}
	if int64(len(p)) > b.n+1 {
		p = p[:b.n+1]
	}
	n, err := b.r.Read(p)
	b.n -= int64(n)
	if b.n < 0 {
		return n, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxEPSSBytes)
	}
	return n, err
}
