package web_test

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/web"
)

// loadOpenAPI loads and validates the served document.
func loadOpenAPI(t *testing.T, f *fixture) *openapi3.T {
	t.Helper()
	res := f.api(nil, apiCall{method: "GET", path: "/api/v1/openapi.json"})
	if res.Code != http.StatusOK || !bytes.Equal([]byte(res.Body), web.OpenAPIForTest()) {
		t.Fatalf("GET /api/v1/openapi.json = %d, want 200 with the document", res.Code)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData([]byte(res.Body))
	if err != nil {
		t.Fatalf("load the OpenAPI document: %v", err)
	}
	if doc.OpenAPI != "3.1.0" || !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("the OpenAPI document does not validate: %v", err)
	}
	return doc
}

// TestOpenAPI_Routes checks that the document describes exactly the API
// routes the server registers.
func TestOpenAPI_Routes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	doc := loadOpenAPI(t, f)
	srv := must(web.New(web.Config{Store: f.st, Engine: f.eng}))(t)
	var registered []string
	for _, p := range srv.Patterns() {
		if method, path, _ := strings.Cut(p, " "); strings.HasPrefix(path, "/api/") {
			registered = append(registered, method+" "+path)
		}
	}
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	slices.Sort(registered)
	slices.Sort(documented)
	if len(registered) == 0 {
		t.Fatal("no /api/ routes registered")
	}
	if d := cmp.Diff(registered, documented); d != "" {
		t.Errorf("routes registered (-) but not documented, documented (+) but not registered:\n%s", d)
	}
}

// TestOpenAPI_Responses sends real requests and validates each request and
// response against the document.
func TestOpenAPI_Responses(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	f.eng.SetCatalog(pumpCatalog())
	doc := loadOpenAPI(t, f)
	doc.Servers = openapi3.Servers{{URL: f.srv.URL}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	admin := f.token(f.practice.ID, store.RoleAdmin)
	finding := "/api/v1/findings/" + web.EncodeKeyForTest(f.key("router-1", "CVE-2026-1001"))
	calls := []apiCall{
		{method: "GET", path: "/api/v1/me"},
		{method: "GET", path: "/api/v1/report"},
		{method: "GET", path: "/api/v1/assets?limit=2&role=administrative"},
		{method: "GET", path: "/api/v1/assets/router-1"},
		{method: "GET", path: "/api/v1/assets/nope"},
		{method: "POST", path: "/api/v1/assets", body: `{"id":"us-1","vendor":"GE HealthCare","product":"Vivid","services":[{"port":443,"protocol":"tcp"}]}`},
		{method: "POST", path: "/api/v1/assets", body: `{"id":"us-1","vendor":"GE HealthCare","product":"Vivid"}`},
		{method: "PATCH", path: "/api/v1/assets/us-1", body: `{"zone":"radiology"}`, ctype: "application/merge-patch+json"},
		{method: "PUT", path: "/api/v1/assets/us-1", body: `{"vendor":"Philips","product":"Affiniti"}`},
		{method: "DELETE", path: "/api/v1/assets/us-1"},
		{method: "POST", path: "/api/v1/assets/import", body: "id,vendor,product,version\npump-9,Acme Medical,InfuseOne,1.0\n", ctype: "text/csv"},
		{method: "POST", path: "/api/v1/assets/import", body: "id,vendor,product,exposure\npump-9,Acme Medical,InfuseOne,moon\n", ctype: "text/csv"},
		{method: "GET", path: "/api/v1/findings?state=new&decision=act,attend&limit=1"},
		{method: "GET", path: finding},
		{method: "PATCH", path: finding, body: `{"state":"in_progress","note":"on it","assignee":"anna"}`},
		{method: "PATCH", path: finding, body: `{"state":"new"}`},
		{method: "GET", path: finding + "/history"},
		{method: "GET", path: "/api/v1/advisories?q=infuse"},
		{method: "GET", path: "/api/v1/advisories/ICSMA-26-001-01"},
	}
	for _, c := range calls {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			c.tok = admin
			res := f.api(nil, c)
			var body io.Reader
			if c.body != "" {
				body = strings.NewReader(c.body)
			}
			req, err := http.NewRequestWithContext(t.Context(), c.method, f.srv.URL+c.path, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+admin)
			if c.body != "" {
				req.Header.Set("Content-Type", "application/json")
				if c.ctype != "" {
					req.Header.Set("Content-Type", c.ctype)
				}
			}
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("FindRoute() = %v", err)
			}
			in := &openapi3filter.RequestValidationInput{
				Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
			}
			if err := openapi3filter.ValidateRequest(t.Context(), in); err != nil {
				t.Errorf("request does not match the document: %v", err)
			}
			out := &openapi3filter.ResponseValidationInput{
				RequestValidationInput: in, Status: res.Code, Header: res.Header,
				Body:    io.NopCloser(strings.NewReader(res.Body)),
				Options: &openapi3filter.Options{IncludeResponseStatus: true},
			}
			if err := openapi3filter.ValidateResponse(t.Context(), out); err != nil {
				t.Errorf("response %d %.300s does not match the document: %v", res.Code, res.Body, err)
			}
		})
	}
}
