package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServe_API starts the real `ward serve --demo`, makes an admin token
// of the practice with `ward token create` while it runs, and works through
// the API with it: who am I, the findings, an import, a state change.
func TestServe_API(t *testing.T) {
	data := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--data", data, "--addr", "127.0.0.1:0"}, strings.NewReader(""), &out, io.Discard)
	}()
	var base string
	for deadline := time.Now().Add(60 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := regexp.MustCompile(`running at (http://\S+)`).FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("serve printed no URL:\n%s", out.String())
	}

	orgs, stderr, err := runWard(t, "org", "list", "--data", data, "--format", "json")
	if err != nil {
		t.Fatalf("org list: %v\n%s", err, stderr)
	}
	var rows []struct{ ID, Name, Kind string }
	if err := json.Unmarshal([]byte(orgs), &rows); err != nil {
		t.Fatal(err)
	}
	var org string
	for _, r := range rows {
		if r.Kind == "practice" {
			org = r.ID
		}
	}
	tok, stderr, err := runWard(t, "token", "create", "--data", data, "--org", org, "--role", "admin", "--name", "e2e")
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, stderr)
	}
	tok = strings.TrimSpace(tok)

	call := func(method, path, ctype, body string, v any) int {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if v != nil {
			if err := json.Unmarshal(b, v); err != nil {
				t.Fatalf("%s %s = %d %q: %v", method, path, res.StatusCode, b, err)
			}
		}
		return res.StatusCode
	}

	var me struct{ Organisation struct{ ID string } }
	if code := call("GET", "/api/v1/me", "", "", &me); code != 200 || me.Organisation.ID != org {
		t.Fatalf("GET /api/v1/me = %d %+v, want the practice", code, me)
	}
	type finding struct {
		ID       string `json:"id"`
		AssetID  string `json:"asset_id"`
		Decision string `json:"decision"`
		State    string `json:"state"`
	}
	var list struct {
		Items []finding `json:"items"`
		Next  string    `json:"next"`
	}
	if code := call("GET", "/api/v1/findings?limit=2", "", "", &list); code != 200 || len(list.Items) != 2 || list.Next == "" {
		t.Fatalf("GET /api/v1/findings?limit=2 = %d, %d items, next %q; want a first page of 2", code, len(list.Items), list.Next)
	}
	var advisories struct{ Items []struct{ ID string } }
	if code := call("GET", "/api/v1/advisories?limit=3", "", "", &advisories); code != 200 || len(advisories.Items) != 3 {
		t.Errorf("GET /api/v1/advisories = %d, %d items; want the demo catalog", code, len(advisories.Items))
	}
	var rep struct{ Total, Open int }
	if code := call("GET", "/api/v1/report", "", "", &rep); code != 200 || rep.Open == 0 {
		t.Errorf("GET /api/v1/report = %d %+v, want open findings", code, rep)
	}

	var moved finding
	if code := call("PATCH", "/api/v1/findings/"+list.Items[0].ID, "application/json", `{"state":"in_progress","note":"e2e"}`, &moved); code != 200 || moved.State != "in_progress" {
		t.Errorf("PATCH finding = %d %+v, want in_progress", code, moved)
	}
	csv := "id,name,vendor,product,version\ne2e-1,Test box,Acme,Box,1.0\n"
	var imp struct{ Added int }
	if code := call("POST", "/api/v1/assets/import", "text/csv", csv, &imp); code != 200 || imp.Added != 1 {
		t.Errorf("import = %d %+v, want 1 added", code, imp)
	}
	var a struct{ Name string }
	if code := call("GET", "/api/v1/assets/e2e-1", "", "", &a); code != 200 || a.Name != "Test box" {
		t.Errorf("GET imported asset = %d %+v", code, a)
	}
	tok = ""
	if code := call("GET", "/api/v1/me", "", "", nil); code != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/me without a token = %d, want 401", code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve returned %v", err)
	}
}
