package web

import "github.com/ward-health/ward/internal/store"

// EncodeKeyForTest exposes encodeKey, the URL id of a finding, to the
// external tests.
func EncodeKeyForTest(k store.FindingKey) string { return encodeKey(k) }

// OpenAPIForTest returns the OpenAPI document the server serves.
func OpenAPIForTest() []byte { return openAPIJSON() }
