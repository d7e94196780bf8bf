package demo

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/facebookincubator/nvdtools/wfn"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/version"
)

// The kinds of organisation.
const (
	KindHospital = "hospital"
	KindPractice = "practice"
	KindEMS      = "ems" // emergency medical services: a dispatch centre
	KindHub      = "hub" // the sector support centre that runs the hub
)

// Org is one sample organisation and everything it runs.
type Org struct {
	Name    string
	Kind    string // KindHospital, KindPractice or KindEMS
	Country string // ISO 3166-1 alpha-2
	Assets  []inventory.Asset
}

// Organisations returns the three demo organisations, the same every time
// for the same set:
//
//   - St. Elisabeth University Hospital: about 2,000 assets, from Windows
//     workstations on update rings to infusion pumps, patient monitors,
//     imaging, lab and pharmacy systems, servers and network gear;
//   - Praxis Dr. Weber: a two-doctor practice of about 25 assets whose
//     internet router has an actively exploited flaw;
//   - Rettungsleitstelle Nord: an emergency dispatch centre of about 150
//     assets (CAD, radio gateways, telephony, 40 ambulance tablets) whose CAD
//     vendor reaches it through a remote-access tool with an exploited flaw.
//
// Products and versions are those the advisories name, on both sides of
// their version boundaries; asset ids are "<org>-<tag>-<n>" (SEUH-PUMP-0042),
// names are what staff call the thing ("ICU bed 4 syringe pump 1"). Fleets
// that follow a vendor's monthly patches (Windows, iPadOS) are placed
// relative to the newest fix that set knows: "current" runs that fix, "one
// behind" the fix before it, so the picture stays "most patched, some a
// month late" when set is newer than the embedded bundle. With a nil set, or
// one that knows no fixes for a product, they run the version the catalogue
// records, which is where the embedded bundle places them.
func Organisations(set *advisory.Set) []Org {
	l := newLadders(set)
	return []Org{hospital(l), practice(l), ems(l)}
}

// release says which version a group of assets runs.
type release struct {
	version string // as the inventory records it
	follow  bool   // place the version on the product's fix ladder instead
	lag     int    // fixes behind the newest, when following
}

// at is version v, whatever the advisories say.
func at(v string) release { return release{version: v} }

// current is the newest fix the advisories know for the product; v is the
// version the catalogue records for it.
func current(v string) release { return release{version: v, follow: true} }

// behind is n fixes behind the newest.
func behind(n int, v string) release { return release{version: v, follow: true, lag: n} }

// ladders holds, per product, the versions that advisories name as fixes,
// newest first.
type ladders struct {
	names *match.Names
	fixes map[string][]string
}

// newLadders collects the fixes of every product of set (nil: none).
func newLadders(set *advisory.Set) *ladders {
	l := &ladders{names: match.NewNames(), fixes: map[string][]string{}}
	if set == nil {
		return l
	}
	for _, a := range set.Advisories {
		for _, v := range a.Vulnerabilities {
			for _, af := range v.Affects {
				for _, r := range af.Ranges {
					// A source may write "10.0.20348..2762": the ladder
					// spells it "10.0.20348.2762" (the versions are equal).
					fixed := r.Fixed
					for strings.Contains(fixed, "..") {
						fixed = strings.ReplaceAll(fixed, "..", ".")
					}
					if fixed != "" && version.Comparable(fixed) {
						k := l.key(af.Product.Vendor, af.Product.Name)
						l.fixes[k] = append(l.fixes[k], fixed)
					}
				}
			}
		}
	}
	for k, vs := range l.fixes {
		// Newest first, and one of each version ("17" and "17.0" are one).
		slices.SortFunc(vs, func(a, b string) int {
			c, _ := version.Compare(b, a)
			return cmp.Or(c, strings.Compare(a, b))
		})
		l.fixes[k] = slices.CompactFunc(vs, func(a, b string) bool {
			c, ok := version.Compare(a, b)
			return ok && c == 0
		})
	}
	return l
}

func (l *ladders) key(vendor, product string) string {
	return l.names.Vendor(vendor) + "|" + l.names.Product(vendor, product)
}

// version returns the version r stands for on product p.
func (l *ladders) version(p *product, r release) string {
	if !r.follow {
		return r.version
	}
	if vs := l.fixes[l.key(p.vendor, p.name)]; r.lag < len(vs) {
		return vs[r.lag]
	}
	return r.version
}

// product is a product and how an organisation uses it: everything about an
// asset except its version, name and place.
type product struct {
	tag                 string // asset id tag: WS, SRV, PUMP, ...
	kind                string
	vendor, name, model string
	cpe                 string // a CPE 2.3 name whose version each asset fills in ("cpe:2.3:o:draytek:vigor2960_firmware:*:*:*:*:*:*:*:*")
	role                inventory.ClinicalRole
	patientData         bool
	zone                string
	exposure            inventory.Exposure
	patch               inventory.PatchAuthority
	owner               string
	endOfSupport        time.Time
	components          []inventory.Component
}

// builder collects one organisation's assets.
type builder struct {
	prefix  string
	ladders *ladders
	rng     *rand.Rand
	seq     map[string]int
	assets  []inventory.Asset
}

// newBuilder starts an organisation whose asset ids start with prefix and
// whose random choices come from seed.
func newBuilder(prefix string, seed uint64, l *ladders) *builder {
	return &builder{prefix: prefix, ladders: l, rng: rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d)), seq: map[string]int{}}
}

// add appends one asset of product p running r, named name, at location.
func (b *builder) add(p product, r release, name, location string) {
	b.seq[p.tag]++
	v := b.ladders.version(&p, r)
	a := inventory.Asset{
		ID:   fmt.Sprintf("%s-%s-%04d", b.prefix, p.tag, b.seq[p.tag]),
		Name: name, Kind: p.kind,
		Vendor: p.vendor, Product: p.name, Version: v, Model: p.model,
		Location: location, Zone: p.zone, Exposure: p.exposure,
		ClinicalRole: p.role, PatientData: p.patientData, PatchAuthority: p.patch, EndOfSupport: p.endOfSupport, Owner: p.owner,
		Components: slices.Clone(p.components),
	}
	if p.cpe != "" {
		a.CPE = cpeWithVersion(p.cpe, v)
	}
	b.assets = append(b.assets, a)
}

// fleet adds n assets of product p at location, named "<label> <i>" (just
// label when n is 1). The releases of mix share the fleet by weight, in an
// order shuffled with the organisation's seed, so that a ward's pumps are not
// sorted by version.
func (b *builder) fleet(n int, p product, label, location string, mix ...weighted) {
	total := totalWeight(mix)
	order := make([]release, 0, n)
	for i, m := range mix {
		k := m.weight * n / total
		if i == len(mix)-1 {
			k = n - len(order)
		}
		for range k {
			order = append(order, m.release)
		}
	}
	b.rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	for i, r := range order {
		name := label
		if n > 1 {
			name = fmt.Sprintf("%s %d", label, i+1)
		}
		b.add(p, r, name, location)
	}
}

// pick draws one release of mix, by weight, from the organisation's seed.
func (b *builder) pick(mix ...weighted) release {
	n := b.rng.IntN(totalWeight(mix))
	for _, m := range mix {
		if n < m.weight {
			return m.release
		}
		n -= m.weight
	}
	return mix[len(mix)-1].release
}

// weighted is a release with a share of a fleet.
type weighted struct {
	weight  int
	release release
}

func totalWeight(mix []weighted) int {
	total := 0
	for _, m := range mix {
		total += m.weight
	}
	return total
}

// all is a whole fleet on one release.
func all(r release) weighted { return weighted{1, r} }

// share is a part of a fleet.
func share(w int, r release) weighted { return weighted{w, r} }

// cpeWithVersion returns CPE c with version v (ANY when v is empty). The
// catalogues' CPEs are constants: one that does not parse is a build defect,
// caught by the tests.
func cpeWithVersion(c, v string) string {
	a, err := wfn.Parse(c)
	if err != nil {
		panic(fmt.Sprintf("demo: catalogue CPE %q: %v", c, err))
	}
	a.Version = wfn.Any
	if v != "" {
		if a.Version, err = wfn.WFNize(v); err != nil {
			panic(fmt.Sprintf("demo: version %q in CPE %q: %v", v, c, err))
		}
	}
	return a.BindToFmtString()
}
