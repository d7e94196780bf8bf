package advisory

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// mustCopyTestdata copies testdata/csaf/name and the side files named by exts
// (".sha512", ".asc") into dir and returns the copy's path and content.
func mustCopyTestdata(tb testing.TB, dir, name string, exts ...string) (string, []byte) {
	tb.Helper()
	var data []byte
	for _, ext := range append([]string{""}, exts...) {
		b, err := os.ReadFile(filepath.Join(csafTestdata, name+ext))
		if err != nil {
			tb.Fatal(err)
		}
		if ext == "" {
			data = b
		}
		mustWrite(tb, filepath.Join(dir, name+ext), b)
	}
	return filepath.Join(dir, name), data
}

func mustWrite(tb testing.TB, path string, b []byte) {
	tb.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
}

// tampered returns a copy of data with one byte changed.
func tampered(data []byte) []byte {
	out := bytes.Clone(data)
	out[len(out)/2] ^= 0x01
	return out
}

func TestCheckIntegrity_Digest(t *testing.T) {
	t.Parallel()
	const name = "icsma-18-240-01.json"
	sum256 := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	tests := []struct {
		name string
		// setup writes the files into dir and returns the path and the
		// content to check.
		setup   func(t *testing.T, dir string) (string, []byte)
		want    error
		wantMsg string
	}{
		{
			name: "real .sha512 matches",
			setup: func(t *testing.T, dir string) (string, []byte) {
				return mustCopyTestdata(t, dir, name, ".sha512")
			},
		},
		{
			name: "real .sha512 of another ICSMA file matches",
			setup: func(t *testing.T, dir string) (string, []byte) {
				return mustCopyTestdata(t, dir, "icsma-17-009-01a.json", ".sha512")
			},
		},
		{
			name: "tampered content",
			setup: func(t *testing.T, dir string) (string, []byte) {
				p, data := mustCopyTestdata(t, dir, name, ".sha512")
				return p, tampered(data)
			},
			want:    ErrHashMismatch,
			wantMsg: "sha512 expected 444bae37438b3482… got ",
		},
		{
			name: "no side files",
			setup: func(t *testing.T, dir string) (string, []byte) {
				return mustCopyTestdata(t, dir, name)
			},
		},
		{
			name: ".sha256 in upper case matches",
			setup: func(t *testing.T, dir string) (string, []byte) {
				p, data := mustCopyTestdata(t, dir, name)
				mustWrite(t, p+".sha256", []byte(strings.ToUpper(sum256(data))+"  "+name+"\n"))
				return p, data
			},
		},
		{
			name: ".sha256 mismatch",
			setup: func(t *testing.T, dir string) (string, []byte) {
				p, data := mustCopyTestdata(t, dir, name)
				mustWrite(t, p+".sha256", []byte(sum256(data)+"  "+name+"\n"))
				return p, tampered(data)
			},
			want:    ErrHashMismatch,
			wantMsg: "sha256 expected",
		},
		{
			name: ".sha512 wins over a wrong .sha256",
			setup: func(t *testing.T, dir string) (string, []byte) {
				p, data := mustCopyTestdata(t, dir, name, ".sha512")
				mustWrite(t, p+".sha256", []byte(strings.Repeat("0", 64)))
				return p, data
			},
		},
		{
			name: "malformed .sha512",
			setup: func(t *testing.T, dir string) (string, []byte) {
				p, data := mustCopyTestdata(t, dir, name)
				mustWrite(t, p+".sha512", []byte("not-a-digest "+name))
				return p, data
			},
			want:    ErrHashMismatch,
			wantMsg: "holds no sha512 digest",
		},
		{
			name: "empty .sha512",
			setup: func(t *testing.T, dir string) (string, []byte) {
				p, data := mustCopyTestdata(t, dir, name)
				mustWrite(t, p+".sha512", nil)
				return p, data
			},
			want: ErrHashMismatch,
		},
		{
			name: "oversized .sha512",
			setup: func(t *testing.T, dir string) (string, []byte) {
				p, data := mustCopyTestdata(t, dir, name)
				mustWrite(t, p+".sha512", bytes.Repeat([]byte("a"), maxSidecar+1))
				return p, data
			},
			want:    ErrTooLarge,
			wantMsg: "exceeds 65536 bytes",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path, data := tt.setup(t, t.TempDir())
			err := checkIntegrity(path, data, Options{})
			csafWantErr(t, "checkIntegrity()", err, tt.want, "integrity: ", tt.wantMsg)
		})
	}
}

// mustKey generates an OpenPGP key pair (EdDSA, fast) and returns the entity
// and its armored public key.
func mustKey(tb testing.TB, name string) (*openpgp.Entity, string) {
	tb.Helper()
	e, err := openpgp.NewEntity(name, "ward test", name+"@example.org", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if err := e.Serialize(w); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return e, buf.String()
}

// mustSign writes an armored detached signature of data to path+".asc".
func mustSign(tb testing.TB, signer *openpgp.Entity, path string, data []byte) {
	tb.Helper()
	var sig bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&sig, signer, bytes.NewReader(data), nil); err != nil {
		tb.Fatal(err)
	}
	mustWrite(tb, path+".asc", sig.Bytes())
}

func TestCheckIntegrity_Signature(t *testing.T) {
	t.Parallel()
	const name = "icsma-17-017-01.json"
	signer, signerKey := mustKey(t, "signer")
	_, otherKey := mustKey(t, "other")

	// signed copies the real ICSMA file with its .sha512 and signs it with
	// the generated key.
	signed := func(t *testing.T, dir string) (string, []byte) {
		p, data := mustCopyTestdata(t, dir, name, ".sha512")
		mustSign(t, signer, p, data)
		return p, data
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string) (string, []byte)
		keys    []string
		want    error
		wantMsg string
	}{
		{name: "signed by the key", setup: signed, keys: []string{signerKey}},
		{name: "signed by the second of two keys", setup: signed, keys: []string{otherKey, signerKey}},
		{
			name: "one byte tampered",
			setup: func(t *testing.T, dir string) (string, []byte) {
				p, data := mustCopyTestdata(t, dir, name) // no .sha512: the signature must catch it
				mustSign(t, signer, p, data)
				return p, tampered(data)
			},
			keys: []string{signerKey},
			want: ErrSignature,
		},
		{name: "wrong key", setup: signed, keys: []string{otherKey}, want: ErrSignature},
		{
			name: "unsigned",
			setup: func(t *testing.T, dir string) (string, []byte) {
				return mustCopyTestdata(t, dir, name, ".sha512")
			},
			keys:    []string{signerKey},
			want:    ErrSignature,
			wantMsg: "unsigned",
		},
		{
			name: "CISA's real signature, not our key",
			setup: func(t *testing.T, dir string) (string, []byte) {
				return mustCopyTestdata(t, dir, name, ".sha512", ".asc")
			},
			keys: []string{signerKey},
			want: ErrSignature,
		},
		{
			name: "CISA's real signature without keys is not checked",
			setup: func(t *testing.T, dir string) (string, []byte) {
				return mustCopyTestdata(t, dir, name, ".sha512", ".asc")
			},
		},
		{name: "unreadable key", setup: signed, keys: []string{"not a key"}, want: ErrSignature, wantMsg: "key 1"},
		{
			name: "hash checked before signature",
			setup: func(t *testing.T, dir string) (string, []byte) {
				p, data := signed(t, dir)
				return p, tampered(data)
			},
			keys: []string{signerKey},
			want: ErrHashMismatch,
		},
		{
			name: "garbage .asc",
			setup: func(t *testing.T, dir string) (string, []byte) {
				p, data := mustCopyTestdata(t, dir, name)
				mustWrite(t, p+".asc", []byte("-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n"))
				return p, data
			},
			keys: []string{signerKey},
			want: ErrSignature,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path, data := tt.setup(t, t.TempDir())
			err := checkIntegrity(path, data, Options{Keys: tt.keys})
			csafWantErr(t, "checkIntegrity()", err, tt.want, "integrity: ", tt.wantMsg)
		})
	}
}

func TestIntegrity_VerifyExported(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(csafTestdata, "icsma-18-240-01.json"))
	if err != nil {
		t.Fatal(err)
	}
	sha512File, err := os.ReadFile(filepath.Join(csafTestdata, "icsma-18-240-01.json.sha512"))
	if err != nil {
		t.Fatal(err)
	}
	signer, signerKey := mustKey(t, "signer")
	_, otherKey := mustKey(t, "other")
	var asc bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&asc, signer, bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{name: "digest matches", call: func() error { return VerifyDigest(data, sha512File, ".sha512") }},
		{name: "digest of tampered data", call: func() error { return VerifyDigest(tampered(data), sha512File, ".sha512") }, want: ErrHashMismatch},
		{name: "sha512 digest read as sha256", call: func() error { return VerifyDigest(data, sha512File, ".sha256") }, want: ErrHashMismatch},
		{name: "unknown digest kind", call: func() error { return VerifyDigest(data, sha512File, ".md5") }, want: ErrInvalid},
		{name: "signature verifies", call: func() error { return VerifySignature(data, asc.Bytes(), []string{signerKey}) }},
		{name: "signature by another key", call: func() error { return VerifySignature(data, asc.Bytes(), []string{otherKey}) }, want: ErrSignature},
		{name: "signature over tampered data", call: func() error { return VerifySignature(tampered(data), asc.Bytes(), []string{signerKey}) }, want: ErrSignature},
		{name: "unreadable key", call: func() error { return VerifySignature(data, asc.Bytes(), []string{"junk"}) }, want: ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := tt.call(); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
		})
	}
}
