package alert

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// Envelope carries a signed alert: the alert's JSON exactly as signed, the
// id of the key that signed it and the Ed25519 signature over the payload.
type Envelope struct {
	KeyID     string `json:"key_id"`
	Payload   []byte `json:"payload"`   // the alert's JSON (base64 in JSON)
	Signature []byte `json:"signature"` // Ed25519 over "ward-alert-v1\n" + payload
}

// context separates ward's alert signatures from any other use of the key.
const signingContext = "ward-alert-v1\n"

func signed(payload []byte) []byte {
	return append([]byte(signingContext), payload...)
}

// KeyID names a public key: the first 8 bytes of its SHA-256, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// Signer signs alerts with the hub's current key.
type Signer struct {
	key ed25519.PrivateKey
	id  string
}

// NewSigner wraps a private key.
func NewSigner(key ed25519.PrivateKey) *Signer {
	return &Signer{key: key, id: KeyID(key.Public().(ed25519.PublicKey))}
}

// GenerateKey makes a new Ed25519 key pair for a hub.
func GenerateKey() (ed25519.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("alert key: %w", err)
	}
	return priv, nil
}

// KeyID returns the id of the signer's key.
func (s *Signer) KeyID() string { return s.id }

// PublicKey returns the signer's public key, for sites to pin.
func (s *Signer) PublicKey() ed25519.PublicKey { return s.key.Public().(ed25519.PublicKey) }

// Sign validates a and returns its envelope.
func (s *Signer) Sign(a *Alert) (*Envelope, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	payload, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("alert: %w", err)
	}
	return &Envelope{KeyID: s.id, Payload: payload, Signature: ed25519.Sign(s.key, signed(payload))}, nil
}

// Keyring holds the public keys a site trusts: the hub's current key and
// the old ones it rotated away from, kept so that older alerts still verify.
// It is safe for concurrent use.
type Keyring struct {
	mu   sync.RWMutex
	keys map[string]ed25519.PublicKey
}

// NewKeyring trusts the given public keys.
func NewKeyring(pubs ...ed25519.PublicKey) *Keyring {
	k := &Keyring{keys: map[string]ed25519.PublicKey{}}
	for _, p := range pubs {
		k.Add(p)
	}
	return k
}

// Add trusts one more public key (after a rotation).
func (k *Keyring) Add(pub ed25519.PublicKey) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys[KeyID(pub)] = bytes.Clone(pub)
}

// Remove stops trusting a key (after a compromise).
func (k *Keyring) Remove(id string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.keys, id)
}

// Open verifies an envelope and only then decodes and validates its alert.
// A signature that does not verify, or an unknown key, is ErrSignature: the
// caller drops the alert and logs a security event.
func (k *Keyring) Open(e *Envelope) (*Alert, error) {
	k.mu.RLock()
	pub, ok := k.keys[e.KeyID]
	k.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: unknown key %q", ErrSignature, e.KeyID)
	}
	if len(e.Signature) != ed25519.SignatureSize || !ed25519.Verify(pub, signed(e.Payload), e.Signature) {
		return nil, fmt.Errorf("%w: key %s", ErrSignature, e.KeyID)
	}
	a, err := Parse(bytes.NewReader(e.Payload))
	if err != nil {
		return nil, err
	}
	if a.ID == "" || a.Issued.IsZero() || a.Sequence == 0 {
		return nil, fmt.Errorf("%w: a published alert needs id, issued and sequence", ErrInvalid)
	}
	return a, nil
}

// ReplayGuard remembers what a site has accepted, to refuse an old alert
// sent again: an id already seen, or a sequence number at or below the
// oldest one it still remembers. It is safe for concurrent use.
type ReplayGuard struct {
	mu     sync.Mutex
	seen   map[string]uint64 // alert id -> sequence
	window int               // how many ids to remember
	floor  uint64            // sequences at or below this are refused
	order  []string
	maxAge time.Duration
}

// NewReplayGuard remembers up to window alert ids and refuses alerts issued
// more than maxAge before now (0: no age limit).
func NewReplayGuard(window int, maxAge time.Duration) *ReplayGuard {
	return &ReplayGuard{seen: map[string]uint64{}, window: max(window, 1), maxAge: maxAge}
}

// Accept records a verified alert, or returns ErrReplay.
func (g *ReplayGuard) Accept(a *Alert, now time.Time) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, dup := g.seen[a.ID]; dup {
		return fmt.Errorf("%w: alert %s was already received", ErrReplay, a.ID)
	}
	if a.Sequence <= g.floor {
		return fmt.Errorf("%w: alert %s has sequence %d, older than every alert remembered", ErrReplay, a.ID, a.Sequence)
	}
	if g.maxAge > 0 && now.Sub(a.Issued) > g.maxAge {
		return fmt.Errorf("%w: alert %s was issued %s ago", ErrReplay, a.ID, now.Sub(a.Issued).Round(time.Second))
	}
	g.seen[a.ID] = a.Sequence
	g.order = append(g.order, a.ID)
	if len(g.order) > g.window {
		old := g.order[0]
		g.order = g.order[1:]
		g.floor = max(g.floor, g.seen[old])
		delete(g.seen, old)
	}
	return nil
}
