package inventory_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/ward-health/ward/internal/inventory"
)

// The CSV of the package documentation: the second row has nothing to match
// on, so the import fails and returns no assets.
func ExampleRead() {
	const assets = `id;name;vendor;product;version;exposure;clinical_role;patient_data;patch_authority;room
pump-icu-4;Infusion pump ICU 4;Baxter;Sigma Spectrum;8.00.01;internal;life sustaining;no;vendor;ICU 4
pacs-1;PACS;;;;internal;clinical support;yes;org;server room
`
	res, err := inventory.Read(context.Background(), "assets.csv", strings.NewReader(assets))
	fmt.Println(res, err)

	fixed := strings.Replace(assets, "pacs-1;PACS;;;;", "pacs-1;PACS;Orthanc;Orthanc Server;1.12.1;", 1)
	res, err = inventory.Read(context.Background(), "assets.csv", strings.NewReader(fixed))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Format, res.Notices)
	for _, a := range res.Assets {
		fmt.Println(a.Source, a.ID, a.Vendor, a.Product, a.Exposure, a.ClinicalRole, a.PatientData, a.PatchAuthority, a.Attributes["room"])
	}
	// Output:
	// <nil> assets.csv:3: asset "pacs-1": needs vendor and product, a cpe, or a purl
	// csv [unknown columns kept as attributes: room]
	// assets.csv:2 pump-icu-4 Baxter Sigma Spectrum internal life-sustaining false vendor ICU 4
	// assets.csv:3 pacs-1 Orthanc Orthanc Server internal clinical-support true org server room
}
