package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/ward-health/ward/internal/store"
)

// randomToken returns 32 random bytes in unpadded base64url.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand since Go 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

// sameToken compares two secrets in constant time; empty never matches.
func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// session is one signed-in browser.
type session struct {
	ID      string
	UserID  string
	Email   string
	Name    string
	CSRF    string // token of every form of this session
	OrgID   string // current organisation; "" until one is picked
	OrgName string
	OrgKind store.OrgKind
	Role    store.Role
	Expires time.Time
}

// sessions keeps sessions in memory, by id.
type sessions struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]session
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{now: now, m: map[string]session{}}
}

// create starts a session for user and drops expired ones.
func (ss *sessions) create(u store.User) session {
	now := ss.now()
	s := session{
		ID: randomToken(), UserID: u.ID, Email: u.Email, Name: u.DisplayName,
		CSRF: randomToken(), Expires: now.Add(sessionTTL),
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for id, old := range ss.m {
		if !now.Before(old.Expires) {
			delete(ss.m, id)
		}
	}
	ss.m[s.ID] = s
	return s
}

// get returns the live session id.
func (ss *sessions) get(id string) (session, bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.m[id]
	if !ok {
		return session{}, false
	}
	if !ss.now().Before(s.Expires) {
		delete(ss.m, id)
		return session{}, false
	}
	return s, true
}

// setOrg makes org the session's current organisation.
func (ss *sessions) setOrg(id string, org store.Organisation, role store.Role) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if s, ok := ss.m[id]; ok {
		s.OrgID, s.OrgName, s.OrgKind, s.Role = org.ID, org.Name, org.Kind, role
		ss.m[id] = s
	}
}

func (ss *sessions) delete(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, id)
}

// limiter is a token bucket per client IP that only failed sign-ins
// drain: the staff of a hospital behind one NAT address can all sign in,
// while guessing passwords from one address stops after a few tries.
type limiter struct {
	now   func() time.Time
	burst float64
	every time.Duration // one token comes back every this long
	mu    sync.Mutex
	m     map[string]bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// newLimiter allows n requests per period and IP, n at once.
func newLimiter(now func() time.Time, n int, period time.Duration) *limiter {
	return &limiter{now: now, burst: float64(n), every: period / time.Duration(n), m: map[string]bucket{}}
}

// maxBuckets bounds the limiter's memory; full buckets are dropped beyond it.
const maxBuckets = 10_000

// blocked reports whether ip has used up its failures: its bucket holds
// less than one token. It takes nothing.
func (l *limiter) blocked(ip string) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.m[ip]
	return ok && l.refill(b, now).tokens < 1
}

// fail takes a token of ip's bucket: one more failed attempt.
func (l *limiter) fail(ip string) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.m) >= maxBuckets {
		for k, b := range l.m {
			if l.refill(b, now).tokens >= l.burst {
				delete(l.m, k)
			}
		}
	}
	b, ok := l.m[ip]
	if !ok {
		b = bucket{tokens: l.burst, last: now}
	}
	b = l.refill(b, now)
	b.tokens = max(0, b.tokens-1)
	l.m[ip] = b
}

// refill adds the tokens that came back since b was last touched.
func (l *limiter) refill(b bucket, now time.Time) bucket {
	b.tokens = min(l.burst, b.tokens+float64(now.Sub(b.last))/float64(l.every))
	b.last = now
	return b
}

// clientIP is the address the request came from. ward does not trust
// X-Forwarded-For: behind a proxy, all clients share the proxy's bucket.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// count returns how many sessions have not expired.
func (ss *sessions) count() int {
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	n := 0
	for _, s := range ss.m {
		if now.Before(s.Expires) {
			n++
		}
	}
	return n
}
