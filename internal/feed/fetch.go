package feed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/ward-health/ward/internal/advisory"
)

// maxSidecar bounds a .sha512, .sha256 or .asc file, as advisory.Load does.
const maxSidecar = 64 << 10

// fetcher makes the HTTP requests of one sync.
type fetcher struct {
	client    *http.Client
	allowHTTP bool
	timeout   time.Duration
}

func newFetcher(opts Options) *fetcher {
	f := &fetcher{allowHTTP: opts.AllowHTTP, timeout: opts.RequestTimeout}
	c := *opts.HTTPClient
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if from := via[len(via)-1].URL; req.URL.Scheme != from.Scheme {
			return fmt.Errorf("redirect from %s to %s: %w", from.Redacted(), req.URL.Redacted(), ErrInsecureURL)
		}
		if err := f.check(req.URL); err != nil {
			return err
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	f.client = &c
	return f
}

// check refuses URLs that are not https, or http when allowed.
func (f *fetcher) check(u *url.URL) error {
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && f.allowHTTP:
		return nil
	}
	if f.allowHTTP {
		return fmt.Errorf("%s: %w (only https or http)", u.Redacted(), ErrInsecureURL)
	}
	return fmt.Errorf("%s: %w (only https)", u.Redacted(), ErrInsecureURL)
}

// validators are the conditional-request headers of a known file.
type validators struct {
	etag, lastModified string
}

// response is a fetched body, or a 304.
type response struct {
	body        []byte
	notModified bool
	etag        string
	lastMod     string
}

// statusError is a response with an unexpected status.
type statusError struct {
	url  string
	code int
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s: status %d %s", e.url, e.code, http.StatusText(e.code))
}

func (e *statusError) Unwrap() error { return ErrStatus }

// isStatus reports whether err is a response with the given status.
func isStatus(err error, code int) bool {
	var se *statusError
	return errors.As(err, &se) && se.code == code
}

// get fetches u, at most limit bytes, with its own timeout. With
// validators it makes a conditional request, and a 304 gives a response
// with notModified set. A body over limit wraps [advisory.ErrTooLarge].
func (f *fetcher) get(ctx context.Context, u *url.URL, v validators, limit int64) (*response, error) {
	if err := f.check(u); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "ward-feed/1")
	if v.etag != "" {
		req.Header.Set("If-None-Match", v.etag)
	}
	if v.lastModified != "" {
		req.Header.Set("If-Modified-Since", v.lastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && (v.etag != "" || v.lastModified != ""):
		return &response{notModified: true, etag: resp.Header.Get("ETag"), lastMod: resp.Header.Get("Last-Modified")}, nil
	case resp.StatusCode != http.StatusOK:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return nil, &statusError{url: u.Redacted(), code: resp.StatusCode}
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%s: %d bytes, more than %d: %w", u.Redacted(), resp.ContentLength, limit, advisory.ErrTooLarge)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u.Redacted(), err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%s: more than %d bytes: %w", u.Redacted(), limit, advisory.ErrTooLarge)
	}
	return &response{body: body, etag: resp.Header.Get("ETag"), lastMod: resp.Header.Get("Last-Modified")}, nil
}
