package taxii_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/ews"
	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/store/sqlite"
	"github.com/ward-health/ward/internal/taxii"
)

type fixture struct {
	srv        *httptest.Server
	hubToken   string
	siteToken  string
	clear, red string // alert IDs
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	f := &fixture{}
	hubOrg, err := s.CreateOrg(ctx, store.Organisation{Name: "Health Sector Support Centre", Kind: store.KindHub, Country: "DE"})
	if err != nil {
		t.Fatal(err)
	}
	siteOrg, err := s.CreateOrg(ctx, store.Organisation{Name: "Klinikum", Kind: store.KindHospital, Country: "DE"})
	if err != nil {
		t.Fatal(err)
	}
	if _, f.hubToken, err = s.CreateToken(ctx, hubOrg.ID, "misp", store.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if _, f.siteToken, err = s.CreateToken(ctx, siteOrg.ID, "x", store.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	h, err := ews.NewHub(ctx, ews.HubConfig{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	publish := func(a *alert.Alert) string {
		rec, err := h.Publish(ctx, a, "test")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MarkAlertPublished(ctx, rec.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		return rec.ID
	}
	f.clear = publish(&alert.Alert{Title: "Ransomware C2", Summary: "Seen at two hospitals.", Actions: "Block them.", Severity: alert.Critical,
		TLP: alert.TLPClear, CVEs: []string{"CVE-2024-3400"},
		Indicators: []alert.Indicator{{Type: "ipv4", Value: "198.51.100.7"}, {Type: "domain", Value: "c2.example.net"}}})
	f.red = publish(&alert.Alert{Title: "For one hospital only", Summary: "s", Actions: "a", Severity: alert.High, TLP: alert.TLPRed,
		Indicators: []alert.Indicator{{Type: "ipv4", Value: "203.0.113.66"}}, Targets: alert.Targets{Organisations: []string{"site_x"}}})
	f.srv = httptest.NewServer(taxii.New(taxii.Config{Store: s, Name: hubOrg.Name}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) get(t *testing.T, path, token string, v any) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, f.srv.URL+path, nil)
	req.Header.Set("Accept", "application/taxii+json;version=2.1")
	if token != "" {
		req.SetBasicAuth("misp", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == 200 {
		if ct := resp.Header.Get("Content-Type"); ct != "application/taxii+json;version=2.1" {
			t.Errorf("%s: Content-Type %q", path, ct)
		}
		if v != nil {
			if err := json.Unmarshal(body, v); err != nil {
				t.Fatalf("%s: %v\n%s", path, err, body)
			}
		}
	}
	return resp.StatusCode
}

func TestTAXII(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct{ token string }{{""}, {f.siteToken}, {"ward_not-a-token"}} {
		if code := f.get(t, "/taxii2/", tc.token, nil); code != http.StatusUnauthorized {
			t.Errorf("discovery with token %q = %d, want 401", tc.token, code)
		}
	}
	var disc struct {
		Default  string   `json:"default"`
		APIRoots []string `json:"api_roots"`
	}
	if code := f.get(t, "/taxii2/", f.hubToken, &disc); code != 200 || disc.Default != "/taxii2/ward/" {
		t.Fatalf("discovery = %d %+v", code, disc)
	}
	var cols struct {
		Collections []struct {
			ID      string `json:"id"`
			CanRead bool   `json:"can_read"`
		} `json:"collections"`
	}
	if code := f.get(t, "/taxii2/ward/collections/", f.hubToken, &cols); code != 200 || len(cols.Collections) != 1 || !cols.Collections[0].CanRead {
		t.Fatalf("collections = %d %+v", code, cols)
	}
	base := "/taxii2/ward/collections/" + cols.Collections[0].ID
	var env struct {
		More    bool              `json:"more"`
		Next    string            `json:"next"`
		Objects []json.RawMessage `json:"objects"`
	}
	if code := f.get(t, base+"/objects/", f.hubToken, &env); code != 200 {
		t.Fatalf("objects = %d", code)
	}
	// identity, two indicators, one vulnerability, one report; nothing of
	// the TLP:RED alert.
	if len(env.Objects) != 5 || env.More {
		t.Fatalf("objects: %d (more %v), want 5", len(env.Objects), env.More)
	}
	all := "[" + strings.Join(func() []string {
		var s []string
		for _, o := range env.Objects {
			s = append(s, string(o))
		}
		return s
	}(), ",") + "]"
	if strings.Contains(all, "203.0.113.66") || strings.Contains(all, "For one hospital only") {
		t.Error("a TLP:RED alert is served over TAXII")
	}
	// What ward serves, ward (and so MISP or OpenCTI) reads back.
	imp, err := alert.FromSTIX([]byte(`{"type":"bundle","id":"bundle--1","objects":` + all + `}`))
	if err != nil {
		t.Fatalf("FromSTIX(served objects) = %v", err)
	}
	if imp.Alert.Title != "Ransomware C2" || imp.Alert.TLP != alert.TLPClear || len(imp.Alert.Indicators) != 2 || imp.Alert.CVEs[0] != "CVE-2024-3400" {
		t.Errorf("read back: %+v", imp.Alert)
	}
	// Paging and filters.
	if code := f.get(t, base+"/objects/?limit=2", f.hubToken, &env); code != 200 || len(env.Objects) != 2 || !env.More || env.Next == "" {
		t.Fatalf("limit=2: %d, %d objects, more %v", code, len(env.Objects), env.More)
	}
	next := env.Next
	if code := f.get(t, base+"/objects/?limit=2&next="+next, f.hubToken, &env); code != 200 || len(env.Objects) != 2 {
		t.Errorf("second page: %d, %d objects", code, len(env.Objects))
	}
	if code := f.get(t, base+"/objects/?match[type]=indicator", f.hubToken, &env); code != 200 || len(env.Objects) != 2 {
		t.Errorf("match[type]=indicator: %d, %d objects", code, len(env.Objects))
	}
	if code := f.get(t, base+"/objects/?added_after="+time.Now().Add(time.Hour).UTC().Format(time.RFC3339), f.hubToken, &env); code != 200 || len(env.Objects) != 0 {
		t.Errorf("added_after the future: %d, %d objects", code, len(env.Objects))
	}
	report := alert.STIXID("report", f.clear)
	if code := f.get(t, base+"/objects/"+report+"/", f.hubToken, &env); code != 200 || len(env.Objects) != 1 {
		t.Errorf("one object: %d, %d objects", code, len(env.Objects))
	}
	if code := f.get(t, base+"/objects/"+alert.STIXID("report", f.red)+"/", f.hubToken, nil); code != 404 {
		t.Errorf("the TLP:RED report by id = %d, want 404", code)
	}
	var man struct {
		Objects []struct {
			ID        string `json:"id"`
			DateAdded string `json:"date_added"`
		} `json:"objects"`
	}
	if code := f.get(t, base+"/manifest/", f.hubToken, &man); code != 200 || len(man.Objects) != 5 || man.Objects[0].DateAdded == "" {
		t.Errorf("manifest = %d %+v", code, man)
	}
	for _, bad := range []string{base + "/objects/?limit=x", base + "/objects/?added_after=yesterday", base + "/objects/?next=!!"} {
		if code := f.get(t, bad, f.hubToken, nil); code != 400 {
			t.Errorf("%s = %d, want 400", bad, code)
		}
	}
	if code := f.get(t, "/taxii2/ward/collections/nope/objects/", f.hubToken, nil); code != 404 {
		t.Errorf("unknown collection = %d, want 404", code)
	}
}
