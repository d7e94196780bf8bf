package web

import "github.com/ward-health/ward/internal/store"

// DecodeKeyForTest exposes decodeKey to the external tests; a bad id gives
// the zero key.
func DecodeKeyForTest(s string) store.FindingKey {
	k, _ := decodeKey(s)
	return k
}
