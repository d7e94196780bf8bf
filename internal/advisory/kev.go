package advisory

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxKEVEntries bounds the catalogue (CISA's holds about 1,400).
const maxKEVEntries = 100_000

// kevJSON is CISA's catalogue in its JSON form.
type kevJSON struct {
	CatalogVersion  string          `json:"catalogVersion"`
	Vulnerabilities *[]kevJSONEntry `json:"vulnerabilities"`
}

type kevJSONEntry struct {
	CVEID                      string `json:"cveID"`
	VendorProject              string `json:"vendorProject"`
	Product                    string `json:"product"`
	VulnerabilityName          string `json:"vulnerabilityName"`
	DateAdded                  string `json:"dateAdded"`
	ShortDescription           string `json:"shortDescription"`
	RequiredAction             string `json:"requiredAction"`
	DueDate                    string `json:"dueDate"`
	KnownRansomwareCampaignUse string `json:"knownRansomwareCampaignUse"`
}

// ReadKEV reads CISA's Known Exploited Vulnerabilities catalogue, in its JSON
// form (known_exploited_vulnerabilities.json) or its CSV form
// (known_exploited_vulnerabilities.csv); the content tells which. Every entry
// needs cveID and dateAdded; knownRansomwareCampaignUse "Known" sets
// [KEVEntry.KnownRansomware]. When a CVE is listed twice the later entry
// wins. Errors name the entry (JSON) or the line (CSV).
func ReadKEV(ctx context.Context, name string, data []byte) (KEV, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("kev: %w", err)
	}
	data = trimBOM(data)
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return readKEVJSON(data)
	}
	return readKEVCSV(ctx, name, data)
}

func readKEVJSON(data []byte) (KEV, error) {
	var doc kevJSON
	if err := decodeJSON(data, &doc); err != nil {
		return nil, fmt.Errorf("kev: %w", err)
	}
	if doc.Vulnerabilities == nil {
		return nil, fmt.Errorf("kev: %w: vulnerabilities is missing", ErrInvalid)
	}
	vs := *doc.Vulnerabilities
	if len(vs) > maxKEVEntries {
		return nil, fmt.Errorf("kev: %w: %d entries, more than %d", ErrTooLarge, len(vs), maxKEVEntries)
	}
	out := make(KEV, len(vs))
	for i, v := range vs {
		e, err := v.entry()
		if err != nil {
			return nil, fmt.Errorf("kev: %w: vulnerabilities[%d].%w", ErrInvalid, i, err)
		}
		out[e.CVE] = e
	}
	return out, nil
}

// entry checks and converts one entry. Its errors start with the field name.
func (v kevJSONEntry) entry() (KEVEntry, error) {
	id := strings.ToUpper(strings.TrimSpace(v.CVEID))
	if id == "" {
		return KEVEntry{}, errors.New("cveID is missing")
	}
	if !strings.HasPrefix(id, "CVE-") {
		return KEVEntry{}, fmt.Errorf("cveID %q is not a CVE id", v.CVEID)
	}
	if strings.TrimSpace(v.DateAdded) == "" {
		return KEVEntry{}, errors.New("dateAdded is missing")
	}
	added, err := parseTime(v.DateAdded)
	if err != nil {
		return KEVEntry{}, fmt.Errorf("dateAdded: %w", err)
	}
	due, err := parseTime(v.DueDate)
	if err != nil {
		return KEVEntry{}, fmt.Errorf("dueDate: %w", err)
	}
	return KEVEntry{
		CVE:              id,
		Vendor:           strings.TrimSpace(v.VendorProject),
		Product:          strings.TrimSpace(v.Product),
		Name:             strings.TrimSpace(v.VulnerabilityName),
		DateAdded:        added,
		DueDate:          due,
		RequiredAction:   strings.TrimSpace(v.RequiredAction),
		KnownRansomware:  strings.EqualFold(strings.TrimSpace(v.KnownRansomwareCampaignUse), "Known"),
		ShortDescription: strings.TrimSpace(v.ShortDescription),
	}, nil
}

func readKEVCSV(ctx context.Context, name string, data []byte) (KEV, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("kev: %s: %w: header: %w", name, ErrInvalid, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"cveid", "dateadded"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("kev: %s:1: %w: no %s column", name, ErrInvalid, need)
		}
	}
	get := func(rec []string, key string) string {
		if i, ok := col[key]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	out := KEV{}
	for n := 0; ; n++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("kev: %s: %w: %w", name, ErrInvalid, err)
		}
		if n >= maxKEVEntries {
			return nil, fmt.Errorf("kev: %s: %w: more than %d entries", name, ErrTooLarge, maxKEVEntries)
		}
		if n%10_000 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("kev: %w", ctx.Err())
		}
		line, _ := r.FieldPos(0)
		e, err := kevJSONEntry{
			CVEID:                      get(rec, "cveid"),
			VendorProject:              get(rec, "vendorproject"),
			Product:                    get(rec, "product"),
			VulnerabilityName:          get(rec, "vulnerabilityname"),
			DateAdded:                  get(rec, "dateadded"),
			ShortDescription:           get(rec, "shortdescription"),
			RequiredAction:             get(rec, "requiredaction"),
			DueDate:                    get(rec, "duedate"),
			KnownRansomwareCampaignUse: get(rec, "knownransomwarecampaignuse"),
		}.entry()
		if err != nil {
			return nil, fmt.Errorf("kev: %s:%d: %w: %w", name, line, ErrInvalid, err)
		}
		out[e.CVE] = e
	}
	return out, nil
}
