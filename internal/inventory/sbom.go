package inventory

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
)

// sbom builds the one asset an SBOM describes.
type sbom struct {
	name    string // file name
	asset   Asset
	ids     identifiers
	skipped int // components with no name, cpe or purl
}

// newSBOM starts the asset from the SBOM's main part: the CycloneDX metadata
// component or the package an SPDX document describes. Its id is main.ref,
// else name@version, else fallback, else the file's base name.
func newSBOM(name string, main sbomPart, fallback string) *sbom {
	b := &sbom{name: name}
	main = b.ids.clean(main)
	b.asset = Asset{
		ID:      firstNonEmpty(main.ref, nameVersion(main.name, main.version), strings.TrimSpace(fallback), filepath.Base(name)),
		Name:    main.name,
		Kind:    main.kind,
		Vendor:  main.vendor,
		Product: main.name,
		Version: main.version,
		CPE:     main.cpe,
		PURL:    main.purl,
		Source:  name,
	}
	// An SBOM whose subject is a device or firmware is, in ward's setting, a
	// medical device's SBOM (FDA premarket guidance, EU MDR): a regulated
	// product whose software only the manufacturer may change. Saying so up
	// front steers advice towards ring-fencing and vendor fixes instead of "patch
	// it yourself". Applications and libraries are left unknown.
	if main.kind == "device" || main.kind == "firmware" {
		b.asset.PatchAuthority = PatchVendor
	}
	return b
}

// add appends p as a component, refusing more than maxItems.
func (b *sbom) add(ctx context.Context, p sbomPart) error {
	n := len(b.asset.Components)
	if n >= maxItems {
		return &ParseError{File: b.name, Err: fmt.Errorf("%w: more than %d components", ErrTooLarge, maxItems)}
	}
	if n%4096 == 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	p = b.ids.clean(p)
	if p.name == "" && p.cpe == "" && p.purl == "" {
		b.skipped++
		return nil
	}
	b.asset.Components = append(b.asset.Components, p.component())
	return nil
}

// result returns the asset, with notices about anything left out.
func (b *sbom) result() *Result {
	res := &Result{Assets: []Asset{b.asset}}
	if n := b.ids.notice(); n != "" {
		res.Notices = append(res.Notices, n)
	}
	if b.skipped > 0 {
		res.Notices = append(res.Notices, fmt.Sprintf("%d components with no name, cpe or purl skipped", b.skipped))
	}
	return res
}
