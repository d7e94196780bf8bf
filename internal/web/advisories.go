package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/store"
)

// maxQuery bounds a search term, in bytes.
const maxQuery = 200

// advisoryRow is an advisory in the catalog list.
type advisoryRow struct {
	ID, Title, Publisher, Date string
	CVEs                       int
	KEV                        bool
}

type advisoriesPage struct {
	basePage
	Query string
	Total int // advisories in the catalog
	Rows  []advisoryRow
	Next  string
}

// day formats t as a date, or "" when unset.
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006")
}

// inKEV reports whether any of a's vulnerabilities is known exploited.
func inKEV(a *advisory.Advisory, kev advisory.KEV) bool {
	return slices.ContainsFunc(a.Vulnerabilities, func(v advisory.Vulnerability) bool {
		_, ok := kev[v.CVE]
		return v.CVE != "" && ok
	})
}

func (s *Server) advisories(w http.ResponseWriter, r *http.Request, sess *session) {
	q := r.URL.Query()
	query := strings.TrimSpace(q.Get("q"))
	if len(query) > maxQuery {
		s.fail(w, r, fmt.Errorf("%w: q: longer than %d bytes", store.ErrInvalid, maxQuery))
		return
	}
	cat := s.engine.Catalog()
	list, next := cat.List(query, q.Get("cursor"), s.pageSize)
	page := advisoriesPage{Query: query, Total: cat.Len()}
	for _, a := range list {
		row := advisoryRow{ID: a.ID, Title: a.Title, Publisher: a.Publisher, Date: day(latest(a)), KEV: inKEV(a, cat.Set.KEV)}
		for _, v := range a.Vulnerabilities {
			if v.ID() != "" {
				row.CVEs++
			}
		}
		page.Rows = append(page.Rows, row)
	}
	if next != "" {
		q.Set("cursor", next)
		page.Next = pageURL("/advisories", q)
	}
	page.basePage = s.base(sess, "Advisories")
	page.Nav = "advisories"
	s.render(w, r, http.StatusOK, "advisories.html", page)
}

// latest is when a was last published or updated.
func latest(a *advisory.Advisory) time.Time {
	if a.Updated.After(a.Published) {
		return a.Updated
	}
	return a.Published
}

// vulnFacts is one vulnerability of an advisory with what is known about
// its exploitation.
type vulnFacts struct {
	ID, Title, CWE string
	CVSS           string
	Exploitation   string
	Automatable    string
	KEV            *advisory.KEVEntry
	KEVAdded       string
	KEVDue         string
	EPSS           string // "12.3 % (95th percentile)"; "" when unknown
}

// affectedAsset is an asset of the organisation an advisory affects.
type affectedAsset struct {
	ID, Name string
	Vulns    []string
	Decision risk.Decision
	States   []store.FindingState
	Finding  string // encoded key of its most urgent finding
	Possible bool
}

type advisoryPage struct {
	basePage
	A         advisory.Advisory
	Published string
	Updated   string
	Vulns     []vulnFacts
	Affected  []affectedAsset
	More      bool // more findings than shown
	InCatalog bool
}

func (s *Server) advisory(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx := r.Context()
	id := r.PathValue("id")
	cat := s.engine.Catalog()
	list, err := s.store.ListFindings(ctx, sess.OrgID, store.FindingFilter{AdvisoryID: id}, store.ListOptions{Limit: store.MaxLimit})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := advisoryPage{More: list.Next != ""}
	a, ok := cat.Advisory(id)
	switch {
	case ok:
		page.A, page.InCatalog = *a, true
	case len(list.Items) > 0:
		// No longer in the catalog, but this organisation's findings name it.
		page.A = advisory.Advisory{ID: id, Title: list.Items[0].Item.AdvisoryTitle}
	default:
		s.fail(w, r, fmt.Errorf("advisory %q: %w", id, store.ErrNotFound))
		return
	}
	page.Published, page.Updated = day(page.A.Published), day(page.A.Updated)
	for _, v := range page.A.Vulnerabilities {
		f := vulnFacts{ID: v.ID(), Title: v.Title, CWE: v.CWE, Exploitation: v.Exploitation, Automatable: v.Automatable}
		if v.CVSS > 0 {
			f.CVSS = fmt.Sprintf("%.1f", v.CVSS)
		}
		if e, ok := cat.Set.KEV[v.CVE]; ok && v.CVE != "" {
			f.KEV, f.KEVAdded, f.KEVDue = &e, day(e.DateAdded), day(e.DueDate)
		}
		if cat.Set.EPSS != nil {
			if e, ok := cat.Set.EPSS.Scores[v.CVE]; ok && v.CVE != "" {
				f.EPSS = fmt.Sprintf("%.1f %% (percentile %.0f)", e.Score*100, e.Percentile*100)
			}
		}
		page.Vulns = append(page.Vulns, f)
	}
	at := map[string]int{}
	for i := range list.Items {
		fr := &list.Items[i]
		j, ok := at[fr.Key.AssetID]
		if !ok {
			name := fr.Item.AssetName
			if name == "" {
				name = fr.Key.AssetID
			}
			j = len(page.Affected)
			at[fr.Key.AssetID] = j
			// Findings come most urgent first: the first sets the decision.
			page.Affected = append(page.Affected, affectedAsset{ID: fr.Key.AssetID, Name: name,
				Decision: fr.Item.Decision, Finding: encodeKey(fr.Key)})
		}
		aa := &page.Affected[j]
		if fr.Key.VulnID != "" && !slices.Contains(aa.Vulns, fr.Key.VulnID) {
			aa.Vulns = append(aa.Vulns, fr.Key.VulnID)
		}
		if !slices.Contains(aa.States, fr.State) {
			aa.States = append(aa.States, fr.State)
		}
		aa.Possible = aa.Possible || fr.Item.Confidence == match.Possible
	}
	title := page.A.ID
	if page.A.Title != "" {
		title = page.A.Title
	}
	page.basePage = s.base(sess, title)
	page.Nav = "advisories"
	s.render(w, r, http.StatusOK, "advisory.html", page)
}
