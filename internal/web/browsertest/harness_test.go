package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/ward-health/ward/internal/demo"
	"github.com/ward-health/ward/internal/engine"
	"github.com/ward-health/ward/internal/ews"
	"github.com/ward-health/ward/internal/store/sqlite"
	"github.com/ward-health/ward/internal/testenv"
	"github.com/ward-health/ward/internal/web"
)

// actionTimeout bounds each browser step; a page that never shows what a
// test waits for fails the test instead of hanging it.
const actionTimeout = 20 * time.Second

// site is a running ward web server over a real SQLite file with the three
// demo organisations, as `ward serve --demo` starts it.
type site struct {
	URL    string
	Store  *sqlite.DB
	Engine *engine.Engine
	Web    *web.Server
	Logins []demo.Login
	Alerts *ews.Site         // the site's early-warning service, where it runs
	OrgIDs map[string]string // by organisation name, where it runs
}

// newSite seeds a fresh database and serves it until the test ends.
func newSite(t *testing.T) *site {
	t.Helper()
	testenv.Chromium(t) // skip before seeding when there is no browser
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatalf("sqlite.Open() = %v", err)
	}
	t.Cleanup(func() { st.Close() })
	set, err := demo.Bundle()
	if err != nil {
		t.Fatalf("demo.Bundle() = %v", err)
	}
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	eng, err := engine.New(engine.Config{Store: st, Logger: logger})
	if err != nil {
		t.Fatalf("engine.New() = %v", err)
	}
	eng.SetCatalog(engine.NewCatalog(set))
	logins, err := demo.Seed(ctx, st, set, time.Now().UTC())
	if err != nil {
		t.Fatalf("demo.Seed() = %v", err)
	}
	h, err := web.New(web.Config{Store: st, Engine: eng, Logger: logger})
	if err != nil {
		t.Fatalf("web.New() = %v", err)
	}
	srv := httptest.NewUnstartedServer(h)
	// As ward serve: the live event stream must outlive these.
	srv.Config.ReadTimeout = 30 * time.Second
	srv.Config.WriteTimeout = 60 * time.Second
	srv.Config.RegisterOnShutdown(h.Close)
	srv.Start()
	t.Cleanup(srv.Close)
	return &site{URL: srv.URL, Store: st, Engine: eng, Web: h, Logins: logins}
}

// login returns the demo login whose email contains part, e.g.
// "praxis-weber" (the practice), "st-elisabeth" (the hospital) or
// "leitstelle" (the EMS dispatch centre).
func (s *site) login(t *testing.T, part string) demo.Login {
	t.Helper()
	for _, l := range s.Logins {
		if strings.Contains(l.Email, part) {
			return l
		}
	}
	t.Fatalf("no demo login with %q in %v", part, s.Logins)
	return demo.Login{}
}

// browser is one tab of a headless Chromium. Tabs made with [browser.tab]
// share the browser, so they share its cookies as a person's tabs do.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string

	mu       *sync.Mutex
	problems *[]string // console errors, failed requests, CSP violations
	allowed  *[]string // substrings of problems the test expects
}

// newBrowser starts Chromium with a fresh profile for the test, pointed at
// base, and closes it when the test ends. The flags keep it off the
// network: nothing but base is reachable from the test machine.
func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	exe := testenv.Chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox, // tests run as root in CI
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	if err := chromedp.Do(ctx); err != nil { // starts the browser, with no timeout
		cancel()
		cancelAlloc()
		t.Fatalf("start Chromium %s: %v", exe, err)
	}
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	b := &browser{t: t, ctx: ctx, base: base, mu: &sync.Mutex{}, problems: &[]string{}, allowed: &[]string{}}
	b.watch()
	t.Cleanup(b.checkProblems)
	return b
}

// tab opens another tab of the same browser.
func (b *browser) tab() *browser {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		b.t.Fatalf("open a tab: %v", err)
	}
	b.t.Cleanup(cancel)
	nb := *b
	nb.ctx = ctx
	nb.watch()
	return &nb
}

// watch records the tab's console errors, exceptions and failed loads.
func (b *browser) watch() {
	msgs := chromedp.Console(b.ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == "error" || m.Type == "warning" && m.Source == "security" {
				b.mu.Lock()
				*b.problems = append(*b.problems, fmt.Sprintf("%s (%s)", m, m.URL))
				b.mu.Unlock()
			}
		}
	}()
}

// allow makes problems that contain substr expected: a test that visits a
// missing page allows "404", say.
func (b *browser) allow(substr string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	*b.allowed = append(*b.allowed, substr)
}

func (b *browser) checkProblems() {
	b.mu.Lock()
	defer b.mu.Unlock()
next:
	for _, p := range *b.problems {
		for _, a := range *b.allowed {
			if strings.Contains(p, a) {
				continue next
			}
		}
		b.t.Errorf("the browser reported: %s", p)
	}
}

// do runs steps in the tab, each within actionTimeout, and fails the test
// on the first error.
func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		loc, _ := chromedp.Run(b.ctx, chromedp.Location())
		b.t.Fatalf("browser at %s: %v", loc, err)
	}
}

// run runs one step that returns a value, as do. A step that met a page
// in the middle of a navigation (a form's redirect, say) is tried again on
// the new page.
func run[T any](b *browser, step chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, step)
	for err != nil && navigating(err) && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
		v, err = chromedp.Run(ctx, step)
	}
	if err != nil {
		loc, _ := chromedp.Run(b.ctx, chromedp.Location())
		b.t.Fatalf("browser at %s: %v", loc, err)
	}
	return v
}

// open loads path and waits until the page has loaded.
func (b *browser) open(path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.base + path))
	b.waitFor(`document.readyState === "complete"`)
}

// waitFor waits until the JavaScript expression is true.
func (b *browser) waitFor(expr string) {
	b.t.Helper()
	run(b, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond)))
}

// waitPath waits until the tab shows path (after a redirect, say) and has
// loaded it.
func (b *browser) waitPath(path string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf(`location.pathname === %s && document.readyState === "complete"`, jsString(path)))
}

// path returns the path the tab shows.
func (b *browser) path() string {
	b.t.Helper()
	return run(b, chromedp.Evaluate[string](`location.pathname`))
}

// click clicks the first element that matches the CSS selector.
func (b *browser) click(sel string) {
	b.t.Helper()
	b.do(chromedp.Click(chromedp.CSS(sel)))
}

// submit clicks the first element matching sel (a form's button, a link)
// and waits until the page it leads to has loaded.
func (b *browser) submit(sel string) {
	b.t.Helper()
	run(b, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel))))
	b.waitFor(`document.readyState === "complete"`)
}

// fill types text into the field that matches the CSS selector.
func (b *browser) fill(sel, text string) {
	b.t.Helper()
	b.do(chromedp.SendKeys(chromedp.CSS(sel), text))
}

// text returns the visible text of the first element that matches sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(run(b, chromedp.Text(chromedp.CSS(sel))))
}

// count returns how many elements match the CSS selector (0 is fine).
func (b *browser) count(sel string) int {
	b.t.Helper()
	return run(b, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(sel))))
}

// attr returns attribute name of the first element matching sel, "" when
// there is none.
func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	return run(b, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%s)?.getAttribute(%s)) ?? ""`, jsString(sel), jsString(name))))
}

// signIn fills in and sends the sign-in form and waits for the page it
// leads to: Today, the organisation picker or the form again with an error.
func (b *browser) signIn(email, password string) {
	b.t.Helper()
	b.open("/login")
	b.fill("#email", email)
	b.fill("#password", password)
	b.submit(`form[action="/login"] button[type=submit]`)
}

// upload sets the files of the file input that matches sel (a CSV or an
// SBOM to import, say); submit its form with click.
func (b *browser) upload(sel string, files ...string) {
	b.t.Helper()
	b.do(chromedp.SetUploadFiles(chromedp.CSS(sel), files))
}

// download runs trigger (a click on a link or a button that downloads a
// file) and returns the name the server suggested and the file's bytes.
func (b *browser) download(trigger chromedp.Action[chromedp.Void]) (string, []byte) {
	b.t.Helper()
	dir := b.t.TempDir()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	begin := chromedp.Events(ctx, cdpbrowser.DownloadWillBegin)
	progress := chromedp.Events(ctx, cdpbrowser.DownloadProgress)
	if _, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true),
	}); err != nil {
		b.t.Fatalf("allow downloads: %v", err)
	}
	if err := chromedp.Do(ctx, trigger); err != nil {
		b.t.Fatalf("start the download: %v", err)
	}
	var name string
	for ev, err := range begin {
		if err != nil {
			b.t.Fatalf("no download began: %v", err)
		}
		name = ev.SuggestedFilename
		break
	}
	for ev, err := range progress {
		if err != nil {
			b.t.Fatalf("the download of %s did not complete: %v", name, err)
		}
		switch ev.State {
		case cdpbrowser.DownloadProgressStateCompleted:
			data, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				b.t.Fatal(err)
			}
			return name, data
		case cdpbrowser.DownloadProgressStateCanceled:
			b.t.Fatalf("the download of %s was cancelled", name)
		}
	}
	return name, nil
}

// screenshot saves a PNG of the whole page as DIR/name.png when
// WARD_SCREENSHOTS=DIR is set, and does nothing otherwise.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("WARD_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := run(b, chromedp.FullScreenshot(100))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// navigating reports whether err says the page went away under a step.
func navigating(err error) bool {
	msg := err.Error()
	for _, m := range []string{"navigated or closed", "Execution context was destroyed", "Cannot find context", "context with specified id"} {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s) // a string always marshals
	return string(q)
}
