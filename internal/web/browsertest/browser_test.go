package browsertest

import (
	"bytes"
	"os"
	"strconv"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

const practice = "praxis-weber" // the two-doctor practice's demo login

// TestSignInTodaySignOut: a practice owner signs in, sees what to do today
// and signs out again.
func TestSignInTodaySignOut(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	anna := s.login(t, practice)

	b.open("/")
	if p := b.path(); p != "/login" {
		t.Fatalf("signed out, / shows %s, want /login", p)
	}
	b.screenshot("login")
	b.signIn(anna.Email, anna.Password)
	if p := b.path(); p != "/" {
		t.Fatalf("after signing in the browser shows %s, want /", p)
	}
	if h := b.text("h1"); h != "What to do today" {
		t.Errorf("h1 = %q, want %q", h, "What to do today")
	}
	cards := b.count("article.card")
	if cards == 0 {
		t.Fatal("Today shows no cards; the demo practice has work to do")
	}
	total, err := strconv.Atoi(b.text(`[data-count="total"]`))
	if err != nil || total < cards {
		t.Errorf("the total counter = %q, want a number ≥ %d cards", b.text(`[data-count="total"]`), cards)
	}
	if b.count("article.card form button") != cards {
		t.Errorf("not every card has its Done button")
	}
	b.waitFor(`document.querySelector("[data-live]").dataset.liveState === "live"`)
	b.screenshot("today")

	// On a phone.
	b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	b.open("/")
	if w := run(b, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 390 {
		t.Errorf("Today is %d px wide on a 390 px phone: it scrolls sideways", w)
	}
	b.screenshot("today-phone")
	b.do(chromedp.EmulateViewport(1280, 900))

	b.submit(".logout button")
	if p := b.path(); p != "/login" {
		t.Errorf("signing out led to %s, want /login", p)
	}
	b.open("/")
	if p := b.path(); p != "/login" {
		t.Errorf("after signing out / shows %s, want /login", p)
	}
}

// TestSignInWrongPasswordFirst: a wrong password shows the error, and the
// form then still works (its CSRF cookie was not lost).
func TestSignInWrongPasswordFirst(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	anna := s.login(t, practice)
	b.allow("401") // the failed sign-in answers 401 Unauthorized

	b.signIn(anna.Email, "not the password")
	if got := b.text("p.error"); got != "Email or password is wrong." {
		t.Errorf("error = %q", got)
	}
	if v := run(b, chromedp.Value(chromedp.CSS("#email"))); v != anna.Email {
		t.Errorf("the form lost the email: %q", v)
	}
	b.fill("#password", anna.Password)
	b.submit(`form[action="/login"] button[type=submit]`)
	if p := b.path(); p != "/" {
		t.Errorf("signing in after a wrong password led to %s, want /", p)
	}
}

// TestSignInTwoTabs: a sign-in form opened in a second tab (or fetched
// again by the browser) does not expire the first one.
func TestSignInTwoTabs(t *testing.T) {
	s := newSite(t)
	first := newBrowser(t, s.URL)
	anna := s.login(t, practice)

	first.open("/login")
	second := first.tab()
	second.open("/login")
	second.open("/no-such-page") // signed out: sent to /login again
	first.fill("#email", anna.Email)
	first.fill("#password", anna.Password)
	first.submit(`form[action="/login"] button[type=submit]`)
	if p := first.path(); p != "/" {
		t.Errorf("signing in on the first tab led to %s (%q), want /", p, first.text("body"))
	}
}

// TestMarkMitigatedLive: one tab shows Today; in another the finding is
// marked mitigated with its form; the first tab's counters follow without
// a reload.
func TestMarkMitigatedLive(t *testing.T) {
	s := newSite(t)
	today := newBrowser(t, s.URL)
	anna := s.login(t, practice)
	today.signIn(anna.Email, anna.Password)
	today.waitFor(`document.querySelector("[data-live]").dataset.liveState === "live"`)
	run(today, chromedp.Evaluate[chromedp.Void](`window.wardNotReloaded = true`))
	total := today.text(`[data-count="total"]`)
	if !today.attrHidden("#live-note") {
		t.Error("the change note shows before anything changed")
	}
	link := today.attr("article.card h2 a", "href")
	if link == "" {
		t.Fatal("Today shows no finding to open")
	}

	detail := today.tab()
	detail.open(link)
	if st := detail.text(".facts dd"); st != "new" && st != "open" {
		t.Fatalf("the finding's state = %q, want new or open", st)
	}
	detail.click(`input[name="to"][value="mitigated"]`)
	detail.fill("#comment", "Put the device on the isolated network.")
	detail.submit(`form[action$="/transition"] button[type=submit]`)
	if st := detail.text(".facts dd"); st != "mitigated" {
		t.Errorf("after saving, the state = %q, want mitigated", st)
	}
	if h := detail.text(".history"); !bytes.Contains([]byte(h), []byte("to mitigated")) {
		t.Errorf("history = %q, lacks the change", h)
	}
	detail.screenshot("finding-mitigated")

	n, err := strconv.Atoi(total)
	if err != nil {
		t.Fatalf("total counter %q: %v", total, err)
	}
	want := strconv.Itoa(n - 1)
	today.waitFor(`document.querySelector('[data-count="total"]').textContent === ` + jsString(want))
	if today.attrHidden("#live-note") {
		t.Error("the change note is hidden after the counts changed")
	}
	if !run(today, chromedp.Evaluate[bool](`window.wardNotReloaded === true`)) {
		t.Error("Today was reloaded; the counters should change in place")
	}
	today.screenshot("today-live")
}

// TestWithoutJavaScript: the basics work with scripts turned off.
func TestWithoutJavaScript(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	anna := s.login(t, practice)
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	b.signIn(anna.Email, anna.Password)
	before := b.text(`[data-count="total"]`)
	cards := b.count("article.card")
	if cards == 0 {
		t.Fatal("Today shows no cards")
	}
	b.submit("article.card form button")
	if p := b.path(); p != "/" {
		t.Errorf("Done led to %s, want /", p)
	}
	after := b.text(`[data-count="total"]`)
	if after == before {
		t.Errorf("the total stayed %s after Done; want fewer open findings", before)
	}
}

// TestDownload checks the download helper that the report tests use, on
// a link to the stylesheet.
func TestDownload(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	b.open("/login")
	run(b, chromedp.Evaluate[chromedp.Void](`(() => {
		const a = document.createElement("a");
		a.href = "/static/ward.css"; a.download = "ward.css"; a.id = "dl"; a.textContent = "download";
		document.body.append(a);
	})()`))
	name, data := b.download(chromedp.Click(chromedp.CSS("#dl")))
	want, err := os.ReadFile("../static/ward.css")
	if err != nil {
		t.Fatal(err)
	}
	if name != "ward.css" || !bytes.Equal(data, want) {
		t.Errorf("download = %q, %d bytes; want ward.css, %d bytes", name, len(data), len(want))
	}
}

// attrHidden reports whether the first element matching sel is hidden.
func (b *browser) attrHidden(sel string) bool {
	b.t.Helper()
	return run(b, chromedp.Evaluate[bool](`document.querySelector(`+jsString(sel)+`).hidden`))
}
