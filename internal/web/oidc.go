package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/ward-health/ward/internal/store"
)

// OIDC configures single sign-on with an OpenID Connect provider (Keycloak,
// Entra ID, a regional health identity service). ward uses the
// authorization code flow with PKCE, a state and a nonce, and signs in the
// existing ward user whose email the provider vouches for: the provider
// proves who someone is; ward's memberships still say where they may act.
type OIDC struct {
	// Issuer is the provider's issuer URL; its discovery document is read
	// at the first sign-in, so ward starts while the provider is down.
	Issuer string
	// ClientID and ClientSecret are ward's registration at the provider.
	ClientID, ClientSecret string
	// RedirectURL is ward's callback as the browser reaches it:
	// https://ward.example.org/login/oidc/callback.
	RedirectURL string
	// Name is what the sign-in button says after "Sign in with"; empty
	// means "single sign-on".
	Name string
}

const (
	oidcCookie  = "ward_oidc" // state, nonce and PKCE verifier of one sign-in
	oidcTimeout = 10 * time.Minute
)

// oidcClient talks to the provider, discovered once on first use.
type oidcClient struct {
	cfg OIDC
	mu  sync.Mutex
	p   *oidc.Provider
}

func (c *oidcClient) provider(ctx context.Context) (*oidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.p != nil {
		return c.p, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(ctx, c.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc discovery of %s: %w", c.cfg.Issuer, err)
	}
	c.p = p
	return p, nil
}

func (c *oidcClient) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, RedirectURL: c.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}
}

// oidcStart sends the browser to the provider.
func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) {
	p, err := s.oidc.provider(r.Context())
	if err != nil {
		s.log.ErrorContext(r.Context(), "single sign-on unavailable", slog.Any("err", err))
		s.renderLogin(w, r, http.StatusBadGateway, "", "Single sign-on is not reachable just now. Please try again, or sign in with your password.")
		return
	}
	state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
	http.SetCookie(w, &http.Cookie{
		Name: oidcCookie, Value: state + "." + nonce + "." + verifier, Path: "/login/oidc",
		MaxAge: int(oidcTimeout / time.Second), HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode, // the provider's redirect back is a top-level GET
	})
	http.Redirect(w, r, s.oidc.oauth(p).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// oidcCallback takes the provider's answer, checks it and signs the user in.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	email, err := s.oidcEmail(ctx, r)
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Path: "/login/oidc", MaxAge: -1})
	ip := clientIP(r)
	if err != nil {
		s.limiter.fail(ip)
		s.log.WarnContext(ctx, "single sign-on failed", slog.Any("err", err), slog.String("ip", ip))
		s.renderLogin(w, r, http.StatusUnauthorized, "", "Single sign-on did not work. Please try again.")
		return
	}
	u, err := s.store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		s.limiter.fail(ip)
		s.log.InfoContext(ctx, "sign-in failed", slog.String("reason", "single sign-on user unknown"), slog.String("ip", ip))
		s.renderLogin(w, r, http.StatusForbidden, "", "Your organisation has not given you access to ward yet. Please ask its administrator to add "+email+".")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if u.Disabled {
		s.auditUser(ctx, u.ID, u.Email, "signin.fail", "disabled, single sign-on from "+ip)
		s.renderLogin(w, r, http.StatusForbidden, "", wrongLogin)
		return
	}
	s.startSession(w, r, u, "single sign-on from "+ip)
}

// oidcEmail checks the callback (state, code, ID token signature, audience,
// expiry, nonce) and returns the verified email it carries.
func (s *Server) oidcEmail(ctx context.Context, r *http.Request) (string, error) {
	c, err := r.Cookie(oidcCookie)
	if err != nil {
		return "", errors.New("no sign-in in progress (cookie missing or expired)")
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 {
		return "", errors.New("malformed sign-in cookie")
	}
	state, nonce, verifier := parts[0], parts[1], parts[2]
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return "", fmt.Errorf("provider answered %q", e)
	}
	if !sameToken(state, q.Get("state")) {
		return "", errors.New("state mismatch")
	}
	p, err := s.oidc.provider(ctx)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	tok, err := s.oidc.oauth(p).Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		return "", fmt.Errorf("code exchange: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return "", errors.New("no id_token in the token response")
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: s.oidc.cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		return "", fmt.Errorf("id token: %w", err)
	}
	if !sameToken(nonce, idt.Nonce) {
		return "", errors.New("nonce mismatch")
	}
	var claims struct {
		Email    string `json:"email"`
		Verified *bool  `json:"email_verified"`
	}
	if err := idt.Claims(&claims); err != nil {
		return "", fmt.Errorf("id token claims: %w", err)
	}
	if claims.Email == "" || (claims.Verified != nil && !*claims.Verified) {
		return "", errors.New("the provider vouches for no verified email")
	}
	return claims.Email, nil
}
