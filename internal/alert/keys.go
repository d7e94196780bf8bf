package alert

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// A key announcement tells the sites of the hub's new signing key after a
// rotation. It travels on the alert stream like an alert, so a site that
// was offline reads it, in order, before the first alert the new key
// signed. On the wire it is a [KeyEnvelope]: the [KeyAnnouncement]'s JSON
// exactly as signed, and two Ed25519 signatures over
// "ward-key-v1\n" + that JSON: first by the previous current key (which the
// site pinned, vouching for the new one), then by the new key (proving that
// the hub holds its private half). docs/alerts.md documents the format.

// KeyAnnouncementType is the type field of every [KeyAnnouncement].
const KeyAnnouncementType = "ward-hub-key"

// keySigningContext separates key announcement signatures from alert
// signatures: neither can stand in for the other.
const keySigningContext = "ward-key-v1\n"

// maxKeyEnvelope bounds a key announcement message; a real one is about
// 500 bytes.
const maxKeyEnvelope = 4 << 10

// ErrKeyAnnouncement means a key announcement breaks the format; the message
// names the field. Like a forged signature, the caller drops the message and
// logs a security event.
var ErrKeyAnnouncement = errors.New("invalid key announcement")

// KeyEnvelope carries a signed key announcement.
type KeyEnvelope struct {
	Announcement []byte         `json:"key_announcement"` // the KeyAnnouncement's JSON (base64 in JSON)
	Signatures   []KeySignature `json:"signatures"`       // by the previous key, then by the new key
}

// KeySignature is one Ed25519 signature over a key announcement.
type KeySignature struct {
	KeyID     string `json:"key_id"`
	Signature []byte `json:"signature"`
}

// KeyAnnouncement is what the hub states of its new key.
type KeyAnnouncement struct {
	Type          string    `json:"type"`            // KeyAnnouncementType
	Key           []byte    `json:"key"`             // the new Ed25519 public key, 32 bytes
	KeyID         string    `json:"key_id"`          // KeyID of Key
	PreviousKeyID string    `json:"previous_key_id"` // the key current before, which signs first
	Issued        time.Time `json:"issued"`
}

// AnnounceKey returns the marshalled [KeyEnvelope] announcing next, signed
// by prev and by next.
func AnnounceKey(prev, next ed25519.PrivateKey, issued time.Time) ([]byte, error) {
	if len(prev) != ed25519.PrivateKeySize || len(next) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("%w: want two Ed25519 private keys", ErrKeyAnnouncement)
	}
	prevPub, nextPub := prev.Public().(ed25519.PublicKey), next.Public().(ed25519.PublicKey)
	ka := KeyAnnouncement{Type: KeyAnnouncementType, Key: nextPub, KeyID: KeyID(nextPub),
		PreviousKeyID: KeyID(prevPub), Issued: issued.UTC().Truncate(time.Second)}
	if ka.KeyID == ka.PreviousKeyID {
		return nil, fmt.Errorf("%w: the new key is the previous one", ErrKeyAnnouncement)
	}
	payload, err := json.Marshal(ka)
	if err != nil {
		return nil, fmt.Errorf("key announcement: %w", err)
	}
	msg := append([]byte(keySigningContext), payload...)
	return json.Marshal(KeyEnvelope{Announcement: payload, Signatures: []KeySignature{
		{KeyID: ka.PreviousKeyID, Signature: ed25519.Sign(prev, msg)},
		{KeyID: ka.KeyID, Signature: ed25519.Sign(next, msg)},
	}})
}

// IsKeyAnnouncement reports whether a message from the hub claims to be a
// key announcement (it has a key_announcement field) rather than an alert.
// It checks nothing else: [Keyring.OpenKeyAnnouncement] does.
func IsKeyAnnouncement(data []byte) bool {
	var probe struct {
		Announcement json.RawMessage `json:"key_announcement"`
	}
	return json.Unmarshal(data, &probe) == nil && probe.Announcement != nil
}

// ParseKeyAnnouncement decodes a key announcement message strictly, without
// verifying its signatures: unknown fields, trailing data, oversize input,
// a key of the wrong size, an id that does not name the key, and anything
// but two signatures (the previous key's, then the new key's) are
// ErrKeyAnnouncement.
func ParseKeyAnnouncement(data []byte) (*KeyEnvelope, *KeyAnnouncement, error) {
	if len(data) > maxKeyEnvelope {
		return nil, nil, fmt.Errorf("%w: larger than %d bytes", ErrKeyAnnouncement, maxKeyEnvelope)
	}
	var env KeyEnvelope
	if err := decodeStrict(data, &env); err != nil {
		return nil, nil, fmt.Errorf("%w: envelope: %v", ErrKeyAnnouncement, err)
	}
	var ka KeyAnnouncement
	if err := decodeStrict(env.Announcement, &ka); err != nil {
		return nil, nil, fmt.Errorf("%w: key_announcement: %v", ErrKeyAnnouncement, err)
	}
	switch {
	case ka.Type != KeyAnnouncementType:
		return nil, nil, fmt.Errorf("%w: type: want %q", ErrKeyAnnouncement, KeyAnnouncementType)
	case len(ka.Key) != ed25519.PublicKeySize:
		return nil, nil, fmt.Errorf("%w: key: want a 32-byte Ed25519 public key", ErrKeyAnnouncement)
	case ka.KeyID != KeyID(ka.Key):
		return nil, nil, fmt.Errorf("%w: key_id: does not name the key", ErrKeyAnnouncement)
	case ka.PreviousKeyID == "" || ka.PreviousKeyID == ka.KeyID || len(ka.PreviousKeyID) > 64:
		return nil, nil, fmt.Errorf("%w: previous_key_id: required, another key's id", ErrKeyAnnouncement)
	case ka.Issued.IsZero():
		return nil, nil, fmt.Errorf("%w: issued: required", ErrKeyAnnouncement)
	case len(env.Signatures) != 2:
		return nil, nil, fmt.Errorf("%w: signatures: want two, by the previous key and by the new key", ErrKeyAnnouncement)
	case env.Signatures[0].KeyID != ka.PreviousKeyID:
		return nil, nil, fmt.Errorf("%w: signatures[0]: want the previous key's (%s)", ErrKeyAnnouncement, ka.PreviousKeyID)
	case env.Signatures[1].KeyID != ka.KeyID:
		return nil, nil, fmt.Errorf("%w: signatures[1]: want the new key's (%s)", ErrKeyAnnouncement, ka.KeyID)
	}
	return &env, &ka, nil
}

// decodeStrict decodes one JSON value into v: unknown fields and trailing
// data are errors.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the value")
	}
	return nil
}

// OpenKeyAnnouncement parses a key announcement message (see
// [ParseKeyAnnouncement]) and verifies it: the previous key must be one the
// keyring trusts and its signature must verify, and so must the new key's
// own. Only then it returns the announcement, whose Key the caller may
// trust from now on. A signature that does not verify, or a previous key
// not trusted, is ErrSignature; a malformed message ErrKeyAnnouncement.
// Either way the caller drops the message and logs a security event.
func (k *Keyring) OpenKeyAnnouncement(data []byte) (*KeyAnnouncement, error) {
	env, ka, err := ParseKeyAnnouncement(data)
	if err != nil {
		return nil, err
	}
	k.mu.RLock()
	prev, ok := k.keys[ka.PreviousKeyID]
	k.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: key announcement signed by unknown key %q", ErrSignature, ka.PreviousKeyID)
	}
	msg := append([]byte(keySigningContext), env.Announcement...)
	for i, pub := range []ed25519.PublicKey{prev, ka.Key} {
		sig := env.Signatures[i].Signature
		if len(sig) != ed25519.SignatureSize || !ed25519.Verify(pub, msg, sig) {
			return nil, fmt.Errorf("%w: key announcement: signature of key %s", ErrSignature, env.Signatures[i].KeyID)
		}
	}
	return ka, nil
}

// Has reports whether the keyring trusts the key with id.
func (k *Keyring) Has(id string) bool {
	k.mu.RLock()
	defer k.mu.RUnlock()
	_, ok := k.keys[id]
	return ok
}
