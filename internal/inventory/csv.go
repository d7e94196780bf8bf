package inventory

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// csvColumns are the columns ward's CSV knows, as the package documentation
// describes them.
var csvColumns = []string{
	"id", "name", "kind", "vendor", "product", "version", "model", "cpe", "purl",
	"location", "zone", "exposure", "clinical_role", "patient_data",
	"patch_authority", "end_of_support", "owner",
}

// readCSV reads ward's CSV inventory, described in the package documentation.
// It reports every bad row, up to maxErrors, and returns assets only when
// there is none.
func readCSV(ctx context.Context, name string, data []byte) (*Result, error) {
	if !utf8.Valid(data) {
		bad := 0
		for bad < len(data) {
			r, n := utf8.DecodeRune(data[bad:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			bad += n
		}
		return nil, &ParseError{File: name, Line: lineAt(data, int64(bad)), Err: fmt.Errorf("%w: not UTF-8 text; save the file as \"CSV UTF-8\"", ErrInvalid)}
	}
	comma, body, skipped := csvDialect(data)
	cr := csv.NewReader(bytes.NewReader(body))
	cr.Comma = comma
	cr.FieldsPerRecord = -1 // checked below, with a clearer message
	pos := func(field int) int {
		line, _ := cr.FieldPos(field)
		return line + skipped
	}

	res := &Result{}
	var (
		errs    errorList
		cols    []string       // normalised header names
		idLines map[string]int // asset id -> line
	)
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var cerr *csv.ParseError
		if errors.As(err, &cerr) {
			perr := &ParseError{File: name, Line: cerr.Line + skipped, Err: cerr.Err}
			if cols == nil {
				return nil, perr
			}
			errs.add(perr)
			continue
		}
		if err != nil {
			return nil, &ParseError{File: name, Err: err}
		}
		if cols == nil {
			if cols, err = csvHeader(name, pos(0), rec); err != nil {
				return nil, err
			}
			idLines = make(map[string]int)
			if unknown := slices.DeleteFunc(slices.Clone(cols), func(c string) bool { return c == "" || slices.Contains(csvColumns, c) }); len(unknown) > 0 {
				res.Notices = append(res.Notices, fmt.Sprintf("unknown columns kept as attributes: %s", strings.Join(unknown, ", ")))
			}
			continue
		}
		line := pos(0)
		if !slices.ContainsFunc(rec, func(v string) bool { return strings.TrimSpace(v) != "" }) {
			continue // Excel's empty rows: ";;;;"
		}
		if len(rec) != len(cols) {
			errs.add(&ParseError{File: name, Line: line, Err: fmt.Errorf("%w: %d fields, the header has %d", ErrInvalid, len(rec), len(cols))})
			continue
		}
		a := Asset{Source: fmt.Sprintf("%s:%d", name, line)}
		rowOK := true
		for i, v := range rec {
			if v = strings.TrimSpace(v); v == "" {
				continue
			}
			if err := a.setCSV(cols[i], v); err != nil {
				errs.add(&ParseError{File: name, Line: pos(i), Column: columnName(cols, i), Err: err})
				rowOK = false
			}
		}
		switch first, dup := idLines[a.ID]; {
		case a.ID == "":
			errs.add(&ParseError{File: name, Line: line, Column: "id", Err: ErrRequired})
			continue
		case dup:
			errs.add(&ParseError{File: name, Line: line, Column: "id", Err: fmt.Errorf("%w %q, also on line %d", ErrDuplicate, a.ID, first)})
			continue
		}
		idLines[a.ID] = line
		if !rowOK {
			continue
		}
		if err := a.Validate(); err != nil {
			errs.add(&ParseError{File: name, Line: line, Err: err})
			continue
		}
		res.Assets = append(res.Assets, a)
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return res, nil
}

// csvDialect returns the separator of a ward CSV, the input without an Excel
// "sep=;" first line, and how many lines that removed. Otherwise the separator
// is the one, comma or semicolon, that makes more ward columns of the header.
func csvDialect(data []byte) (comma rune, body []byte, skipped int) {
	first, rest, _ := bytes.Cut(data, []byte("\n"))
	if f := strings.TrimSpace(string(first)); len(f) == 5 && strings.EqualFold(f[:4], "sep=") && strings.ContainsRune(",;\t|", rune(f[4])) {
		return rune(f[4]), rest, 1
	}
	if header := csvFirstLine(data); knownColumns(header, ";") > knownColumns(header, ",") {
		return ';', data, 0
	}
	return ',', data, 0
}

// looksLikeCSV reports whether the header of data names two ward columns.
func looksLikeCSV(data []byte) bool {
	comma, body, _ := csvDialect(data)
	return knownColumns(csvFirstLine(body), string(comma)) >= 2
}

// csvFirstLine returns the first line that is not empty.
func csvFirstLine(data []byte) string {
	line, _, _ := bytes.Cut(bytes.TrimLeft(data, "\r\n"), []byte("\n"))
	return string(line)
}

// knownColumns counts the ward columns in a header line split at sep.
func knownColumns(header, sep string) int {
	n := 0
	for _, f := range strings.Split(header, sep) {
		if slices.Contains(csvColumns, fold(strings.Trim(f, "\" \t\r"), '_')) {
			n++
		}
	}
	return n
}

// csvHeader normalises the header row: it needs an id column, and no column
// twice.
func csvHeader(name string, line int, rec []string) ([]string, error) {
	cols := make([]string, len(rec))
	for i, h := range rec {
		cols[i] = fold(h, '_')
		if cols[i] != "" && slices.Index(cols, cols[i]) < i {
			return nil, &ParseError{File: name, Line: line, Column: cols[i], Err: fmt.Errorf("%w: the column is named twice", ErrInvalid)}
		}
	}
	if !slices.Contains(cols, "id") {
		return nil, &ParseError{File: name, Line: line, Column: "id", Err: fmt.Errorf("%w: the header has no id column", ErrRequired)}
	}
	return cols, nil
}

// columnName names column i for an error: its header, or its 1-based number
// when the header cell is empty.
func columnName(cols []string, i int) string {
	if cols[i] == "" {
		return strconv.Itoa(i + 1)
	}
	return cols[i]
}

// setCSV sets the field of a that column col names to the non-empty value v.
func (a *Asset) setCSV(col, v string) error {
	var err error
	switch col {
	case "id":
		a.ID = v
	case "name":
		a.Name = v
	case "kind":
		a.Kind = v
	case "vendor":
		a.Vendor = v
	case "product":
		a.Product = v
	case "version":
		a.Version = v
	case "model":
		a.Model = v
	case "cpe":
		a.CPE, err = v, checkCPE(v)
	case "purl":
		a.PURL, err = v, checkPURL(v)
	case "location":
		a.Location = v
	case "zone":
		a.Zone = v
	case "owner":
		a.Owner = v
	case "exposure":
		a.Exposure, err = parseExposure(v)
	case "clinical_role":
		a.ClinicalRole, err = parseClinicalRole(v)
	case "patch_authority":
		a.PatchAuthority, err = parsePatchAuthority(v)
	case "patient_data":
		a.PatientData, err = parseYesNo(v)
	case "end_of_support":
		a.EndOfSupport, err = parseDate(v)
	case "":
		err = fmt.Errorf("%w: a value in a column with no name", ErrInvalid)
	default:
		a.setAttr(col, v)
	}
	return err
}

// fold lowercases and trims s and writes '_', '-' and ' ' all as sep.
func fold(s string, sep rune) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || r == ' ' {
			return sep
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
}

func parseExposure(v string) (Exposure, error) {
	switch fold(v, '-') {
	case "internet", "internet-facing", "public", "external":
		return ExposureInternet, nil
	case "partner", "vpn", "remote", "remote-access", "vendor-access", "third-party":
		return ExposurePartner, nil
	case "internal", "lan", "intranet":
		return ExposureInternal, nil
	case "isolated", "air-gapped", "airgapped", "offline", "standalone":
		return ExposureIsolated, nil
	}
	return "", fmt.Errorf("%q: %w (want internet, partner, internal or isolated)", v, ErrInvalid)
}

func parseClinicalRole(v string) (ClinicalRole, error) {
	switch fold(v, '-') {
	case "life-sustaining", "life-supporting", "life-support", "life-critical":
		return RoleLifeSustaining, nil
	case "treatment", "therapy", "therapeutic":
		return RoleTreatment, nil
	case "diagnostic", "diagnosis", "diagnostics":
		return RoleDiagnostic, nil
	case "clinical-support", "clinical", "support":
		return RoleClinicalSupport, nil
	case "administrative", "admin", "administration", "office", "business":
		return RoleAdministrative, nil
	}
	return "", fmt.Errorf("%q: %w (want life-sustaining, treatment, diagnostic, clinical-support or administrative)", v, ErrInvalid)
}

func parsePatchAuthority(v string) (PatchAuthority, error) {
	switch fold(v, '-') {
	case "org", "organisation", "organization", "own", "self", "it", "customer":
		return PatchOrg, nil
	case "vendor", "manufacturer", "oem", "supplier":
		return PatchVendor, nil
	}
	return "", fmt.Errorf("%q: %w (want org or vendor)", v, ErrInvalid)
}

func parseYesNo(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "yes", "y", "true", "1":
		return true, nil
	case "no", "n", "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q: %w (want yes or no)", v, ErrInvalid)
}

// parseDate reads YYYY-MM-DD, or YYYY-MM as the first day of the month: for an
// end of support, the earlier reading is the safer one.
func parseDate(v string) (time.Time, error) {
	for _, layout := range []string{time.DateOnly, "2006-01"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: %w (want a date, YYYY-MM-DD, or a month, YYYY-MM)", v, ErrInvalid)
}
