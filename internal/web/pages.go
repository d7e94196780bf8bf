package web

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/store"
)

// encodeKey returns the URL form of a finding key: unpadded base64url of
// the JSON array [asset, advisory, vuln, component].
func encodeKey(k store.FindingKey) string {
	b, _ := json.Marshal([4]string{k.AssetID, k.AdvisoryID, k.VulnID, k.Component}) // strings always marshal
	return base64.RawURLEncoding.EncodeToString(b)
}

// maxKeyLen bounds an encoded key: four names of store.MaxName characters.
const maxKeyLen = 8 * store.MaxName * 4

// decodeKey parses what encodeKey made; anything else is ErrNotFound.
func decodeKey(s string) (store.FindingKey, error) {
	if len(s) > maxKeyLen {
		return store.FindingKey{}, store.ErrNotFound
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return store.FindingKey{}, store.ErrNotFound
	}
	var f [4]string
	if err := json.Unmarshal(b, &f); err != nil || f[0] == "" || f[1] == "" {
		return store.FindingKey{}, store.ErrNotFound
	}
	return store.FindingKey{AssetID: f[0], AdvisoryID: f[1], VulnID: f[2], Component: f[3]}, nil
}

// card is a finding in plain words.
type card struct {
	ID        string // encoded key
	AssetID   string
	AssetName string
	Title     string
	Action    string
	Why       string
	Due       string // "due in 2 days", "overdue by 3 days"
	Overdue   bool
	KEV       bool
	Possible  bool
	Product   string
	Decision  risk.Decision
	State     store.FindingState
	CVE       string
	// Advisory, Also and Group gather one asset's findings from one
	// advisory into one card: one device, one fix, one button.
	Advisory string
	Also     []string // the other vulnerabilities' ids
	Group    []string // their encoded keys
}

// maxGroup bounds how many findings one "Done" may change.
const maxGroup = 200

// groupCards folds the cards of one asset and advisory into the first.
func groupCards(cards []card) []card {
	at := map[[2]string]int{}
	out := cards[:0]
	for _, c := range cards {
		k := [2]string{c.AssetID, c.Advisory}
		if i, ok := at[k]; ok && len(out[i].Group) < maxGroup {
			out[i].Also = append(out[i].Also, c.CVE)
			out[i].Group = append(out[i].Group, c.ID)
			continue
		}
		at[k] = len(out)
		out = append(out, c)
	}
	return out
}

func (s *Server) card(f *store.FindingRecord, now time.Time) card {
	it := &f.Item
	name := it.AssetName
	if name == "" {
		name = f.Key.AssetID
	}
	product := it.Product
	if product == "" {
		product = "device"
	}
	due, overdue := dueWords(it.Due, now)
	return card{
		ID: encodeKey(f.Key), AssetID: f.Key.AssetID, AssetName: name, Title: it.AdvisoryTitle,
		Action: it.Action, Why: it.Why, Due: due, Overdue: overdue, KEV: it.KEV,
		Possible: it.Confidence == match.Possible, Product: product,
		Decision: it.Decision, State: f.State, CVE: f.Key.VulnID, Advisory: f.Key.AdvisoryID,
	}
}

// dueWords says when due is, in calendar days from now (UTC).
func dueWords(due, now time.Time) (string, bool) {
	if due.IsZero() {
		return "", false
	}
	day := func(t time.Time) time.Time {
		y, m, d := t.UTC().Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	days := int(day(due).Sub(day(now)).Hours() / 24)
	plural := func(n int) string {
		if n == 1 {
			return "1 day"
		}
		return fmt.Sprintf("%d days", n)
	}
	switch {
	case days < 0:
		return "overdue by " + plural(-days), true
	case days == 0:
		return "due today", due.Before(now)
	case days == 1:
		return "due tomorrow", false
	}
	return "due in " + plural(days), false
}

// todayStates are the states of work still to do.
var todayStates = []store.FindingState{store.StateNew, store.StateOpen, store.StateInProgress}

type counter struct {
	Key   string // its field in /events' counts (live.js)
	Label string
	Count int
	Link  string
}

type todayPage struct {
	basePage
	Counters []counter
	Cards    []card
	More     bool
	Alerts   []alertRow // critical and high alerts no one acknowledged
}

func (s *Server) today(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx := r.Context()
	now := s.now()
	counts, err := s.counts.get(ctx, s.store, sess.OrgID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	by := map[risk.Decision]int{}
	total := 0
	for _, c := range counts {
		by[c.Decision] += c.Count
		total += c.Count
	}
	open := "&state=new&state=open&state=in_progress"
	page := todayPage{Counters: []counter{
		{"act", "Do now", by[risk.Act], "/findings?decision=act" + open},
		{"attend", "Do soon", by[risk.Attend], "/findings?decision=attend" + open},
		{"track*", "Watch closely", by[risk.TrackStar], "/findings?decision=" + url.QueryEscape(string(risk.TrackStar)) + open},
		{"total", "Open in total", total, "/findings?" + open[1:]},
	}}
	list, err := s.store.ListFindings(ctx, sess.OrgID, store.FindingFilter{
		States: todayStates, Decisions: []risk.Decision{risk.Act, risk.Attend},
	}, store.ListOptions{Limit: todayLimit})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for i := range list.Items {
		page.Cards = append(page.Cards, s.card(&list.Items[i], now))
	}
	page.Cards = groupCards(page.Cards)
	// Overdue first, most overdue first; the rest in the store's order.
	slices.SortStableFunc(page.Cards, func(a, b card) int {
		switch {
		case a.Overdue && !b.Overdue:
			return -1
		case !a.Overdue && b.Overdue:
			return 1
		}
		return 0
	})
	page.More = list.Next != ""
	if page.Alerts, err = s.alertBanner(ctx, sess); err != nil {
		s.fail(w, r, err)
		return
	}
	page.basePage = s.base(sess, "Today")
	page.Nav = "today"
	s.render(w, r, http.StatusOK, "today.html", page)
}

type option struct {
	Value, Label string
	Selected     bool
}

func options(values []string, selected []string) []option {
	out := make([]option, 0, len(values))
	for _, v := range values {
		out = append(out, option{Value: v, Label: v, Selected: slices.Contains(selected, v)})
	}
	return out
}

func asStrings[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

func fromStrings[T ~string](vs []string) []T {
	var out []T
	for _, v := range vs {
		if v != "" {
			out = append(out, T(v))
		}
	}
	return out
}

type findingsPage struct {
	basePage
	Decisions, States, Confidences []option
	Cards                          []card
	Next                           string
	Vuln                           string // the one flaw shown (an alert's CVE), or ""
}

func (s *Server) findings(w http.ResponseWriter, r *http.Request, sess *session) {
	q := r.URL.Query()
	f := store.FindingFilter{
		States:      fromStrings[store.FindingState](q["state"]),
		Decisions:   fromStrings[risk.Decision](q["decision"]),
		Confidences: fromStrings[match.Confidence](q["confidence"]),
		VulnID:      q.Get("vuln"),
	}
	if err := f.Validate(); err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.store.ListFindings(r.Context(), sess.OrgID, f, store.ListOptions{Cursor: q.Get("cursor"), Limit: s.pageSize})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	page := findingsPage{
		Decisions:   options(asStrings(risk.Decisions), q["decision"]),
		States:      options(asStrings(store.FindingStates), q["state"]),
		Confidences: options([]string{string(match.Confirmed), string(match.Possible)}, q["confidence"]),
		Vuln:        f.VulnID,
	}
	for i := range list.Items {
		page.Cards = append(page.Cards, s.card(&list.Items[i], now))
	}
	page.Cards = groupCards(page.Cards)
	if list.Next != "" {
		q.Set("cursor", list.Next)
		page.Next = pageURL("/findings", q)
	}
	page.basePage = s.base(sess, "Findings")
	page.Nav = "findings"
	s.render(w, r, http.StatusOK, "findings.html", page)
}

type findingPage struct {
	basePage
	Card    card
	F       store.FindingRecord
	History []store.FindingEvent
	Moves   []option // states a person may move it to from here
	W       workflowView
}

// simpleMoves are the states the web offers; risk acceptance and "not
// affected" need more input and come later.
var simpleMoves = []store.FindingState{store.StateOpen, store.StateInProgress, store.StateMitigated, store.StateResolved}

var stateWords = map[store.FindingState]string{
	store.StateOpen:       "Open: to be worked on",
	store.StateInProgress: "In progress: someone is on it",
	store.StateMitigated:  "Mitigated: protected, flaw still there",
	store.StateResolved:   "Resolved: fixed",
}

func (s *Server) finding(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx := r.Context()
	key, err := decodeKey(r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.store.Finding(ctx, sess.OrgID, key)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hist, err := s.store.FindingHistory(ctx, sess.OrgID, key, store.ListOptions{Limit: store.MaxLimit})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := findingPage{Card: s.card(&f, s.now()), F: f, History: hist.Items}
	if page.W, err = s.workflowFor(ctx, sess, &f); err != nil { // workflow.go
		s.fail(w, r, err)
		return
	}
	for _, to := range simpleMoves {
		if f.State.CanMoveTo(to) {
			page.Moves = append(page.Moves, option{Value: string(to), Label: stateWords[to]})
		}
	}
	page.basePage = s.base(sess, "Finding on "+page.Card.AssetName)
	page.Nav = "findings"
	s.render(w, r, http.StatusOK, "finding.html", page)
}

func (s *Server) setState(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx := r.Context()
	if sess.Role != store.RoleResponder && sess.Role != store.RoleAdmin {
		http.Error(w, "You may look at findings but not change them. Please ask an administrator.", http.StatusForbidden)
		return
	}
	key, err := decodeKey(r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	to := store.FindingState(r.PostForm.Get("to"))
	defer s.NotifyOrg(sess.OrgID) // also when only some of the card's findings moved
	if !slices.Contains(simpleMoves, to) {
		s.fail(w, r, fmt.Errorf("%w: state %q", store.ErrInvalid, to))
		return
	}
	// The card's other findings (same asset, same advisory) move with it.
	keys := []store.FindingKey{key}
	also := r.PostForm["also"]
	if len(also) > maxGroup {
		s.fail(w, r, fmt.Errorf("%w: more than %d findings at once", store.ErrInvalid, maxGroup))
		return
	}
	for _, id := range also {
		k, err := decodeKey(id)
		if err != nil || k.AssetID != key.AssetID || k.AdvisoryID != key.AdvisoryID {
			s.fail(w, r, fmt.Errorf("%w: finding %q is not of the same asset and advisory", store.ErrInvalid, id))
			return
		}
		keys = append(keys, k)
	}
	for _, k := range keys {
		f, err := s.store.UpdateFindingState(ctx, sess.OrgID, k, store.Transition{
			To: to, Actor: sess.Email, Comment: r.PostForm.Get("comment"),
		})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if _, err := s.store.AppendAudit(ctx, sess.OrgID, sess.Email, "finding.state",
			fmt.Sprintf("%s %s %s -> %s", k.AssetID, k.AdvisoryID, k.VulnID, f.State)); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	back := "/"
	if r.PostForm.Get("back") == "finding" {
		back = "/findings/" + encodeKey(key)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

type assetsPage struct {
	basePage
	Query, Kind, Zone string
	Roles, Decisions  []option
	Assets            []inventory.Asset
	Next              string
}

func (s *Server) assets(w http.ResponseWriter, r *http.Request, sess *session) {
	q := r.URL.Query()
	f := store.AssetFilter{
		Query: q.Get("q"), Kind: q.Get("kind"), Zone: q.Get("zone"),
		ClinicalRole: inventory.ClinicalRole(q.Get("role")), Decision: risk.Decision(q.Get("decision")),
	}
	if err := f.Validate(); err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.store.ListAssets(r.Context(), sess.OrgID, f, store.ListOptions{Cursor: q.Get("cursor"), Limit: s.pageSize})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := assetsPage{Query: f.Query, Kind: f.Kind, Zone: f.Zone,
		Roles:     options(asStrings(inventory.ClinicalRoles), []string{q.Get("role")}),
		Decisions: options(asStrings(risk.Decisions), []string{q.Get("decision")})}
	for _, a := range list.Items {
		page.Assets = append(page.Assets, a.Asset)
	}
	if list.Next != "" {
		q.Set("cursor", list.Next)
		page.Next = pageURL("/assets", q)
	}
	page.basePage = s.base(sess, "Assets")
	page.Nav = "assets"
	s.render(w, r, http.StatusOK, "assets.html", page)
}

type assetPage struct {
	basePage
	A     inventory.Asset
	Cards []card
	More  bool // more findings than shown
}

func (s *Server) asset(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx := r.Context()
	a, err := s.store.Asset(ctx, sess.OrgID, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.store.ListFindings(ctx, sess.OrgID, store.FindingFilter{AssetID: a.Asset.ID},
		store.ListOptions{Limit: store.MaxLimit})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := assetPage{A: a.Asset}
	now := s.now()
	for i := range list.Items {
		page.Cards = append(page.Cards, s.card(&list.Items[i], now))
	}
	page.Cards = groupCards(page.Cards)
	page.More = list.Next != ""
	title := a.Asset.Name
	if title == "" {
		title = a.Asset.ID
	}
	page.basePage = s.base(sess, title)
	page.Nav = "assets"
	s.render(w, r, http.StatusOK, "asset.html", page)
}
