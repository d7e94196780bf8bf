package web_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/ward-health/ward/internal/engine"
	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/store/sqlite"
	"github.com/ward-health/ward/internal/web"
)

// provider is an OpenID Connect provider over real HTTP: discovery, JWKS,
// an authorize endpoint that approves at once, and a token endpoint that
// checks the code, the client secret and the PKCE verifier.
type provider struct {
	t   *testing.T
	srv *httptest.Server
	key *rsa.PrivateKey
	// claims, set by a test, go into the ID token; nonce and aud are
	// filled in unless set.
	claims map[string]any

	mu    sync.Mutex
	codes map[string]authRequest
}

type authRequest struct{ nonce, challenge, redirect string }

const clientID, clientSecret = "ward", "s3cret"

func newProvider(t *testing.T) *provider {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &provider{t: t, key: key, codes: map[string]authRequest{}}
	m := http.NewServeMux()
	m.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{
			"issuer": p.srv.URL, "authorization_endpoint": p.srv.URL + "/authorize",
			"token_endpoint": p.srv.URL + "/token", "jwks_uri": p.srv.URL + "/jwks",
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"response_types_supported":              []string{"code"},
			"subject_types_supported":               []string{"public"},
		})
	})
	m.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	m.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != clientID || q.Get("code_challenge_method") != "S256" || q.Get("response_type") != "code" {
			http.Error(w, "bad authorize request", http.StatusBadRequest)
			return
		}
		code := rand.Text()
		p.mu.Lock()
		p.codes[code] = authRequest{q.Get("nonce"), q.Get("code_challenge"), q.Get("redirect_uri")}
		p.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?"+url.Values{"code": {code}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
	})
	m.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		id, secret, _ := r.BasicAuth()
		if err := r.ParseForm(); err != nil || id != clientID || secret != clientSecret {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		p.mu.Lock()
		req, ok := p.codes[r.PostForm.Get("code")]
		delete(p.codes, r.PostForm.Get("code"))
		p.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != req.challenge || r.PostForm.Get("redirect_uri") != req.redirect {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		claims := map[string]any{
			"iss": p.srv.URL, "sub": "u-1", "aud": clientID, "nonce": req.nonce,
			"iat": time.Now().Unix(), "exp": time.Now().Add(5 * time.Minute).Unix(),
		}
		for k, v := range p.claims {
			claims[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": p.sign(claims),
		})
	})
	p.srv = httptest.NewServer(m)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *provider) sign(claims map[string]any) string {
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: p.key}, (&jose.SignerOptions{}).WithHeader("kid", "k1"))
	if err != nil {
		p.t.Fatal(err)
	}
	tok, err := jwt.Signed(sig).Claims(claims).Serialize()
	if err != nil {
		p.t.Fatal(err)
	}
	return tok
}

// ssoServer is ward with single sign-on at p, and one user, anna, member of
// one practice.
func ssoServer(t *testing.T, p *provider) *httptest.Server {
	ctx := t.Context()
	st, err := sqlite.Open(ctx, sqlite.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	org := must(st.CreateOrg(ctx, store.Organisation{Name: "Praxis Weber", Kind: store.KindPractice, Country: "DE"}))(t)
	anna := must(st.CreateUser(ctx, store.User{Email: "anna@example.org", DisplayName: "Anna", PasswordHash: must(store.HashPassword(password))(t)}))(t)
	must(st.SetMember(ctx, org.ID, anna.ID, store.RoleAdmin))(t)
	eng := must(engine.New(engine.Config{Store: st}))(t)

	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	h, err := web.New(web.Config{Store: st, Engine: eng, Logger: slog.New(slog.NewTextHandler(t.Output(), nil)),
		OIDC: &web.OIDC{Issuer: p.srv.URL, ClientID: clientID, ClientSecret: clientSecret, RedirectURL: base + "/login/oidc/callback", Name: "Praxisnetz ID"}})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = h
	ts.Start()
	t.Cleanup(ts.Close)
	return ts
}

func TestOIDC(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		claims   map[string]any
		mangle   func(u *url.URL) // of the callback URL
		wantCode int
		wantBody string
	}{
		{"signs in", map[string]any{"email": "Anna@example.org", "email_verified": true}, nil, http.StatusOK, "Praxis Weber"},
		{"unknown user", map[string]any{"email": "eve@example.org"}, nil, http.StatusForbidden, "has not given you access"},
		{"unverified email", map[string]any{"email": "anna@example.org", "email_verified": false}, nil, http.StatusUnauthorized, "did not work"},
		{"other audience", map[string]any{"email": "anna@example.org", "aud": "another-app"}, nil, http.StatusUnauthorized, "did not work"},
		{"expired", map[string]any{"email": "anna@example.org", "exp": time.Now().Add(-time.Hour).Unix()}, nil, http.StatusUnauthorized, "did not work"},
		{"wrong nonce", map[string]any{"email": "anna@example.org", "nonce": "replayed"}, nil, http.StatusUnauthorized, "did not work"},
		{"forged state", map[string]any{"email": "anna@example.org"}, func(u *url.URL) {
			q := u.Query()
			q.Set("state", "forged")
			u.RawQuery = q.Encode()
		}, http.StatusUnauthorized, "did not work"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newProvider(t)
			p.claims = tc.claims
			ts := ssoServer(t, p)
			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if tc.mangle != nil && req.URL.Path == "/login/oidc/callback" {
					tc.mangle(req.URL)
				}
				return nil
			}}
			login := must(c.Get(ts.URL + "/login"))(t)
			body := string(must(io.ReadAll(login.Body))(t))
			login.Body.Close()
			if !strings.Contains(body, `href="/login/oidc"`) || !strings.Contains(body, "Sign in with Praxisnetz ID") {
				t.Fatalf("sign-in page offers no single sign-on:\n%s", body)
			}
			res := must(c.Get(ts.URL + "/login/oidc"))(t)
			defer res.Body.Close()
			body = string(must(io.ReadAll(res.Body))(t))
			if res.StatusCode != tc.wantCode || !strings.Contains(body, tc.wantBody) {
				t.Errorf("single sign-on ended on %s = %d, want %d with %q:\n%s", res.Request.URL.Path, res.StatusCode, tc.wantCode, tc.wantBody, body)
			}
		})
	}
}

// Without OIDC configured, its routes do not exist.
func TestOIDC_Off(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	if res := f.client().get("/login/oidc"); res.Code == http.StatusFound {
		t.Errorf("GET /login/oidc without OIDC = %d, want no redirect", res.Code)
	}
	if strings.Contains(f.client().get("/login").Body, "/login/oidc") {
		t.Error("sign-in page offers single sign-on that is not configured")
	}
}
