package web_test

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/internal/store"
)

// A feed's state shows to every member; an admin starts a sync from the
// page or the API, and its outcome shows once it has run.
func TestFeeds(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	dir, err := filepath.Abs("../advisory/testdata/csaf")
	if err != nil {
		t.Fatal(err)
	}
	fd := must(f.eng.AddFeed(t.Context(), store.Feed{Name: "Vendor advisories (USB stick)", Kind: store.FeedFolder, Path: dir, Enabled: true}))(t)

	ctx := t.Context()
	vic := must(f.st.CreateUser(ctx, store.User{Email: "vic@example.org", PasswordHash: must(store.HashPassword(password))(t)}))(t)
	must(f.st.SetMember(ctx, f.practice.ID, vic.ID, store.RoleViewer))(t)
	mira := f.signedIn("vic@example.org") // a viewer of the practice
	page := mira.get("/feeds")
	if page.Code != http.StatusOK || !strings.Contains(page.Body, "Vendor advisories (USB stick)") || !strings.Contains(page.Body, "never") {
		t.Fatalf("GET /feeds = %d, want the feed, never synced:\n%s", page.Code, page.Body)
	}
	if strings.Contains(page.Body, "Sync now") {
		t.Error("a non-admin is offered Sync now")
	}
	if res := mira.post("/feeds/"+fd.ID+"/sync", url.Values{"csrf": {mira.csrf("/feeds")}}); res.Code != http.StatusForbidden && res.Code != http.StatusNotFound {
		t.Errorf("POST sync as a non-admin = %d, want 403", res.Code)
	}
	viewer := f.token(f.practice.ID, store.RoleViewer)
	if res := f.api(nil, apiCall{tok: viewer, method: http.MethodPost, path: "/api/v1/feeds/" + fd.ID + "/sync"}); res.Code != http.StatusForbidden {
		t.Errorf("API sync with a viewer token = %d, want 403", res.Code)
	}

	anna := f.signedIn("anna@example.org") // admin of the practice
	if !strings.Contains(anna.get("/feeds").Body, "Sync now") {
		t.Error("an admin is not offered Sync now")
	}
	res := anna.post("/feeds/"+fd.ID+"/sync", url.Values{"csrf": {anna.csrf("/feeds")}})
	if res.Code != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/feeds?sync=") {
		t.Fatalf("POST sync as admin = %d to %q, want 303 to /feeds", res.Code, res.Location)
	}
	var list struct {
		Items []struct {
			ID, Name, LastError string
			LastSuccess         *time.Time `json:"last_success"`
			Running             bool
			Counts              store.FeedCounts
		} `json:"items"`
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		f.apiGet(viewer, "/api/v1/feeds", &list)
		if len(list.Items) == 1 && !list.Items[0].Running && list.Items[0].LastSuccess != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sync did not finish: %+v", list.Items)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := list.Items[0]; got.Counts.Advisories == 0 || got.LastError != "" {
		t.Errorf("after the sync the feed = %+v, want advisories and no error", got)
	}
	if n := f.eng.Catalog().Len(); n == 0 {
		t.Error("the catalog is empty after the sync")
	}
	admin := f.token(f.practice.ID, store.RoleAdmin)
	if res := f.api(nil, apiCall{tok: admin, method: http.MethodPost, path: "/api/v1/feeds/" + fd.ID + "/sync"}); res.Code != http.StatusAccepted {
		t.Errorf("API sync with an admin token = %d %s, want 202", res.Code, res.Body)
	}
}
