package alert

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// stixNamespace makes ward's STIX ids: the same alert, indicator or CVE
// always gets the same id, so consumers update rather than duplicate.
var stixNamespace = uuid.MustParse("6d4f3b0e-8b1a-5c55-9f0e-7761726400d1")

// STIXID returns the STIX id of type typ for a name, stable across runs.
func STIXID(typ, name string) string {
	return typ + "--" + uuid.NewSHA1(stixNamespace, []byte(typ+"\x00"+name)).String()
}

// tlpMarking is the TLP 2.0 marking definition id of each label.
var tlpMarking = map[TLP]string{
	TLPClear:       "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
	TLPGreen:       "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
	TLPAmber:       "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
	TLPAmberStrict: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
	TLPRed:         "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

// STIXObject is one STIX 2.1 object as ward writes it.
type STIXObject map[string]any

// STIXIdentity is the identity object of a hub, which every object it
// writes names as its creator.
func STIXIdentity(name string) STIXObject {
	return STIXObject{"type": "identity", "spec_version": "2.1", "id": STIXID("identity", name),
		"created": stixTime(time.Unix(0, 0)), "modified": stixTime(time.Unix(0, 0)),
		"name": name, "identity_class": "organization", "sectors": []string{"healthcare"}}
}

// ToSTIX writes a published alert as STIX 2.1: a report (the title,
// summary and actions, severity as a label, the TLP marking) that refers
// to an indicator per indicator and a vulnerability per CVE, all created
// by creator (an identity id).
func (a *Alert) ToSTIX(creator string) []STIXObject {
	at := stixTime(a.Issued)
	common := func(typ, name string) STIXObject {
		o := STIXObject{"type": typ, "spec_version": "2.1", "id": STIXID(typ, name), "created": at, "modified": at,
			"created_by_ref": creator}
		if m, ok := tlpMarking[a.TLP]; ok {
			o["object_marking_refs"] = []string{m}
		}
		return o
	}
	var objects []STIXObject
	var refs []string
	for _, in := range a.Indicators {
		pattern := stixPattern(in)
		if pattern == "" {
			continue
		}
		o := common("indicator", a.ID+"\x00"+in.Type+"\x00"+in.Value)
		o["name"] = fmt.Sprintf("%s %s (%s)", in.Type, in.Value, a.ID)
		o["indicator_types"] = []string{"malicious-activity"}
		o["pattern"], o["pattern_type"], o["valid_from"] = pattern, "stix", at
		objects = append(objects, o)
		refs = append(refs, o["id"].(string))
	}
	for _, cve := range a.CVEs {
		o := common("vulnerability", cve)
		o["created"], o["modified"] = stixTime(time.Unix(0, 0)), stixTime(time.Unix(0, 0)) // the same object from every alert
		o["name"] = cve
		o["external_references"] = []map[string]string{{"source_name": "cve", "external_id": cve}}
		objects = append(objects, o)
		refs = append(refs, o["id"].(string))
	}
	report := common("report", a.ID)
	report["name"] = a.Title
	report["description"] = a.Summary + "\n\nWhat to do in the next 15 minutes: " + a.Actions
	report["published"] = at
	report["report_types"] = []string{"threat-report"}
	report["labels"] = []string{"severity:" + string(a.Severity)}
	ext := []map[string]string{{"source_name": "ward", "external_id": a.ID}}
	for _, id := range a.Advisories {
		ext = append(ext, map[string]string{"source_name": "advisory", "external_id": id})
	}
	for _, u := range a.References {
		ext = append(ext, map[string]string{"source_name": "reference", "url": u})
	}
	report["external_references"] = ext
	if len(refs) == 0 {
		refs = []string{creator} // a report must refer to something
	}
	report["object_refs"] = refs
	return append(objects, report)
}

// stixPattern writes an indicator as a STIX pattern, "" for a type STIX
// patterns do not carry.
func stixPattern(in Indicator) string {
	v := strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(in.Value)
	switch in.Type {
	case "ipv4":
		return fmt.Sprintf("[ipv4-addr:value = '%s']", v)
	case "ipv6":
		return fmt.Sprintf("[ipv6-addr:value = '%s']", v)
	case "cidr":
		if strings.Contains(v, ":") {
			return fmt.Sprintf("[ipv6-addr:value = '%s']", v)
		}
		return fmt.Sprintf("[ipv4-addr:value = '%s']", v)
	case "domain":
		return fmt.Sprintf("[domain-name:value = '%s']", v)
	case "url":
		return fmt.Sprintf("[url:value = '%s']", v)
	case "sha256":
		return fmt.Sprintf("[file:hashes.'SHA-256' = '%s']", v)
	case "sha1":
		return fmt.Sprintf("[file:hashes.'SHA-1' = '%s']", v)
	case "md5":
		return fmt.Sprintf("[file:hashes.MD5 = '%s']", v)
	}
	return ""
}

// stixTime writes a STIX timestamp: UTC, millisecond precision.
func stixTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
