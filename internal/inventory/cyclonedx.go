package inventory

import (
	"bytes"
	"context"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// cycloneDXReader returns the reader of CycloneDX in format, JSON or XML.
//
// The document's metadata.component (the device or application the SBOM is
// about) becomes one asset; see [newSBOM] for its id. Every component, nested
// ones included, becomes a [Component] with the CycloneDX type as its kind
// (ward's kinds use CycloneDX's words: firmware, operating-system, library,
// application, device, framework, container, ...) and as vendor the supplier,
// else the manufacturer, else the publisher, else the group.
//
// Decoding is tolerant of fields the library does not know: vendor SBOMs
// carry extensions, and the user cannot correct them.
func cycloneDXReader(format cdx.BOMFileFormat) parseFunc {
	return func(ctx context.Context, name string, data []byte) (*Result, error) {
		var bom cdx.BOM
		r := bytes.NewReader(data)
		if err := cdx.NewBOMDecoder(r, format).Decode(&bom); err != nil {
			return nil, decodeError(name, data, err)
		}
		if format == cdx.BOMFileFormatXML {
			if err := checkXMLEnd(name, data, r); err != nil {
				return nil, err
			}
		}
		var main sbomPart
		var nested *[]cdx.Component
		if md := bom.Metadata; md != nil && md.Component != nil {
			main = cdxPart(md.Component)
			main.vendor = firstNonEmpty(main.vendor, orgName(md.Manufacturer), orgName(md.Supplier), orgName(md.Manufacture))
			nested = md.Component.Components
		}
		b := newSBOM(name, main, "")
		for _, list := range []*[]cdx.Component{nested, bom.Components} {
			if err := addCycloneDX(ctx, b, list); err != nil {
				return nil, err
			}
		}
		return b.result(), nil
	}
}

// addCycloneDX adds the components in list and those nested in them, depth
// first. The decoders bound nesting depth, so recursion is bounded too.
func addCycloneDX(ctx context.Context, b *sbom, list *[]cdx.Component) error {
	if list == nil {
		return nil
	}
	for i := range *list {
		c := &(*list)[i]
		if err := b.add(ctx, cdxPart(c)); err != nil {
			return err
		}
		if err := addCycloneDX(ctx, b, c.Components); err != nil {
			return err
		}
	}
	return nil
}

func cdxPart(c *cdx.Component) sbomPart {
	return sbomPart{
		ref:     c.BOMRef,
		kind:    strings.ToLower(string(c.Type)),
		vendor:  firstNonEmpty(orgName(c.Supplier), orgName(c.Manufacturer), c.Publisher, c.Group),
		name:    c.Name,
		version: c.Version,
		cpe:     c.CPE,
		purl:    c.PackageURL,
	}
}

func orgName(o *cdx.OrganizationalEntity) string {
	if o == nil {
		return ""
	}
	return strings.TrimSpace(o.Name)
}
