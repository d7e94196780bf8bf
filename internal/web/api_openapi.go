package web

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/store"
)

// The OpenAPI 3.1 description of the API is built here, in Go, from the
// same tables the handlers use (states, decisions, roles); a test checks
// that it names exactly the routes [Server.Patterns] registers and that it
// validates.

// obj is a JSON object of the document.
type obj = map[string]any

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func str(desc string) obj {
	if desc == "" {
		return obj{"type": "string"}
	}
	return obj{"type": "string", "description": desc}
}

func enum[T ~string](vs []T) obj { return obj{"type": "string", "enum": asStrings(vs)} }

func stamp() obj { return obj{"type": "string", "format": "date-time"} }

func integer() obj { return obj{"type": "integer"} }

func boolean() obj { return obj{"type": "boolean"} }

func array(items obj) obj { return obj{"type": "array", "items": items} }

// object is an object schema; required names its required properties.
func object(props obj, required ...string) obj {
	o := obj{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func list(item string) obj {
	return object(obj{"items": array(ref(item)), "next": str("cursor of the next page; absent on the last page")}, "items")
}

func jsonContent(schema obj) obj { return obj{"application/json": obj{"schema": schema}} }

func param(name, in, desc string, schema obj) obj {
	p := obj{"name": name, "in": in, "description": desc, "schema": schema}
	if in == "path" {
		p["required"] = true
	}
	return p
}

var (
	cursorParam = param("cursor", "query", "the `next` of the previous page", obj{"type": "string"})
	limitParam  = param("limit", "query", "page size", obj{"type": "integer", "minimum": 1, "maximum": store.MaxLimit, "default": store.DefaultLimit})
	idParam     = param("id", "path", "the object's id", obj{"type": "string"})
)

// op is an operation answering ok with schema (nil: no body); errs are the
// error statuses it may answer besides 401 and 500.
func op(id, summary, role string, params []obj, body obj, ok string, schema obj, errs ...string) obj {
	o := obj{"operationId": id, "summary": summary, "tags": []string{role}}
	if len(params) > 0 {
		o["parameters"] = params
	}
	if body != nil {
		o["requestBody"] = obj{"required": true, "content": body}
	}
	res := obj{}
	if schema != nil {
		res[ok] = obj{"description": "OK", "content": jsonContent(schema)}
	} else {
		res[ok] = obj{"description": "done"}
	}
	for _, e := range append([]string{"401", "500"}, errs...) {
		res[e] = obj{"$ref": "#/components/responses/E" + e}
	}
	o["responses"] = res
	if role == "public" {
		o["security"] = []obj{}
	}
	return o
}

// The alert severities and TLP labels, for the schemas.
var (
	alertSeverities = []alert.Severity{alert.Critical, alert.High, alert.Medium, alert.Low}
	alertTLPs       = []alert.TLP{alert.TLPClear, alert.TLPGreen, alert.TLPAmber, alert.TLPAmberStrict, alert.TLPRed}
)

// alertInput is the schema of an alert file (alert.Parse rejects unknown
// fields).
func alertInput() obj {
	strs := func(desc string) obj { o := array(obj{"type": "string"}); o["description"] = desc; return o }
	targets := object(obj{"kinds": strs("hospital, practice, ems, lab, provider, other"), "countries": strs("ISO 3166-1 alpha-2"),
		"organisations": strs("site ids; required for TLP:RED and TLP:AMBER+STRICT")})
	targets["additionalProperties"] = false
	in := object(obj{"title": str("at most 200 bytes"), "summary": str("what happened, in plain words"),
		"actions": str("what to do in the next 15 minutes"), "severity": enum(alertSeverities), "tlp": enum(alertTLPs),
		"cves": strs("CVE ids"), "advisories": strs("advisory ids"), "references": strs("http(s) URLs"),
		"indicators": array(object(obj{"type": obj{"type": "string", "enum": []string{"ipv4", "ipv6", "cidr", "domain", "url", "sha256", "sha1", "md5"}},
			"value": str("")}, "type", "value")),
		"targets": targets}, "title", "summary", "actions", "severity", "tlp")
	in["additionalProperties"] = false
	return in
}

func openAPIDocument() obj {
	errResp := func(desc string) obj {
		return obj{"description": desc, "content": jsonContent(ref("Error"))}
	}
	service := object(obj{"port": integer(), "protocol": str("tcp or udp"), "name": str(""), "product": str(""), "version": str(""), "cpe": str("")}, "port", "protocol")
	component := object(obj{"ref": str(""), "kind": str(""), "vendor": str(""), "name": str(""), "version": str(""), "cpe": str(""), "purl": str("")}, "name")
	assetProps := func() obj {
		return obj{
			"id": str("unique within the organisation"), "name": str(""), "kind": str("free text: workstation, infusion-pump, …"),
			"vendor": str(""), "product": str(""), "version": str(""), "model": str(""), "cpe": str("CPE 2.3"), "purl": str("package URL"),
			"location": str(""), "zone": str("network segment"), "exposure": enum(inventory.Exposures),
			"clinical_role": enum(inventory.ClinicalRoles), "patient_data": boolean(),
			"patch_authority": obj{"type": "string", "enum": []string{"org", "vendor"}}, "end_of_support": stamp(), "owner": str(""),
			"components": array(component), "services": array(service),
			"attributes": obj{"type": "object", "additionalProperties": obj{"type": "string"}}, "source": str("where the asset came from"),
		}
	}
	assetIn := object(assetProps(), "id")
	assetIn["additionalProperties"] = false
	assetPatch := object(assetProps())
	assetPatch["additionalProperties"] = false
	assetOut := assetProps()
	assetOut["created_at"], assetOut["updated_at"] = stamp(), stamp()

	schemas := obj{
		"Error": object(obj{"error": str("what went wrong"), "errors": array(object(obj{
			"line": integer(), "column": str(""), "message": str(""),
		}, "message"))}, "error"),
		"Me": object(obj{
			"organisation": object(obj{"id": str(""), "name": str(""), "kind": enum(store.OrgKinds), "country": str("ISO 3166-1 alpha-2")}, "id", "name", "kind", "country"),
			"token":        object(obj{"id": str(""), "name": str(""), "role": enum(store.Roles)}, "id", "name", "role"),
		}, "organisation", "token"),
		"AssetInput": assetIn,
		"AssetPatch": assetPatch,
		"Asset":      object(assetOut, "id", "created_at", "updated_at"),
		"AssetList":  list("Asset"),
		"Feed": object(obj{
			"id": str(""), "name": str(""), "kind": enum(store.FeedKinds), "source": str("URL without credentials, or folder"),
			"interval": str("Go duration: 6h0m0s"), "enabled": boolean(), "last_attempt": stamp(), "last_success": stamp(),
			"last_error": str("absent when the last attempt succeeded"),
			"counts":     object(obj{"added": integer(), "changed": integer(), "removed": integer(), "failed": integer(), "advisories": integer()}),
			"running":    boolean(),
			"progress":   object(obj{"phase": str("fetching, loading or matching"), "done": integer(), "total": integer()}),
		}, "id", "name", "kind", "source", "interval", "enabled", "counts", "running"),
		"FeedList": object(obj{"items": array(ref("Feed")), "ready": boolean()}, "items", "ready"),
		"ReceivedAlert": object(obj{"id": str(""), "seq": integer(), "title": str(""), "severity": enum(alertSeverities), "tlp": enum(alertTLPs),
			"key_id": str("the hub key whose signature verified"), "received_at": stamp(), "matched_at": stamp(),
			"affected": boolean(), "assets": obj{"type": "object", "description": "affected assets by decision", "additionalProperties": integer()},
			"acknowledged_at": stamp(), "ack_by": str(""),
			"shared_at": stamp(), "shared_by": str("who switched on sharing the affected assets' details with the hub for this alert")}, "id", "seq", "title", "severity", "tlp", "key_id", "received_at", "affected", "assets"),
		"ReceivedAlertList": list("ReceivedAlert"),
		"HubAlert": object(obj{"id": str(""), "seq": integer(), "title": str(""), "severity": enum(alertSeverities), "tlp": enum(alertTLPs),
			"created_by": str(""), "created_at": stamp(), "published_at": stamp(),
			"reached": integer(), "acknowledged": integer(), "affected": integer()},
			"id", "seq", "title", "severity", "tlp", "created_by", "created_at", "reached", "acknowledged", "affected"),
		"HubAlertList": list("HubAlert"),
		"AlertInput":   alertInput(),
		"ImportResult": object(obj{
			"format": str("csv, cyclonedx-json, cyclonedx-xml, spdx-json or nmap-xml"), "assets": integer(),
			"added": integer(), "updated": integer(), "removed": integer(), "notices": array(obj{"type": "string"}),
			"findings": object(obj{"new": integer(), "updated": integer(), "reopened": integer(), "resolved": integer()},
				"new", "updated", "reopened", "resolved"),
		}, "format", "assets", "added", "updated", "removed"),
		"Finding": object(obj{
			"id": str("opaque; use it in URLs"), "asset_id": str(""), "advisory_id": str(""), "vuln_id": str("CVE id, or the source's"),
			"component": str(""), "state": enum(store.FindingStates), "decision": enum(risk.Decisions), "due": stamp(),
			"assignee": str(""), "reason": str(""), "accept_expires_at": stamp(), "justification": enum(store.VEXJustifications),
			"first_seen": stamp(), "last_seen": stamp(), "updated_at": stamp(),
			"item": obj{"type": "object", "description": "what the latest scan found: evidence, action, ring-fence, …"},
		}, "id", "asset_id", "advisory_id", "state", "first_seen", "last_seen", "updated_at", "item"),
		"FindingList": list("Finding"),
		"FindingPatch": func() obj {
			o := object(obj{
				"state": enum(store.FindingStates), "note": str("kept in the history"), "reason": str("required for risk_accepted"),
				"justification": enum(store.VEXJustifications), "accept_expires_at": stamp(),
				"assignee": str("sets the assignee; \"\" clears it"),
			})
			o["additionalProperties"] = false
			return o
		}(),
		"Event": object(obj{"id": integer(), "at": stamp(), "actor": str(""), "from": enum(store.FindingStates),
			"to": enum(store.FindingStates), "comment": str("")}, "id", "at", "actor", "from", "to"),
		"EventList": list("Event"),
		"AdvisorySummary": object(obj{"id": str(""), "title": str(""), "publisher": str(""), "published": stamp(),
			"updated": stamp(), "tlp": str(""), "url": str(""), "cves": array(obj{"type": "string"})}, "id", "cves"),
		"AdvisoryList": list("AdvisorySummary"),
		"Advisory": object(obj{
			"id": str(""), "format": str(""), "title": str(""), "publisher": str(""), "published": stamp(), "updated": stamp(),
			"tlp": str(""), "url": str(""), "summary": str(""),
			"vulnerabilities": array(obj{"type": "object"}),
			"affected": array(object(obj{"finding": str("finding id"), "asset_id": str(""), "vuln_id": str(""),
				"state": enum(store.FindingStates), "decision": enum(risk.Decisions)}, "finding", "asset_id", "state")),
			"affected_more": boolean(),
		}, "id", "vulnerabilities", "affected"),
		"Report": object(obj{
			"organisation": str(""), "total": integer(), "open": integer(),
			"by_state":    obj{"type": "object", "additionalProperties": obj{"type": "integer"}},
			"by_decision": obj{"type": "object", "additionalProperties": obj{"type": "integer"}},
			"counts": array(object(obj{"state": enum(store.FindingStates), "decision": enum(risk.Decisions), "count": integer()},
				"state", "count")),
		}, "total", "open", "by_state", "by_decision", "counts"),
	}
	findingFilters := []obj{
		param("state", "query", "repeatable or comma-separated", obj{"type": "string"}),
		param("decision", "query", "repeatable or comma-separated: act, attend, track*, track", obj{"type": "string"}),
		param("confidence", "query", "confirmed or possible", obj{"type": "string"}),
		param("asset", "query", "asset id", obj{"type": "string"}),
		param("advisory", "query", "advisory id", obj{"type": "string"}),
		param("kev", "query", "only known exploited vulnerabilities", obj{"type": "boolean"}),
	}
	importBody := obj{}
	for _, t := range importTypes {
		importBody[t] = obj{"schema": obj{"type": "string"}}
	}
	p := apiPrefix
	paths := obj{
		p + "/openapi.json": obj{"get": op("openapi", "this document", "public", nil, nil, "200", obj{"type": "object"})},
		p + "/me":           obj{"get": op("me", "the token and its organisation", "viewer", nil, nil, "200", ref("Me"))},
		p + "/report": obj{"get": op("report", "exposure summary: findings by state and decision", "viewer",
			findingFilters, nil, "200", ref("Report"), "400")},
		p + "/assets": obj{
			"get": op("listAssets", "list assets", "viewer", []obj{cursorParam, limitParam,
				param("kind", "query", "", obj{"type": "string"}), param("zone", "query", "", obj{"type": "string"}),
				param("role", "query", "clinical role", enum(inventory.ClinicalRoles)),
				param("exposure", "query", "", enum(inventory.Exposures)),
				param("q", "query", "substring of id, name, vendor or product", obj{"type": "string"}),
			}, nil, "200", ref("AssetList"), "400"),
			"post": op("createAsset", "create an asset; 409 when its id exists", "admin", nil,
				jsonContent(ref("AssetInput")), "201", ref("Asset"), "400", "403", "409", "413", "415"),
		},
		p + "/assets/import": obj{"post": op("importAssets", "import an inventory file (ward CSV, CycloneDX, SPDX, nmap XML) all or nothing, then rescan", "admin",
			[]obj{param("mode", "query", "merge keeps assets the file does not name; replace deletes them", obj{"type": "string", "enum": []string{"merge", "replace"}})},
			importBody, "200", ref("ImportResult"), "400", "403", "413", "415")},
		p + "/assets/{id}": obj{
			"get": op("getAsset", "one asset", "viewer", []obj{idParam}, nil, "200", ref("Asset"), "404"),
			"put": op("putAsset", "replace an asset", "admin", []obj{idParam}, jsonContent(ref("AssetPatch")), "200", ref("Asset"),
				"400", "403", "404", "413", "415"),
			"patch": op("patchAsset", "change the fields the body names (JSON merge patch, no nulls)", "admin", []obj{idParam},
				obj{"application/merge-patch+json": obj{"schema": ref("AssetPatch")}, "application/json": obj{"schema": ref("AssetPatch")}},
				"200", ref("Asset"), "400", "403", "404", "413", "415"),
			"delete": op("deleteAsset", "delete an asset", "admin", []obj{idParam}, nil, "204", nil, "403", "404"),
		},
		p + "/findings": obj{"get": op("listFindings", "list findings, most urgent first", "viewer",
			append([]obj{cursorParam, limitParam}, findingFilters...), nil, "200", ref("FindingList"), "400")},
		p + "/findings/{id}": obj{
			"get": op("getFinding", "one finding", "viewer", []obj{idParam}, nil, "200", ref("Finding"), "404"),
			"patch": op("patchFinding", "move a finding to another state and/or assign it", "responder", []obj{idParam},
				jsonContent(ref("FindingPatch")), "200", ref("Finding"), "400", "403", "404", "409", "413", "415"),
		},
		p + "/findings/{id}/history": obj{"get": op("findingHistory", "a finding's history, oldest first", "viewer",
			[]obj{idParam, cursorParam, limitParam}, nil, "200", ref("EventList"), "400", "404")},
		p + "/advisories": obj{"get": op("listAdvisories", "the advisories this node knows, by id", "viewer",
			[]obj{cursorParam, limitParam, param("q", "query", "substring of id, title or CVE id", obj{"type": "string"})},
			nil, "200", ref("AdvisoryList"), "400")},
		p + "/advisories/{id}": obj{"get": op("getAdvisory", "one advisory with the caller's findings from it", "viewer",
			[]obj{idParam}, nil, "200", ref("Advisory"), "404")},
		p + "/feeds": obj{"get": op("listFeeds", "the node's advisory feeds: last success, last error, counts, progress of a running sync", "viewer",
			nil, nil, "200", ref("FeedList"))},
		p + "/feeds/{id}/sync": obj{"post": op("syncFeed", "start a sync of the feed in the background; 409 while one runs", "admin",
			[]obj{idParam}, nil, "202", object(obj{"status": str("started")}, "status"), "403", "404", "409")},
		p + "/alerts": obj{"get": op("listAlerts", "the early warnings the organisation received, newest first, with what matched (sites only)", "viewer",
			[]obj{cursorParam, limitParam}, nil, "200", ref("ReceivedAlertList"), "400", "404")},
		p + "/alerts/{id}/ack": obj{"post": op("ackAlert", "acknowledge a received alert; the hub is told (sites only; 503: recorded, the hub is told with the next report)", "responder",
			[]obj{idParam}, nil, "200", ref("ReceivedAlert"), "403", "404", "503")},
		p + "/alerts/{id}/share": obj{"post": op("shareAlert", "share the affected assets' details (name, vendor, product, version, decision) of a received alert with the hub, which at once gets a report naming them; audit-logged, cannot be undone (sites only; 503: recorded, the hub is told with the next report)", "responder",
			[]obj{idParam}, nil, "200", ref("ReceivedAlert"), "403", "404", "503")},
		p + "/hub/alerts": obj{
			"get": op("listHubAlerts", "the alerts the hub published, newest first, with how many sites were reached, acknowledged and are affected (the hub's organisation only)", "viewer",
				[]obj{cursorParam, limitParam}, nil, "200", ref("HubAlertList"), "400", "404"),
			"post": op("publishAlert", "sign and publish an alert, the alert file of docs/alerts.md (the hub's organisation only)", "responder",
				nil, jsonContent(ref("AlertInput")), "201", ref("HubAlert"), "400", "403", "404", "413", "415"),
		},
		p + "/enroll": obj{"post": op("enroll", "a site redeems the hub's one-time invitation: it sends the token and its NATS user public key, and receives its site ID, the hub's NATS address and the hub's alert signing keys to pin (hubs only; failed attempts are rate-limited per address)", "public",
			nil, jsonContent(object(obj{"token": str("the invitation token from ward site invite"), "nats_key": str("the site's NATS user public key (nkey, starts with U)")}, "token", "nats_key")),
			"200", object(obj{"site_id": str(""), "name": str(""), "kind": str(""), "country": str(""), "nats_url": str(""),
				"hub_keys": array(str("Ed25519 public key, base64"))}, "site_id", "nats_url", "hub_keys"), "400", "404", "415")},
	}
	return obj{
		"openapi": "3.1.0",
		"info": obj{
			"title": "ward API", "version": "1.0.0",
			"description": "Assets, findings, advisories and exposure of one organisation. Authenticate with an API token (ward token create): Authorization: Bearer ward_…. Lists page with cursor and limit and answer next.",
		},
		"servers":  []obj{{"url": "/"}},
		"security": []obj{{"bearer": []string{}}},
		"tags": []obj{
			{"name": "public", "description": "no token needed"},
			{"name": "viewer", "description": "any token"},
			{"name": "responder", "description": "tokens with role responder or admin"},
			{"name": "admin", "description": "tokens with role admin"},
		},
		"paths": paths,
		"components": obj{
			"securitySchemes": obj{"bearer": obj{"type": "http", "scheme": "bearer", "description": "an API token of the organisation"}},
			"schemas":         schemas,
			"responses": obj{
				"E400": errResp("invalid input; errors name each bad row of an import"),
				"E401": errResp("no valid token"),
				"E403": errResp("the token's role may not do this"),
				"E404": errResp("no such object in the token's organisation"),
				"E409": errResp("conflict: the id exists, or the state change is not allowed"),
				"E413": errResp("body too large"),
				"E415": errResp("unsupported Content-Type"),
				"E500": errResp("internal error"),
				"E503": errResp("recorded, but the hub could not be told now; the next report tells it"),
			},
		},
	}
}

// openAPIJSON is the document, marshalled once.
var openAPIJSON = sync.OnceValue(func() []byte {
	b, err := json.MarshalIndent(openAPIDocument(), "", "  ")
	if err != nil {
		panic(err) // maps of strings, numbers and slices always marshal
	}
	return b
})

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openAPIJSON()) //nolint:errcheck // the client went away
}
