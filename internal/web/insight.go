package web

import "net/http"

// insightPages are the templates of the import, advisory, overview and
// report pages; parsePages parses them with pageNames.
var insightPages = []string{"import.html", "advisories.html", "advisory.html", "overview.html", "reports.html", "exposure.html"}

// insightRoutes registers the import, advisory, overview and report pages.
func (s *Server) insightRoutes(handle func(pattern string, h http.HandlerFunc)) {
	s.imports = newPendingImports(s.now)
	handle("GET /assets/import", s.auth(s.inOrg(s.importForm)))
	handle("POST /assets/import", s.upload(s.auth(s.inOrg(s.importPreview))))
	handle("POST /assets/import/confirm", s.auth(s.inOrg(s.importConfirm)))
	handle("GET /advisories", s.auth(s.inOrg(s.advisories)))
	handle("GET /advisories/{id}", s.auth(s.inOrg(s.advisory)))
	handle("GET /overview", s.auth(s.inOrg(s.overview)))
	handle("GET /reports", s.auth(s.inOrg(s.reports)))
	handle("GET /reports/exposure", s.auth(s.inOrg(s.exposureReport)))
	handle("GET /reports/exposure.pdf", s.auth(s.inOrg(s.exposurePDF)))
}
