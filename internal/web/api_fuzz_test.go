package web

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/store"
)

// FuzzAPIBodies feeds arbitrary bytes to the API's body decoders: they
// never panic, refuse with ErrInvalid, and what they accept passes
// validation or is refused with ErrInvalid.
func FuzzAPIBodies(f *testing.F) {
	f.Add([]byte(`{"id":"pump-1","vendor":"B. Braun","product":"Space","exposure":"internal"}`))
	f.Add([]byte(`{"state":"risk_accepted","reason":"r","accept_expires_at":"2027-01-01T00:00:00Z","assignee":""}`))
	f.Add([]byte(`{"id":1}`))
	f.Add([]byte(`{} {}`))
	f.Add([]byte(`{"components":[{"name":"openssl","version":"1.1.1"}],"services":[{"port":443,"protocol":"tcp"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var a inventory.Asset
		if err := strictJSON(b, &a); err != nil {
			if !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("strictJSON(asset) = %v, want ErrInvalid", err)
			}
		} else if err := validAsset(&a); err != nil && !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("validAsset() = %v, want nil or ErrInvalid", err)
		}
		var p findingPatch
		if err := strictJSON(b, &p); err != nil && !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("strictJSON(patch) = %v, want ErrInvalid", err)
		}
	})
}

// FuzzImportErrors reads arbitrary bytes as an inventory: every refusal
// becomes at least one row error with a message.
func FuzzImportErrors(f *testing.F) {
	f.Add([]byte("id,vendor,product\npump-1,Acme,Pump\n"))
	f.Add([]byte("id,vendor,product,exposure\npump-1,Acme,Pump,moon\n,Acme,Pump,internal\n"))
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.5"}`))
	f.Add([]byte(`<nmaprun></nmaprun>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := inventory.Read(t.Context(), importName, bytes.NewReader(b))
		if err == nil {
			return
		}
		rows := rowErrors(err).rows
		if len(rows) == 0 {
			t.Fatalf("rowErrors(%v) = no rows", err)
		}
		for _, r := range rows {
			if r.Message == "" {
				t.Fatalf("rowErrors(%v): a row without a message", err)
			}
		}
	})
}
