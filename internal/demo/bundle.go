package demo

import (
	"bytes"
	"compress/gzip"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/match"
)

// data holds the bundle and its README. The folder is embedded whole so that
// the package builds before the generator has written the bundle: the
// generator imports this package.
//
//go:embed data
var data embed.FS

// bundleFile is the bundle's name inside data.
const bundleFile = "data/bundle.json.gz"

// Format names the bundle layout; [Decode] refuses any other.
const Format = "ward-demo-bundle/1"

// maxBundle bounds the decompressed bundle: a guard against a broken or
// hostile file, far above the real one (about 5 MB).
const maxBundle = 64 << 20

// Errors of the bundle.
var (
	// ErrNoBundle means the binary was built without data/bundle.json.gz.
	// Callers cannot recover; the fix is `go generate ./internal/demo`.
	ErrNoBundle = errors.New("demo: no advisory bundle in this build")
	// ErrBundle means a bundle is not in the [Format] layout or is damaged;
	// the message says where. The embedded bundle is tested, so seeing this
	// for it is a build defect.
	ErrBundle = errors.New("demo: bad advisory bundle")
)

// File is the bundle as stored: the advisories, the KEV catalogue and the
// EPSS scores the demo needs, and where they came from. Advisories are
// [advisory.Advisory] values exactly as [advisory.Load] read them, except that
// Source names the file relative to the shared data folder
// ("csaf/cisa-icsma/2021/icsma-21-187-01.json").
type File struct {
	Format string `json:"format"`
	// Generated is the day the bundle was made.
	Generated  time.Time            `json:"generated"`
	Sources    []Source             `json:"sources"`
	Advisories []*advisory.Advisory `json:"advisories"`
	KEV        advisory.KEV         `json:"kev"`
	EPSS       *EPSS                `json:"epss,omitempty"`
}

// Source is one public data set the bundle was made from.
type Source struct {
	Folder     string `json:"folder"`     // under shared/data: "csaf/cisa-icsma"
	Repository string `json:"repository"` // "cisagov/CSAF"
	Commit     string `json:"commit"`     // "6960219f"
	Date       string `json:"date"`       // of the commit: "2024-10-24"
	What       string `json:"what"`       // what the folder holds
	Licence    string `json:"licence"`    // "US Government work, public domain", "CC0-1.0"
	Count      int    `json:"count"`      // advisories, KEV entries or EPSS scores taken from it
}

// EPSS is [advisory.EPSS] as the bundle stores it.
type EPSS struct {
	ModelVersion string                        `json:"model_version,omitempty"`
	Date         time.Time                     `json:"date"`
	Scores       map[string]advisory.EPSSScore `json:"scores"`
}

// Bundle decodes the embedded bundle into a fresh [advisory.Set] (advisories,
// KEV and EPSS; no errors, nothing skipped). Each call decodes anew, so the
// caller owns the result. It takes about 50 ms.
func Bundle() (*advisory.Set, error) {
	f, err := Open()
	if err != nil {
		return nil, err
	}
	return f.Set(), nil
}

// Open decodes the embedded bundle, with its sources and generation day.
func Open() (*File, error) {
	raw, err := data.ReadFile(bundleFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoBundle
	}
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return Decode(bytes.NewReader(raw))
}

// Readme returns data/README.md: the sources and licences in words, for an
// "about the demo data" page.
func Readme() string {
	b, _ := data.ReadFile("data/README.md") // embedded with the package: always there
	return string(b)
}

// Decode reads a gzipped bundle strictly: unknown fields, trailing data, a
// missing or other [Format], and more than 64 MiB decompressed are errors
// wrapping [ErrBundle].
func Decode(r io.Reader) (*File, error) {
	return decode(r, maxBundle)
}

// decode is Decode with a bound on the decompressed size.
func decode(r io.Reader, limit int64) (*File, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: gzip: %w", ErrBundle, err)
	}
	defer zr.Close()
	lr := &io.LimitedReader{R: zr, N: limit + 1}
	dec := json.NewDecoder(lr)
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		if lr.N <= 0 {
			return nil, fmt.Errorf("%w: more than %d bytes decompressed", ErrBundle, limit)
		}
		return nil, fmt.Errorf("%w: %w", ErrBundle, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if lr.N <= 0 {
			return nil, fmt.Errorf("%w: more than %d bytes decompressed", ErrBundle, limit)
		}
		return nil, fmt.Errorf("%w: data after the bundle", ErrBundle)
	}
	if f.Format != Format {
		return nil, fmt.Errorf("%w: format %q, want %q", ErrBundle, f.Format, Format)
	}
	for i, a := range f.Advisories {
		if a == nil {
			return nil, fmt.Errorf("%w: advisory %d is null", ErrBundle, i)
		}
	}
	return &f, nil
}

// Encode writes f gzipped, the same bytes for the same f: JSON object keys
// in a fixed order, no timestamp in the gzip header.
func (f *File) Encode(w io.Writer) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(zw).Encode(f); err != nil {
		return fmt.Errorf("demo: encode bundle: %w", err)
	}
	return zw.Close()
}

// Set returns the bundle as an [advisory.Set]. The set shares the
// advisories with f.
func (f *File) Set() *advisory.Set {
	s := &advisory.Set{Advisories: f.Advisories, KEV: f.KEV}
	if s.Advisories == nil {
		s.Advisories = []*advisory.Advisory{}
	}
	if f.EPSS != nil {
		s.EPSS = &advisory.EPSS{ModelVersion: f.EPSS.ModelVersion, Date: f.EPSS.Date, Scores: f.EPSS.Scores}
	}
	return s
}

// An input is one file or folder under the shared data folder that the
// bundle is made from.
type input struct {
	folder string // the README's name for it: "csaf/cisa-icsma", "kev"
	path   string // what to load, relative to the shared data folder
}

// inputs are the bundle's inputs: CISA's medical advisories, the CVE records
// of cisagov/vulnrichment, the KEV catalogue and the EPSS scores.
func inputs() []input {
	return []input{
		{"csaf/cisa-icsma", "csaf/cisa-icsma"},
		{"cve-vulnrichment", "cve-vulnrichment"},
		{"kev", "kev/known_exploited_vulnerabilities.json"},
		{"epss", "epss/epss_scores-kev-subset.derived.csv"},
	}
}

// Build makes a bundle from the shared data folder root (shared/data beside
// the repository): it loads the inputs with [advisory.Load], keeps every
// CISA medical advisory (CSAF, ICSMA-…) and every CVE record with a product
// of a vendor the demo organisations use (by vendor name or CPE, vendor
// aliases applied), and the whole KEV catalogue and EPSS file. Source names
// are made relative to root, with forward slashes. The Sources it returns
// carry each input's folder and count; the caller adds where the folder came
// from (repository, commit, licence) and sets Generated. Any file that
// cannot be read is an error: a bundle is made whole or not at all.
func Build(ctx context.Context, root string, opts advisory.Options) (*File, error) {
	ins := inputs()
	paths := make([]string, len(ins))
	for i, in := range ins {
		paths[i] = filepath.Join(root, filepath.FromSlash(in.path))
	}
	set, err := advisory.Load(ctx, paths, opts)
	if err != nil {
		return nil, fmt.Errorf("demo: build: %w", err)
	}
	if len(set.Errors) > 0 {
		errs := make([]error, len(set.Errors))
		for i := range set.Errors {
			errs[i] = &set.Errors[i]
		}
		return nil, fmt.Errorf("demo: build: %w", errors.Join(errs...))
	}
	if set.KEV == nil || set.EPSS == nil {
		return nil, fmt.Errorf("demo: build: no KEV catalogue or no EPSS scores under %s", root)
	}
	f := &File{Format: Format, KEV: set.KEV,
		EPSS: &EPSS{ModelVersion: set.EPSS.ModelVersion, Date: set.EPSS.Date, Scores: set.EPSS.Scores}}
	names := match.NewNames()
	used := demoVendors(names)
	count := map[string]int{}
	for _, a := range set.Advisories {
		if !keep(a, names, used) {
			continue
		}
		c := *a
		if rel, err := filepath.Rel(root, a.Source); err == nil && filepath.IsLocal(rel) {
			c.Source = filepath.ToSlash(rel)
		}
		for _, in := range ins {
			if strings.HasPrefix(c.Source, in.path+"/") {
				count[in.folder]++
			}
		}
		f.Advisories = append(f.Advisories, &c)
	}
	for _, in := range ins {
		n := count[in.folder]
		switch in.folder {
		case "kev":
			n = len(set.KEV)
		case "epss":
			n = len(set.EPSS.Scores)
		}
		f.Sources = append(f.Sources, Source{Folder: in.folder, Count: n})
	}
	return f, nil
}

// keep reports whether the bundle keeps advisory a.
func keep(a *advisory.Advisory, names *match.Names, used map[string]bool) bool {
	switch a.Format {
	case "csaf":
		return strings.HasPrefix(strings.ToUpper(a.ID), "ICSMA-")
	case "cve5":
		for _, v := range a.Vulnerabilities {
			for _, af := range v.Affects {
				for _, k := range identityVendors(names, af.Product.Vendor, af.Product.CPEs...) {
					if used[k] {
						return true
					}
				}
			}
		}
	}
	return false
}

// demoVendors returns the vendor keys of every asset, component and CPE of
// the demo organisations.
func demoVendors(names *match.Names) map[string]bool {
	used := map[string]bool{}
	for _, o := range Organisations(nil) {
		for _, a := range o.Assets {
			for _, k := range identityVendors(names, a.Vendor, a.CPE) {
				used[k] = true
			}
			for _, c := range a.Components {
				for _, k := range identityVendors(names, c.Vendor, c.CPE) {
					used[k] = true
				}
			}
		}
	}
	return used
}

// identityVendors returns comparable keys for a vendor name and the vendors
// of CPEs: canonical vendors without spaces or underscores, so that "Palo
// Alto Networks" and the CPE vendor "paloaltonetworks" meet.
func identityVendors(names *match.Names, vendor string, cpes ...string) []string {
	var out []string
	squash := strings.NewReplacer(" ", "", "_", "")
	for _, v := range names.Vendors(vendor) {
		out = append(out, squash.Replace(v))
	}
	for _, c := range cpes {
		parts := strings.Split(c, ":")
		if len(parts) > 3 && parts[3] != "*" && parts[3] != "-" {
			out = append(out, squash.Replace(names.Vendor(strings.ReplaceAll(parts[3], "_", " "))))
		}
	}
	return out
}
