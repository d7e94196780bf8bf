// Package browsertest holds ward's browser tests: a real ward web server
// (internal/web over a real SQLite file seeded with the demo organisations
// of internal/demo, behind net/http/httptest) driven in headless Chromium
// through the DevTools protocol with github.com/chromedp/chromedp.
//
// The tests skip when no Chromium is installed, and fail under
// WARD_STRICT=1 (see [testenv.Chromium]). With WARD_SCREENSHOTS=DIR they save
// screenshots of the pages they visit into DIR.
//
// To add a test, start a [site] and a [browser] and use the browser's
// helpers (open, signIn, click, text, count, waitFor, upload, download,
// screenshot); every console error, failed request and CSP violation the
// pages cause fails the test, unless the test allows it.
package browsertest
