package advisory

import "time"

// KEVEntry is one entry of CISA's Known Exploited Vulnerabilities catalogue.
type KEVEntry struct {
	CVE              string    `json:"cve"`
	Vendor           string    `json:"vendor"`
	Product          string    `json:"product"`
	Name             string    `json:"name"`
	DateAdded        time.Time `json:"date_added"`
	DueDate          time.Time `json:"due_date,omitzero"`
	RequiredAction   string    `json:"required_action,omitempty"`
	KnownRansomware  bool      `json:"known_ransomware,omitempty"`
	ShortDescription string    `json:"short_description,omitempty"`
}

// KEV is the catalogue, by CVE id.
type KEV map[string]KEVEntry

// EPSSScore is FIRST's probability of exploitation in the next 30 days.
type EPSSScore struct {
	Score      float64 `json:"epss"`
	Percentile float64 `json:"percentile"`
}

// EPSS holds one day's scores, by CVE id.
type EPSS struct {
	ModelVersion string
	Date         time.Time
	Scores       map[string]EPSSScore
}
