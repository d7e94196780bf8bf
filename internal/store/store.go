// Package store is the persistence contract of ward serve: the domain types a
// site or hub keeps (organisations, users, memberships, API tokens, assets,
// findings with their workflow, the audit log) and the interfaces that every
// storage adapter implements.
//
// # Layout
//
//   - store (this package): the types, the [Store] contract as small
//     interfaces ([Orgs], [Members], [Users], [Tokens], [Assets], [Findings],
//     [Audit]), the sentinel errors, the finding state machine
//     ([FindingState.CanMoveTo], [Transition.Check]), password hashing
//     ([HashPassword], [VerifyPassword]) and API token secrets ([NewToken],
//     [HashToken]).
//   - store/sqlstore: the one implementation of the contract over
//     database/sql, parameterised by a dialect (placeholders, row locks,
//     constraint errors).
//   - store/sqlite and store/postgres: the adapters. Each opens its database,
//     runs its embedded migrations and hands a dialect to sqlstore.
//   - store/storetest: the contract suite both adapters run.
//
// # Contract
//
// Every method takes a context first. Data owned by an organisation (members,
// tokens, assets, findings, audit entries) is reached only through that
// organisation's id: asking for another organisation's object answers
// [ErrNotFound] and changes nothing, exactly as for an object that does not
// exist. Lists return one [Page] at a time, in a stable order, and go on from
// an opaque cursor; an unknown organisation has empty lists.
//
// Writes that take many rows ([Assets.ImportAssets], [Findings.SyncFindings])
// run in one transaction: they store everything or nothing.
//
// Times are stored with microsecond precision and returned in UTC.
package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/scan"
)

// Sentinel errors. Adapters wrap them with what failed; callers test them
// with errors.Is and map them to a status once, at the edge.
var (
	// ErrNotFound means the object does not exist, or belongs to another
	// organisation. Callers answer "not found" (HTTP 404) and never say which.
	ErrNotFound = errors.New("not found")
	// ErrConflict means the object would duplicate one that exists, such as a
	// second user with the same email. Callers ask for another value (HTTP 409).
	ErrConflict = errors.New("already exists")
	// ErrInvalid means the input failed validation; the message names the
	// field and is safe to show. Callers let the user correct it (HTTP 400).
	ErrInvalid = errors.New("invalid input")
	// ErrTransition means a finding cannot move from its current state to the
	// requested one. Callers reload the finding and offer the states
	// [FindingState.CanMoveTo] allows (HTTP 409).
	ErrTransition = errors.New("state change not allowed")
)

// Store is everything ward serve persists. Adapters: store/sqlite and
// store/postgres.
type Store interface {
	Orgs
	Members
	Users
	Tokens
	Assets
	Findings
	Audit
	Comments
	Verdicts
	Settings
	Feeds
	Stats
	Network
	Notifications
	// Close releases the database. Calling it again does nothing.
	Close() error
}

// Orgs stores organisations, the tenants of a node.
type Orgs interface {
	// CreateOrg stores o with a new ID and CreatedAt and returns it. It
	// returns ErrInvalid when o fails [Organisation.Validate].
	CreateOrg(ctx context.Context, o Organisation) (Organisation, error)
	// Org returns the organisation with id, or ErrNotFound.
	Org(ctx context.Context, id string) (Organisation, error)
	// ListOrgs pages through all organisations by name.
	ListOrgs(ctx context.Context, opts ListOptions) (Page[Organisation], error)
}

// Members stores who belongs to which organisation, in which role.
type Members interface {
	// SetMember makes the user a member of org with role, or changes the
	// role of a member. It returns ErrNotFound when the organisation or the
	// user does not exist, and ErrInvalid for an unknown role.
	SetMember(ctx context.Context, org, userID string, role Role) (Membership, error)
	// Member returns the user's membership of org, or ErrNotFound.
	Member(ctx context.Context, org, userID string) (Membership, error)
	// RemoveMember ends the user's membership of org, or returns ErrNotFound.
	RemoveMember(ctx context.Context, org, userID string) error
	// ListMembers pages through the members of org by user ID.
	ListMembers(ctx context.Context, org string, opts ListOptions) (Page[Membership], error)
	// UserMemberships pages through the organisations a user belongs to, by
	// organisation ID.
	UserMemberships(ctx context.Context, userID string, opts ListOptions) (Page[Membership], error)
}

// Users stores the people who sign in. Users belong to no organisation;
// [Members] says where they may act.
type Users interface {
	// CreateUser stores u with a new ID and CreatedAt and returns it. It
	// returns ErrInvalid when u fails [User.Validate] and ErrConflict when
	// another user has the same email, ignoring case.
	CreateUser(ctx context.Context, u User) (User, error)
	// User returns the user with id, or ErrNotFound.
	User(ctx context.Context, id string) (User, error)
	// UserByEmail returns the user with email, ignoring case, or ErrNotFound.
	UserByEmail(ctx context.Context, email string) (User, error)
	// UpdateUser applies the fields of upd that are set and returns the user.
	// It returns ErrNotFound or ErrInvalid.
	UpdateUser(ctx context.Context, id string, upd UserUpdate) (User, error)
	// RecordSignIn notes a sign-in attempt. Success clears FailedLogins and
	// LockedUntil; failure counts one more and, when the count reaches
	// policy.After, locks the user until now + policy.For. It returns the
	// updated user, or ErrNotFound.
	RecordSignIn(ctx context.Context, id string, ok bool, policy Lockout) (User, error)
}

// Tokens stores API tokens. Only a token's SHA-256 hash is stored.
type Tokens interface {
	// CreateToken makes a token for org and returns it with its plaintext,
	// which is shown once and never stored. It returns ErrNotFound for an
	// unknown organisation and ErrInvalid for an empty name or unknown role.
	CreateToken(ctx context.Context, org, name string, role Role) (Token, string, error)
	// LookupToken returns the usable token whose hash ([HashToken]) is hash,
	// and records its use (LastUsedAt, at most once a minute). Unknown and
	// revoked tokens answer ErrNotFound.
	LookupToken(ctx context.Context, hash []byte) (Token, error)
	// ListTokens pages through org's tokens, revoked ones included, oldest
	// first.
	ListTokens(ctx context.Context, org string, opts ListOptions) (Page[Token], error)
	// RevokeToken revokes org's token id; revoking twice keeps the first
	// time. It returns ErrNotFound.
	RevokeToken(ctx context.Context, org, id string) error
}

// Assets stores each organisation's inventory.
type Assets interface {
	// ImportAssets stores assets for org in one transaction: all of them, or
	// none when any fails [inventory.Asset.Validate] (ErrInvalid naming its
	// position), two share an ID (ErrInvalid), the organisation is unknown
	// (ErrNotFound) or the database fails. [Replace] also deletes org's
	// assets the batch does not name.
	ImportAssets(ctx context.Context, org string, assets []inventory.Asset, mode ImportMode) (ImportCounts, error)
	// UpsertAsset stores one asset, replacing the one with its ID, and
	// returns it. It returns ErrInvalid or ErrNotFound (organisation).
	UpsertAsset(ctx context.Context, org string, a inventory.Asset) (AssetRecord, error)
	// Asset returns org's asset id, or ErrNotFound.
	Asset(ctx context.Context, org, id string) (AssetRecord, error)
	// DeleteAsset deletes org's asset id, or returns ErrNotFound. Its
	// findings stay until the next [Findings.SyncFindings] resolves them.
	DeleteAsset(ctx context.Context, org, id string) error
	// ListAssets pages through org's assets that pass f, by asset ID. It
	// returns ErrInvalid for a filter value outside its set.
	ListAssets(ctx context.Context, org string, f AssetFilter, opts ListOptions) (Page[AssetRecord], error)
}

// Findings stores the findings of scans and the work done on them.
type Findings interface {
	// SyncFindings makes org's findings those of a scan made at now, in one
	// transaction. New keys start as [StateNew] with FirstSeen now; known
	// keys get the fresh item and LastSeen now and keep their workflow, except
	// that a resolved finding matched again is reopened; findings the scan no
	// longer has and whose state [FindingState.Live] reports are resolved.
	// Items without an asset or advisory ID are ErrInvalid; of items with the
	// same key the first is kept (scan orders them most urgent first). It
	// returns ErrNotFound for an unknown organisation.
	SyncFindings(ctx context.Context, org string, items []scan.Item, now time.Time) (SyncCounts, error)
	// Finding returns org's finding key, or ErrNotFound.
	Finding(ctx context.Context, org string, key FindingKey) (FindingRecord, error)
	// UpdateFindingState moves a finding to tr.To, records the change in its
	// history and returns it. It returns ErrNotFound, ErrTransition when the
	// current state does not allow tr.To, and ErrInvalid when tr misses what
	// tr.To needs ([Transition.Check]).
	UpdateFindingState(ctx context.Context, org string, key FindingKey, tr Transition) (FindingRecord, error)
	// AssignFinding sets (or, with "", clears) the finding's assignee and
	// records it in the history. It returns ErrNotFound, or ErrInvalid
	// without an actor.
	AssignFinding(ctx context.Context, org string, key FindingKey, assignee, actor string) (FindingRecord, error)
	// FindingHistory pages through a finding's events, oldest first. It
	// returns ErrNotFound for an unknown finding.
	FindingHistory(ctx context.Context, org string, key FindingKey, opts ListOptions) (Page[FindingEvent], error)
	// ListFindings pages through org's findings that pass f, most urgent
	// first: by decision rank, then due date, then key. It returns
	// ErrInvalid for a filter value outside its set.
	ListFindings(ctx context.Context, org string, f FindingFilter, opts ListOptions) (Page[FindingRecord], error)
	// CountFindings counts org's findings that pass f by state and decision,
	// ordered by state (as [FindingStates]) and decision rank.
	CountFindings(ctx context.Context, org string, f FindingFilter) ([]FindingCount, error)
}

// Audit stores each organisation's log of sign-ins and changes.
type Audit interface {
	// AppendAudit records that actor did action (with detail) now, and
	// returns the entry. It returns ErrInvalid without an actor or action and
	// ErrNotFound for an unknown organisation.
	AppendAudit(ctx context.Context, org, actor, action, detail string) (AuditEntry, error)
	// ListAudit pages through org's entries, newest first.
	ListAudit(ctx context.Context, org string, opts ListOptions) (Page[AuditEntry], error)
}

// Paging bounds.
const (
	DefaultLimit = 50  // page size when ListOptions.Limit is 0
	MaxLimit     = 500 // largest page size
)

// ListOptions say which page to return.
type ListOptions struct {
	// Cursor is a previous page's Next; "" starts at the beginning.
	Cursor string
	// Limit is the page size, 1 to [MaxLimit]; 0 means [DefaultLimit].
	Limit int
}

// PageSize returns the page size o asks for, or ErrInvalid.
func (o ListOptions) PageSize() (int, error) {
	switch {
	case o.Limit == 0:
		return DefaultLimit, nil
	case o.Limit < 0 || o.Limit > MaxLimit:
		return 0, fmt.Errorf("%w: limit %d: want 1 to %d", ErrInvalid, o.Limit, MaxLimit)
	}
	return o.Limit, nil
}

// Page is one page of a list.
type Page[T any] struct {
	// Items are the page's items, never nil.
	Items []T
	// Next is the cursor of the following page, "" on the last page.
	Next string
}

// OrgKind says what kind of organisation a tenant is.
type OrgKind string

// The organisation kinds.
const (
	KindHospital OrgKind = "hospital"
	KindPractice OrgKind = "practice"
	KindEMS      OrgKind = "ems"      // emergency medical service, dispatch centre
	KindLab      OrgKind = "lab"      // laboratory
	KindProvider OrgKind = "provider" // IT service provider running ward for others
	KindOther    OrgKind = "other"
	// KindHub is the sector support centre that runs the hub: its members
	// write alerts and see the sector's exposure, never a site's assets.
	KindHub OrgKind = "hub"
)

// OrgKinds lists every organisation kind.
var OrgKinds = []OrgKind{KindHospital, KindPractice, KindEMS, KindLab, KindProvider, KindOther, KindHub}

// Organisation is a tenant: every other row but users belongs to one.
type Organisation struct {
	ID        string
	Name      string
	Kind      OrgKind
	Country   string // ISO 3166-1 alpha-2, upper case: DE, FR
	CreatedAt time.Time
}

// Validate reports the first field of o that is empty or out of range.
func (o *Organisation) Validate() error {
	if err := CheckText("name", o.Name, true, MaxName); err != nil {
		return err
	}
	if !slices.Contains(OrgKinds, o.Kind) {
		return fmt.Errorf("%w: kind %q: want one of %v", ErrInvalid, o.Kind, OrgKinds)
	}
	if r, err := language.ParseRegion(o.Country); err != nil || !r.IsCountry() || r.String() != o.Country {
		return fmt.Errorf("%w: country %q: want an ISO 3166-1 alpha-2 code such as DE", ErrInvalid, o.Country)
	}
	return nil
}

// Role is what a member or token may do in an organisation.
type Role string

// The roles, from least to most powerful.
const (
	RoleViewer    Role = "viewer"    // reads
	RoleResponder Role = "responder" // also works on findings and incidents
	RoleAdmin     Role = "admin"     // also manages members, tokens and settings
)

// Roles lists every role, least powerful first.
var Roles = []Role{RoleViewer, RoleResponder, RoleAdmin}

// Validate returns ErrInvalid for an unknown role.
func (r Role) Validate() error {
	if !slices.Contains(Roles, r) {
		return fmt.Errorf("%w: role %q: want one of %v", ErrInvalid, r, Roles)
	}
	return nil
}

// Membership says that a user belongs to an organisation in a role.
type Membership struct {
	OrgID     string
	UserID    string
	Role      Role
	CreatedAt time.Time
}

// User is a person who signs in.
type User struct {
	ID          string
	Email       string // unique, ignoring case; kept as given
	DisplayName string
	// PasswordHash is a [HashPassword] result, never a password.
	PasswordHash string
	CreatedAt    time.Time
	Disabled     bool
	// FailedLogins counts failed sign-ins since the last success.
	FailedLogins int
	// LockedUntil is when a lockout ends; zero when not locked.
	LockedUntil time.Time
}

// Validate reports the first field of u that is empty or malformed.
func (u *User) Validate() error {
	if err := checkEmail(u.Email); err != nil {
		return err
	}
	if err := CheckText("display_name", u.DisplayName, false, MaxName); err != nil {
		return err
	}
	if _, err := parseHash(u.PasswordHash); err != nil {
		return fmt.Errorf("%w: password_hash: %w", ErrInvalid, err)
	}
	return nil
}

// checkEmail returns ErrInvalid unless email is a bare address.
func checkEmail(email string) error {
	if err := CheckText("email", email, true, MaxName); err != nil {
		return err
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return fmt.Errorf("%w: email %q: want an address such as name@example.org", ErrInvalid, email)
	}
	return nil
}

// UserUpdate holds the fields [Users.UpdateUser] changes; nil fields stay.
type UserUpdate struct {
	DisplayName  *string
	PasswordHash *string
	Disabled     *bool
}

// Validate reports the first set field of u that is malformed.
func (u *UserUpdate) Validate() error {
	if u.DisplayName != nil {
		if err := CheckText("display_name", *u.DisplayName, false, MaxName); err != nil {
			return err
		}
	}
	if u.PasswordHash != nil {
		if _, err := parseHash(*u.PasswordHash); err != nil {
			return fmt.Errorf("%w: password_hash: %w", ErrInvalid, err)
		}
	}
	return nil
}

// Lockout is the policy [Users.RecordSignIn] applies.
type Lockout struct {
	After int           // failed sign-ins in a row that lock; 0 never locks
	For   time.Duration // how long a lock lasts
}

// Token is an API token of an organisation. Its secret is not part of it.
type Token struct {
	ID         string
	OrgID      string
	Role       Role
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero when never used
	RevokedAt  time.Time // zero while the token is usable
}

// ImportMode says what [Assets.ImportAssets] does with assets the batch
// does not name.
type ImportMode int

// The import modes.
const (
	Merge   ImportMode = iota // keep them
	Replace                   // delete them: the batch is the whole inventory
)

// ImportCounts says what an import changed.
type ImportCounts struct {
	Added, Updated, Removed int
}

// AssetRecord is a stored asset.
type AssetRecord struct {
	Asset     inventory.Asset
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AssetFilter selects assets; empty fields select all.
type AssetFilter struct {
	Kind string
	Zone string
	// ClinicalRole and Exposure match the effective values decisions use
	// ([inventory.Asset.RoleOrDefault], [inventory.Asset.ExposureOrDefault]).
	ClinicalRole inventory.ClinicalRole
	Exposure     inventory.Exposure
	// Query matches a substring of the ID, name, vendor or product, ignoring
	// case.
	Query string
	// Decision selects assets with at least one open finding ([OpenStates])
	// of this decision.
	Decision risk.Decision
	// IDs, when not empty, selects these assets only; at most [MaxLimit].
	IDs []string
}

// Validate returns ErrInvalid for a clinical role or exposure outside its set.
func (f *AssetFilter) Validate() error {
	if f.ClinicalRole != "" && !slices.Contains(inventory.ClinicalRoles, f.ClinicalRole) {
		return fmt.Errorf("%w: clinical_role %q: want one of %v", ErrInvalid, f.ClinicalRole, inventory.ClinicalRoles)
	}
	if f.Exposure != "" && !slices.Contains(inventory.Exposures, f.Exposure) {
		return fmt.Errorf("%w: exposure %q: want one of %v", ErrInvalid, f.Exposure, inventory.Exposures)
	}
	if f.Decision != "" && !slices.Contains(risk.Decisions, f.Decision) {
		return fmt.Errorf("%w: decision %q: want one of %v", ErrInvalid, f.Decision, risk.Decisions)
	}
	if len(f.IDs) > MaxLimit {
		return fmt.Errorf("%w: %d asset ids: at most %d", ErrInvalid, len(f.IDs), MaxLimit)
	}
	return nil
}

// FindingKey identifies a finding within an organisation.
type FindingKey struct {
	AssetID    string
	AdvisoryID string
	VulnID     string // CVE ID, or the source's ID; may be empty
	Component  string // "" for the asset itself
}

// KeyOf returns the key of a scan item.
func KeyOf(it *scan.Item) FindingKey {
	return FindingKey{AssetID: it.AssetID, AdvisoryID: it.AdvisoryID, VulnID: it.CVE, Component: it.Component}
}

// FindingRecord is a stored finding: the latest scan item and its workflow.
type FindingRecord struct {
	Key  FindingKey
	Item scan.Item
	// State is where the finding is in its workflow.
	State    FindingState
	Assignee string
	// Reason says why the state was chosen; required for risk_accepted.
	Reason string
	// AcceptExpiresAt is when a risk acceptance ends; zero in other states.
	AcceptExpiresAt time.Time
	// Justification is the VEX justification of not_affected; "" otherwise.
	Justification VEXJustification
	FirstSeen     time.Time // first scan that found it
	LastSeen      time.Time // latest scan that found it
	UpdatedAt     time.Time // latest workflow change (state or assignee)
}

// FindingEvent is one entry of a finding's history.
type FindingEvent struct {
	ID      int64
	At      time.Time
	Actor   string // a user, a token, or [SystemActor]
	From    FindingState
	To      FindingState
	Comment string
}

// SystemActor is the actor of changes ward makes by itself.
const SystemActor = "ward"

// SyncCounts says what [Findings.SyncFindings] changed.
type SyncCounts struct {
	New      int // keys seen for the first time
	Updated  int // known keys seen again
	Reopened int // resolved findings matched again, now open
	Resolved int // live findings no longer matched, now resolved
}

// FindingFilter selects findings; empty fields select all.
type FindingFilter struct {
	States      []FindingState     // any of these
	Decisions   []risk.Decision    // any of these
	Confidences []match.Confidence // any of these
	AssetID     string
	AdvisoryID  string
	VulnID      string // a CVE or other vulnerability ID
	KEVOnly     bool   // only known exploited vulnerabilities
}

// Validate returns ErrInvalid for a value outside its set.
func (f *FindingFilter) Validate() error {
	for _, s := range f.States {
		if !slices.Contains(FindingStates, s) {
			return fmt.Errorf("%w: state %q: want one of %v", ErrInvalid, s, FindingStates)
		}
	}
	for _, d := range f.Decisions {
		if !slices.Contains(risk.Decisions, d) {
			return fmt.Errorf("%w: decision %q: want one of %v", ErrInvalid, d, risk.Decisions)
		}
	}
	for _, c := range f.Confidences {
		if c != match.Confirmed && c != match.Possible {
			return fmt.Errorf("%w: confidence %q: want %s or %s", ErrInvalid, c, match.Confirmed, match.Possible)
		}
	}
	return nil
}

// FindingCount is how many findings are in a state with a decision.
type FindingCount struct {
	State    FindingState
	Decision risk.Decision // "" for findings without one (fixed, not affected)
	Count    int
}

// AuditEntry is one line of an organisation's audit log.
type AuditEntry struct {
	ID     int64
	OrgID  string
	At     time.Time
	Actor  string
	Action string // what happened: "sign-in", "asset.import", ...
	Detail string
}

// Validate reports the first of actor, action and detail that is empty
// (detail may be) or too long.
func (e *AuditEntry) Validate() error {
	return cmp.Or(
		CheckText("actor", e.Actor, true, MaxName),
		CheckText("action", e.Action, true, MaxName),
		CheckText("detail", e.Detail, false, MaxText),
	)
}

// Text bounds, in characters.
const (
	MaxName = 200    // names, emails, actors, assignees
	MaxText = 10_000 // comments, reasons, details
)

// CheckText returns ErrInvalid naming field when s is required and blank,
// longer than max characters, or not UTF-8.
func CheckText(field, s string, required bool, max int) error {
	switch {
	case required && strings.TrimSpace(s) == "":
		return fmt.Errorf("%w: %s: required", ErrInvalid, field)
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: %s: not UTF-8", ErrInvalid, field)
	case utf8.RuneCountInString(s) > max:
		return fmt.Errorf("%w: %s: longer than %d characters", ErrInvalid, field, max)
	}
	return nil
}

// All pages through a list with the largest page size and returns every
// item, for callers that need the whole of a list that stays small (sites,
// organisations, an organisation's alerts) or must see it all.
func All[T any](ctx context.Context, list func(ctx context.Context, opts ListOptions) (Page[T], error)) ([]T, error) {
	out := []T{}
	err := Pages(ctx, list, func(items []T) error {
		out = append(out, items...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AssetsByID reads org's assets whose IDs are in ids, [MaxLimit] to a
// query, in ID order; an ID with no asset is left out.
func AssetsByID(ctx context.Context, s Assets, org string, ids []string) ([]inventory.Asset, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	out := make([]inventory.Asset, 0, len(ids))
	for chunk := range slices.Chunk(ids, MaxLimit) {
		page, err := s.ListAssets(ctx, org, AssetFilter{IDs: chunk}, ListOptions{Limit: MaxLimit})
		if err != nil {
			return nil, err
		}
		for _, rec := range page.Items {
			out = append(out, rec.Asset)
		}
	}
	return out, nil
}

// Pages pages through a list with the largest page size and calls fn with
// each page's items, for callers that must see a long list but not hold it
// all; fn's error stops it.
func Pages[T any](ctx context.Context, list func(ctx context.Context, opts ListOptions) (Page[T], error), fn func(items []T) error) error {
	opts := ListOptions{Limit: MaxLimit}
	for {
		p, err := list(ctx, opts)
		if err != nil {
			return err
		}
		if err := fn(p.Items); err != nil {
			return err
		}
		if p.Next == "" {
			return nil
		}
		opts.Cursor = p.Next
	}
}
