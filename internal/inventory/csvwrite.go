package inventory

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
)

// WriteCSV writes assets in ward's inventory CSV, the layout [Read] reads
// back: the known columns first, then every attribute name in sorted order.
// Components and services are not part of the CSV.
func WriteCSV(w io.Writer, assets []Asset) error {
	attrSet := map[string]bool{}
	for i := range assets {
		for k := range assets[i].Attributes {
			attrSet[k] = true
		}
	}
	attrs := make([]string, 0, len(attrSet))
	for k := range attrSet {
		attrs = append(attrs, k)
	}
	sort.Strings(attrs)
	cw := csv.NewWriter(w)
	if err := cw.Write(append(append([]string{}, csvColumns...), attrs...)); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	row := make([]string, 0, len(csvColumns)+len(attrs))
	for i := range assets {
		a := &assets[i]
		row = row[:0]
		for _, c := range csvColumns {
			row = append(row, csvField(a, c))
		}
		for _, k := range attrs {
			row = append(row, a.Attributes[k])
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

func csvField(a *Asset, column string) string {
	switch column {
	case "id":
		return a.ID
	case "name":
		return a.Name
	case "kind":
		return a.Kind
	case "vendor":
		return a.Vendor
	case "product":
		return a.Product
	case "version":
		return a.Version
	case "model":
		return a.Model
	case "cpe":
		return a.CPE
	case "purl":
		return a.PURL
	case "location":
		return a.Location
	case "zone":
		return a.Zone
	case "exposure":
		return string(a.Exposure)
	case "clinical_role":
		return string(a.ClinicalRole)
	case "patient_data":
		if a.PatientData {
			return "yes"
		}
		return "no"
	case "patch_authority":
		return string(a.PatchAuthority)
	case "end_of_support":
		if a.EndOfSupport.IsZero() {
			return ""
		}
		return a.EndOfSupport.Format("2006-01-02")
	case "owner":
		return a.Owner
	}
	return ""
}
