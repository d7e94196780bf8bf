package store_test

import (
	"strings"
	"testing"

	"github.com/ward-health/ward/internal/store"
)

// FuzzCheckContact: a phone number the store accepts holds only digits,
// spaces, "+", "-" and parentheses, at least one digit, and is short: safe
// in a tel: link.
func FuzzCheckContact(f *testing.F) {
	for _, seed := range []string{"", "+49 (40) 1234-5678", "112", "0800-WARD", "+ ( ) -", "tel:112", "１２３", "1\n2", strings.Repeat("9", 41)} {
		f.Add("Leitstelle", seed)
	}
	f.Fuzz(func(t *testing.T, contact, phone string) {
		if err := store.CheckContact(contact, phone); err != nil || phone == "" {
			return
		}
		if len(phone) > store.MaxPhone || strings.Trim(phone, "0123456789 +-()") != "" || !strings.ContainsAny(phone, "0123456789") {
			t.Errorf("CheckContact(%q) = nil, want an error", phone)
		}
	})
}
