package inventory

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// MaxInputSize is the largest inventory file, in bytes, that [Read] accepts.
const MaxInputSize = 256 << 20

// maxErrors caps how many errors one import reports.
const maxErrors = 100

// maxItems caps the components of one SBOM and the hosts of one scan.
const maxItems = 200_000

// The formats [Read] recognises, as reported in [Result].Format.
const (
	FormatCSV           = "csv"
	FormatCycloneDXJSON = "cyclonedx-json"
	FormatCycloneDXXML  = "cyclonedx-xml"
	FormatSPDXJSON      = "spdx-json"
	FormatNmapXML       = "nmap-xml"
	// FormatMixed is reported by [ReadAll] when the files differ in format.
	FormatMixed = "mixed"
)

// Result is what an import produced.
type Result struct {
	// Format is one of the Format constants.
	Format string
	// Assets are the assets read, in file order. Every one passes
	// [Asset.Validate] and ids are unique.
	Assets []Asset
	// Notices are things the user should know that did not stop the import:
	// unknown columns kept as attributes, identifiers dropped, hosts guessed to be
	// clinical. [ReadAll] prefixes each with its file name.
	Notices []string
}

// parseFunc reads one format from data, already free of a byte order mark.
type parseFunc func(ctx context.Context, name string, data []byte) (*Result, error)

// Read reads a whole inventory from r, recognises its format from the content
// (see the package documentation) and returns its assets. name is used only in
// errors and in [Asset].Source.
//
// Read is all-or-nothing: on error the Result is nil. Errors about the content
// are [*ParseError] values wrapping one of the package's sentinel errors; a
// ward CSV with several bad rows yields them all (up to 100) joined with
// [errors.Join]. An input over [MaxInputSize] fails with [ErrTooLarge], and
// content in no known format with [ErrUnknownFormat].
func Read(ctx context.Context, name string, r io.Reader) (*Result, error) {
	return read(ctx, name, r, MaxInputSize)
}

func read(ctx context.Context, name string, r io.Reader, limit int64) (*Result, error) {
	data, err := io.ReadAll(io.LimitReader(ctxReader{ctx, r}, limit+1))
	if err != nil {
		return nil, fmt.Errorf("inventory: read %s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, &ParseError{File: name, Err: fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	format, parse, err := detect(name, data)
	if err != nil {
		return nil, err
	}
	res, err := parseValid(ctx, name, data, parse)
	if err != nil {
		return nil, err
	}
	res.Format = format
	return res, nil
}

// parseValid runs parse and checks that every asset it returns is valid. The
// CSV reader validates each row as it goes, where it knows the line; for the
// others, which return one asset per SBOM or identified host, this is where an
// SBOM with nothing to match on is refused.
func parseValid(ctx context.Context, name string, data []byte, parse parseFunc) (*Result, error) {
	res, err := parse(ctx, name, data)
	if err != nil {
		return nil, err
	}
	for i := range res.Assets {
		if err := res.Assets[i].Validate(); err != nil {
			return nil, &ParseError{File: name, Err: err}
		}
	}
	return res, nil
}

// ReadFile reads the inventory file at path with [Read], naming it by path.
func ReadFile(ctx context.Context, path string) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil {
		switch {
		case fi.IsDir():
			return nil, fmt.Errorf("inventory: %s is a directory", path)
		case fi.Mode().IsRegular() && fi.Size() > MaxInputSize:
			return nil, &ParseError{File: path, Err: fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, fi.Size(), MaxInputSize)}
		}
	}
	return Read(ctx, path, f)
}

// ReadAll reads several inventory files with [ReadFile] and merges their
// assets in order. It is all-or-nothing across the files: the errors of every
// file are joined, and an id found in two files is an [ErrDuplicate] naming
// both places. Format is the files' common format or [FormatMixed].
func ReadAll(ctx context.Context, paths []string) (*Result, error) {
	all := &Result{}
	var errs errorList
	seen := make(map[string]string) // asset id -> source
	for _, p := range paths {
		res, err := ReadFile(ctx, p)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		if err != nil {
			errs.add(err)
			continue
		}
		switch all.Format {
		case "", res.Format:
			all.Format = res.Format
		default:
			all.Format = FormatMixed
		}
		for _, n := range res.Notices {
			all.Notices = append(all.Notices, p+": "+n)
		}
		for _, a := range res.Assets {
			if first, ok := seen[a.ID]; ok {
				errs.add(&ParseError{File: p, Column: "id", Err: fmt.Errorf("%w %q: in %s and in %s", ErrDuplicate, a.ID, first, a.Source)})
				continue
			}
			seen[a.ID] = a.Source
			all.Assets = append(all.Assets, a)
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return all, nil
}

// detect recognises the format of data from its first bytes and, for JSON and
// XML, from the document's top-level fields or root element.
func detect(name string, data []byte) (string, parseFunc, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return "", nil, &ParseError{File: name, Err: fmt.Errorf("%w: the file is empty", ErrUnknownFormat)}
	case trimmed[0] == '{':
		var head struct {
			BOMFormat   string `json:"bomFormat"`
			SPDXVersion string `json:"spdxVersion"`
		}
		if err := json.Unmarshal(data, &head); err != nil {
			return "", nil, decodeError(name, data, err)
		}
		switch {
		case head.BOMFormat == "CycloneDX":
			return FormatCycloneDXJSON, cycloneDXReader(cdx.BOMFileFormatJSON), nil
		case strings.HasPrefix(head.SPDXVersion, "SPDX-"):
			return FormatSPDXJSON, readSPDX, nil
		}
		return "", nil, &ParseError{File: name, Err: fmt.Errorf("%w: JSON, but neither CycloneDX (bomFormat) nor SPDX (spdxVersion)", ErrUnknownFormat)}
	case trimmed[0] == '<':
		root, err := xmlRoot(data)
		if err != nil {
			return "", nil, decodeError(name, data, err)
		}
		switch {
		case root.Local == "bom" && strings.HasPrefix(root.Space, "http://cyclonedx.org/schema/bom/"):
			return FormatCycloneDXXML, cycloneDXReader(cdx.BOMFileFormatXML), nil
		case root.Local == "nmaprun":
			return FormatNmapXML, readNmap, nil
		}
		return "", nil, &ParseError{File: name, Err: fmt.Errorf("%w: XML with root element %q, neither CycloneDX (bom) nor nmap (nmaprun)", ErrUnknownFormat, root.Local)}
	case looksLikeCSV(data):
		return FormatCSV, readCSV, nil
	}
	return "", nil, &ParseError{File: name, Line: 1, Err: fmt.Errorf("%w: not CycloneDX, SPDX or nmap XML, and the first row names fewer than two ward CSV columns", ErrUnknownFormat)}
}

// xmlRoot returns the name of the first element of an XML document, with its
// namespace resolved.
func xmlRoot(data []byte) (xml.Name, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if err != nil {
			return xml.Name{}, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name, nil
		}
	}
}

// checkXMLEnd reports anything but white space, comments and processing
// instructions in rest, the input after an XML document's root element.
func checkXMLEnd(name string, data []byte, rest *bytes.Reader) error {
	offset := int64(len(data) - rest.Len())
	d := xml.NewDecoder(rest)
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err == nil {
			if cd, ok := tok.(xml.CharData); ok && len(bytes.TrimSpace(cd)) == 0 {
				continue
			}
			switch tok.(type) {
			case xml.Comment, xml.ProcInst:
				continue
			}
			err = errors.New("unexpected data after the root element")
		}
		return &ParseError{File: name, Line: lineAt(data, offset+d.InputOffset()), Err: err}
	}
}

// decodeError turns a JSON or XML decoding error into a [ParseError] naming
// the line where the decoder stopped.
func decodeError(name string, data []byte, err error) error {
	pe := &ParseError{File: name, Err: err}
	var (
		syn  *json.SyntaxError
		typ  *json.UnmarshalTypeError
		xsyn *xml.SyntaxError
	)
	switch {
	case errors.As(err, &syn):
		pe.Line = lineAt(data, syn.Offset)
	case errors.As(err, &typ):
		pe.Line, pe.Column = lineAt(data, typ.Offset), typ.Field
	case errors.As(err, &xsyn):
		pe.Line = xsyn.Line
	}
	return pe
}

// lineAt returns the 1-based line of the byte at offset in data.
func lineAt(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return 1 + bytes.Count(data[:offset], []byte("\n"))
}

// errorList collects the errors of one import, keeping the first maxErrors.
type errorList struct {
	errs []error
	more int
}

func (l *errorList) add(err error) {
	if len(l.errs) < maxErrors {
		l.errs = append(l.errs, err)
		return
	}
	l.more++
}

// err returns nil, the only error, or all errors joined with [errors.Join].
func (l *errorList) err() error {
	switch {
	case len(l.errs) == 0:
		return nil
	case len(l.errs) == 1:
		return l.errs[0]
	case l.more > 0:
		return errors.Join(append(l.errs, fmt.Errorf("%d more errors not shown", l.more))...)
	}
	return errors.Join(l.errs...)
}

// ctxReader stops reading once ctx is done, so a slow or endless input cannot
// outlive the caller's deadline.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
