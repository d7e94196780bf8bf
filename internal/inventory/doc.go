// Package inventory holds ward's model of what an organisation runs: assets (a
// workstation, an infusion pump, a PACS server), the components inside them
// (firmware, operating system, libraries) and the importers that read them from
// ward's CSV, CycloneDX, SPDX and nmap XML.
//
// # Reading inventories
//
// [Read] takes any supported file and recognises its format from the content,
// never from the file name:
//
//   - ward CSV: a header row naming at least two of the columns below;
//   - CycloneDX JSON (bomFormat "CycloneDX") and CycloneDX XML (root element bom
//     in a http://cyclonedx.org/schema/bom/ namespace), spec 1.1 to 1.6;
//   - SPDX JSON (spdxVersion "SPDX-2.3"; 2.1 and 2.2 are converted);
//   - nmap XML (root element nmaprun, as written by nmap -oX).
//
// [ReadFile] reads one file and [ReadAll] merges several. Importers are
// all-or-nothing: a file with one bad row yields an error naming the file, line
// and column ([ParseError]), and no assets. Inputs above [MaxInputSize] bytes are
// refused with [ErrTooLarge]. A leading UTF-8 byte order mark is ignored.
//
// # The CSV format
//
// The first row names the columns. Columns may come in any order; names are
// matched ignoring case, surrounding spaces, and the difference between "_",
// "-" and " " ("Clinical Role" is clinical_role). Columns are separated by
// commas or, as Excel writes in much of Europe, by semicolons: the separator is
// detected from the header row, and an Excel "sep=;" first line is honoured.
// Values are trimmed of surrounding spaces. The file must be UTF-8 (in Excel,
// "CSV UTF-8"). Rows whose cells are all empty are skipped.
//
//	column           required  accepted values
//	id               yes       any text, unique within the file (and across the files of one import)
//	name                       free text: what people call it ("Infusion pump ICU bed 4")
//	kind                       free text: workstation, infusion-pump, router, pacs, ...
//	vendor                     the manufacturer, as the vendor's advisories spell it
//	product                    the product name
//	version                    the software or firmware version
//	model                      the model or catalogue number
//	cpe                        a CPE 2.3 formatted string (cpe:2.3: and 13 parts) or a CPE 2.2 URI (cpe:/...)
//	purl                       a package URL (pkg:type/namespace/name@version)
//	location                   free text: building, ward, room
//	zone                       free text: network segment or VLAN
//	exposure                   see below; empty means unknown (treated as internal)
//	clinical_role              see below; empty means unknown (treated as administrative)
//	patient_data               yes, no, true, false, y, n, 1, 0, or empty (no)
//	patch_authority            org or vendor, see below; empty means unknown
//	end_of_support             a date, YYYY-MM-DD, or a month, YYYY-MM (read as the first day of that month)
//	owner                      free text: the person or team responsible
//
// Each asset needs something to match advisories on: vendor and product, a
// cpe, or a purl ([ErrNoIdentity]). Columns not in this table are kept in
// [Asset].Attributes under their normalised name, and named once in a notice of
// the [Result].
//
// Accepted values, matched ignoring case, and with "_", "-" and " " treated
// alike:
//
//	exposure         internet (also: internet-facing, public, external)
//	                 partner (also: vpn, remote, remote-access, vendor-access, third-party)
//	                 internal (also: lan, intranet)
//	                 isolated (also: air-gapped, airgapped, offline, standalone)
//	clinical_role    life-sustaining (also: life-supporting, life-support, life-critical)
//	                 treatment (also: therapy, therapeutic)
//	                 diagnostic (also: diagnosis, diagnostics)
//	                 clinical-support (also: clinical, support)
//	                 administrative (also: admin, administration, office, business)
//	patch_authority  org (also: organisation, organization, own, self, it, customer)
//	                 vendor (also: manufacturer, oem, supplier)
//
// A small example, with Excel's semicolons (run as the package's Read example):
//
//	id;name;vendor;product;version;exposure;clinical_role;patient_data;patch_authority;room
//	pump-icu-4;Infusion pump ICU 4;Baxter;Sigma Spectrum;8.00.01;internal;life sustaining;no;vendor;ICU 4
//	pacs-1;PACS;;;;internal;clinical support;yes;org;server room
//
// The second row fails: it has no vendor and product, cpe or purl. The error
// names the place, as in
//
//	assets.csv:3: asset "pacs-1": needs vendor and product, a cpe, or a purl
//
// and because the import is all-or-nothing, the first row is not returned
// either. [Read] reports every bad row (up to 100) in one error joined with
// [errors.Join], so that a user can fix them all at once; each is a
// [*ParseError] with the file, the line (the physical line, counting the lines
// inside quoted cells) and the column. Once fixed, the unknown column "room"
// is kept as an attribute and named in a notice.
//
// # SBOMs and scans
//
// A CycloneDX document (JSON or XML, spec 1.1 to 1.6) becomes one asset: the
// device or application in metadata.component, with id its bom-ref, else
// name@version, else the file's base name. Every component, nested ones
// included, becomes a [Component] whose kind is the CycloneDX type (firmware,
// operating-system, library, application, device, framework, container, ...)
// and whose vendor is the supplier, else the manufacturer, else the publisher,
// else the group. At most 200,000 components are read.
//
// An SPDX JSON document becomes one asset too: the package the document
// DESCRIBES, with id name@version, when there is exactly one; else the document
// itself, with id its name. The other packages become components: vendor from
// the supplier (without "Organization:", "Person:" and the e-mail address),
// cpe and purl from external references of type cpe23Type, cpe22Type and purl,
// kind from primaryPackagePurpose.
//
// When the subject of an SBOM is a device or firmware, the asset's patch
// authority is vendor: a medical device's software may be changed only by its
// manufacturer. A malformed cpe or purl in an SBOM is dropped with a notice,
// not refused as in CSV: the user cannot correct a vendor's file.
//
// An nmap XML scan (nmap -oX; -sV -O give the best results) becomes one asset
// per host that is up:
//
//   - id: the host's IPv4 address, else its IPv6 address, else its MAC address;
//   - name: its first host name;
//   - vendor, product, version, cpe and kind from the most accurate OS guess
//     (osclass vendor, osfamily, osgen, cpe and device type);
//   - [Service] values from its open ports, and a [Component] for each service
//     with a product or a cpe, so that advisories match it;
//   - Attributes "mac", "mac_vendor" (the network card's maker, often the device
//     maker) and "os" (the OS guess and its accuracy).
//
// A host speaking DICOM (service dicom or acr-nema, or an unnamed service on
// port 104, 11112, 2761 or 2762) gets kind "imaging-or-pacs"; one speaking HL7
// (service hl7, or an unnamed service on port 2575) kind "hl7-interface". Both
// get clinical role clinical-support and a notice asking the user to confirm.
// Hosts with neither an OS guess nor an identified service are skipped, and a
// host listed twice is kept once, each with a notice. If nmap reports an error
// and found no host, the import fails with [ErrScanFailed].
package inventory
