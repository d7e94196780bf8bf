package inventory

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
)

// readSPDX reads an SPDX JSON document (2.3; 2.1 and 2.2 are converted by the
// library).
//
// When the document DESCRIBES exactly one package, that package is the asset
// (id name@version) and every other package a component. Otherwise the
// document itself is the asset (id the document name) and every package a
// component. A package's vendor is its supplier without the "Organization:" or
// "Person:" prefix and e-mail address; its cpe and purl come from external
// references of type cpe23Type (or cpe22Type) and purl; primaryPackagePurpose,
// lowercased, is its kind.
func readSPDX(ctx context.Context, name string, data []byte) (*Result, error) {
	doc, err := decodeSPDX(name, data)
	if err != nil {
		return nil, err
	}
	described := make(map[common.ElementID]bool)
	for _, r := range doc.Relationships {
		switch {
		case r == nil:
		case r.Relationship == common.TypeRelationshipDescribe && isLocal(r.RefA, doc.SPDXIdentifier) && r.RefB.DocumentRefID == "":
			described[r.RefB.ElementRefID] = true
		case r.Relationship == common.TypeRelationshipDescribeBy && isLocal(r.RefB, doc.SPDXIdentifier) && r.RefA.DocumentRefID == "":
			described[r.RefA.ElementRefID] = true
		}
	}
	var mainPkg *spdx.Package
	for _, p := range doc.Packages {
		if p != nil && described[p.PackageSPDXIdentifier] {
			if mainPkg != nil { // several: the document is the asset
				mainPkg = nil
				break
			}
			mainPkg = p
		}
	}
	var main sbomPart
	if mainPkg != nil {
		main = spdxPart(mainPkg)
		main.ref = "" // an SPDXID such as SPDXRef-Package is unique only within its document
	}
	b := newSBOM(name, main, doc.DocumentName)
	b.asset.Name = firstNonEmpty(b.asset.Name, strings.TrimSpace(doc.DocumentName))
	for _, p := range doc.Packages {
		if p == nil || p == mainPkg {
			continue
		}
		if err := b.add(ctx, spdxPart(p)); err != nil {
			return nil, err
		}
	}
	return b.result(), nil
}

// decodeSPDX decodes an SPDX JSON document with tools-golang. Version 0.5.7
// panics on some malformed documents (a null in "packages" is dereferenced in
// (*v2_3.Document).UnmarshalJSON); the input is untrusted, so such a panic,
// confined to decoding into a local value, becomes an error.
func decodeSPDX(name string, data []byte) (doc spdx.Document, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &ParseError{File: name, Err: fmt.Errorf("%w: malformed SPDX document: %v", ErrInvalid, r)}
		}
	}()
	if err := spdxjson.ReadInto(bytes.NewReader(data), &doc); err != nil {
		return doc, decodeError(name, data, err)
	}
	return doc, nil
}

// isLocal reports whether id is the element want of this document.
func isLocal(id common.DocElementID, want common.ElementID) bool {
	return id.DocumentRefID == "" && id.ElementRefID == want
}

// spdxEmail matches the optional e-mail address that ends an SPDX supplier.
var spdxEmail = regexp.MustCompile(`\s*\([^()]*@[^()]*\)\s*$`)

func spdxPart(p *spdx.Package) sbomPart {
	part := sbomPart{
		ref:     common.RenderElementID(p.PackageSPDXIdentifier),
		kind:    strings.ToLower(p.PrimaryPackagePurpose),
		name:    p.PackageName,
		version: spdxValue(p.PackageVersion),
	}
	if s := p.PackageSupplier; s != nil {
		part.vendor = spdxEmail.ReplaceAllString(spdxValue(s.Supplier), "")
	}
	for _, r := range p.PackageExternalReferences {
		if r == nil {
			continue
		}
		switch r.RefType {
		case common.TypeSecurityCPE23Type, common.TypeSecurityCPE22Type:
			part.cpe = firstNonEmpty(part.cpe, r.Locator)
		case common.TypePackageManagerPURL:
			part.purl = firstNonEmpty(part.purl, r.Locator)
		}
	}
	return part
}

// spdxValue returns s, or "" for SPDX's NOASSERTION and NONE.
func spdxValue(s string) string {
	if s = strings.TrimSpace(s); s == "NOASSERTION" || s == "NONE" {
		return ""
	}
	return s
}
