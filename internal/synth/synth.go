// Package synth makes sample inventories from real advisories: a hospital's
// workstations, servers, network gear and medical devices whose products and
// versions come from the advisories themselves, so that a scan of them finds
// real findings on both sides of every version boundary. Benchmarks and the
// demo use it; nothing in it is invented except the asset names.
package synth

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/version"
)

// product is one advisory product with versions to draw from.
type product struct {
	vendor, name, cpe, purl string
	medical                 bool
	versions                []string // affected and unaffected versions, mixed
}

// Pool is the set of products to draw assets from.
type Pool struct {
	products []product
	medical  []int
	it       []int
}

// NewPool collects every named product of the advisories.
func NewPool(advs []*advisory.Advisory) *Pool {
	p := &Pool{}
	seen := map[string]int{}
	for _, a := range advs {
		medical := strings.HasPrefix(strings.ToUpper(a.ID), "ICSMA")
		for _, v := range a.Vulnerabilities {
			for _, af := range v.Affects {
				pr := product{vendor: af.Product.Vendor, name: af.Product.Name, medical: medical}
				if len(af.Product.CPEs) > 0 {
					pr.cpe = af.Product.CPEs[0]
				}
				if len(af.Product.PURLs) > 0 {
					pr.purl = af.Product.PURLs[0]
				}
				if pr.vendor == "" || pr.name == "" {
					if pr.cpe == "" && pr.purl == "" {
						continue
					}
					if pr.vendor == "" {
						pr.vendor, pr.name = fromCPE(pr.cpe)
					}
				}
				key := strings.ToLower(pr.vendor + "|" + pr.name + "|" + pr.cpe + "|" + pr.purl)
				i, ok := seen[key]
				if !ok {
					i = len(p.products)
					seen[key] = i
					p.products = append(p.products, pr)
					if medical {
						p.medical = append(p.medical, i)
					} else {
						p.it = append(p.it, i)
					}
				}
				for _, r := range af.Ranges {
					p.products[i].versions = append(p.products[i].versions, versionsAround(r)...)
				}
			}
		}
	}
	for i := range p.products {
		slices.Sort(p.products[i].versions)
		p.products[i].versions = slices.Compact(p.products[i].versions)
	}
	return p
}

// Limit keeps n products of the pool, drawn with seed, in the same share of
// medical and IT products: real fleets repeat a few thousand products.
func (p *Pool) Limit(n int, seed uint64) {
	if n <= 0 || n >= len(p.products) {
		return
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	keep := func(ids []int, k int) []int {
		ids = slices.Clone(ids)
		rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		return ids[:min(k, len(ids))]
	}
	med := n * len(p.medical) / len(p.products)
	p.medical, p.it = keep(p.medical, max(med, 1)), keep(p.it, max(n-med, 1))
}

// Len returns the number of distinct products in the pool.
func (p *Pool) Len() int { return len(p.products) }

func fromCPE(c string) (vendor, name string) {
	parts := strings.Split(c, ":")
	if len(parts) > 4 {
		return strings.ReplaceAll(parts[3], "_", " "), strings.ReplaceAll(parts[4], "_", " ")
	}
	return "", ""
}

// versionsAround returns versions on both sides of a range's boundaries.
func versionsAround(r advisory.Range) []string {
	var out []string
	out = append(out, r.Exact...)
	if b := r.Introduced; b != "" && b != "0" && version.Comparable(b) {
		out = append(out, b, below(b))
	}
	if b := r.LastAffected; b != "" && version.Comparable(b) {
		out = append(out, b, bump(b))
	}
	if r.Fixed != "" && version.Comparable(r.Fixed) {
		out = append(out, r.Fixed, below(r.Fixed))
	}
	return slices.DeleteFunc(out, func(s string) bool { return s == "" || strings.ContainsAny(s, "*xX ") })
}

// bump raises the last number of a version: 2.6.0 -> 2.6.1.
func bump(v string) string { return shiftLast(v, +1) }

// below lowers the last non-zero number of a version: 2.6.1 -> 2.6.0.
func below(v string) string { return shiftLast(v, -1) }

func shiftLast(v string, d int) string {
	end := -1
	for i := len(v) - 1; i >= 0; i-- {
		if v[i] >= '0' && v[i] <= '9' {
			if end < 0 {
				end = i + 1
			}
			if i > 0 && v[i-1] >= '0' && v[i-1] <= '9' {
				continue
			}
			n, err := strconv.Atoi(v[i:end])
			if err != nil || n+d < 0 {
				if d < 0 {
					end = -1 // this number is 0: lower an earlier one
					continue
				}
				return ""
			}
			width := 1
			if zeroPadded(v) {
				width = end - i // C.00.10 -> C.00.09, but 2.6.10 -> 2.6.9
			}
			return v[:i] + fmt.Sprintf("%0*d", width, n+d) + v[end:]
		} else if end >= 0 {
			end = -1
		}
	}
	return ""
}

// zeroPadded reports whether v writes a number with a leading zero (C.00.04).
func zeroPadded(v string) bool {
	for i := 0; i+1 < len(v); i++ {
		if v[i] == '0' && v[i+1] >= '0' && v[i+1] <= '9' && (i == 0 || v[i-1] < '0' || v[i-1] > '9') {
			return true
		}
	}
	return false
}

// Generate makes n assets, about a quarter of them medical devices, drawn
// from the pool with a fixed seed: the same seed gives the same inventory.
func (p *Pool) Generate(n int, seed uint64, prefix string) []inventory.Asset {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]inventory.Asset, 0, n)
	for i := range n {
		medical := len(p.medical) > 0 && (rng.IntN(4) == 0 || len(p.it) == 0)
		var pr *product
		if medical {
			pr = &p.products[p.medical[rng.IntN(len(p.medical))]]
		} else {
			pr = &p.products[p.it[rng.IntN(len(p.it))]]
		}
		a := inventory.Asset{
			ID:      fmt.Sprintf("%s%06d", prefix, i+1),
			Vendor:  pr.vendor,
			Product: pr.name,
			CPE:     pr.cpe,
			PURL:    pr.purl,
		}
		if len(pr.versions) > 0 {
			a.Version = pr.versions[rng.IntN(len(pr.versions))]
		}
		if a.CPE != "" {
			a.CPE = "" // the name path and the CPE path both get exercised
			if rng.IntN(2) == 0 {
				a.CPE = pr.cpe
			}
		}
		if a.Vendor == "" || a.Product == "" {
			a.Vendor, a.Product = "unknown", "unknown"
		}
		if a.PURL != "" {
			a.PURL = withVersion(a.PURL, a.Version)
		}
		classify(&a, medical, rng)
		out = append(out, a)
	}
	return out
}

func withVersion(purl, v string) string {
	base, _, _ := strings.Cut(purl, "@")
	if v == "" {
		return base
	}
	return base + "@" + v
}

// classify gives an asset a kind, role, zone and exposure that fit what it is.
func classify(a *inventory.Asset, medical bool, rng *rand.Rand) {
	name := strings.ToLower(a.Product)
	a.Owner = "IT operations"
	a.PatchAuthority = inventory.PatchOrg
	switch {
	case medical:
		a.PatchAuthority = inventory.PatchVendor
		a.Owner = "Biomedical engineering"
		a.Zone = "medical-devices"
		a.Exposure = pick(rng, inventory.ExposureInternal, inventory.ExposureInternal, inventory.ExposureIsolated, inventory.ExposurePartner)
		switch {
		case containsAny(name, "pump", "ventilator", "infus", "insulin", "defibrillat", "pacemaker", "anesthe", "dialysis"):
			a.Kind, a.ClinicalRole = "infusion-or-life-support", inventory.RoleLifeSustaining
		case containsAny(name, "ct", "mri", "mr ", "x-ray", "xray", "ultrasound", "imaging", "scanner", "pet", "radiograph"):
			a.Kind, a.ClinicalRole, a.PatientData = "imaging", inventory.RoleDiagnostic, true
		case containsAny(name, "monitor", "telemetry", "ecg", "patient"):
			a.Kind, a.ClinicalRole, a.PatientData = "patient-monitor", inventory.RoleDiagnostic, true
		default:
			a.Kind, a.ClinicalRole, a.PatientData = "medical-system", inventory.RoleClinicalSupport, rng.IntN(2) == 0
		}
	case containsAny(name, "router", "switch", "firewall", "vpn", "gateway", "ios", "fortios", "pan-os", "asa", "netscaler", "big-ip"):
		a.Kind, a.Zone, a.ClinicalRole = "network", "dmz", inventory.RoleAdministrative
		a.Exposure = pick(rng, inventory.ExposureInternet, inventory.ExposureInternal, inventory.ExposurePartner)
	case containsAny(name, "server", "exchange", "sharepoint", "sql", "confluence", "vcenter", "esxi"):
		a.Kind, a.Zone = "server", "servers"
		a.ClinicalRole = pick(rng, inventory.RoleClinicalSupport, inventory.RoleAdministrative)
		a.PatientData = a.ClinicalRole == inventory.RoleClinicalSupport
		a.Exposure = pick(rng, inventory.ExposureInternal, inventory.ExposureInternal, inventory.ExposurePartner, inventory.ExposureInternet)
	default:
		a.Kind, a.Zone = "workstation", "clients"
		a.ClinicalRole = pick(rng, inventory.RoleAdministrative, inventory.RoleAdministrative, inventory.RoleClinicalSupport)
		a.PatientData = rng.IntN(3) == 0
		a.Exposure = inventory.ExposureInternal
	}
	a.Name = fmt.Sprintf("%s %s", a.Kind, a.ID)
	a.Location = pick(rng, "Building A", "Building B", "ICU", "Radiology", "Emergency", "Outpatients", "Lab")
}

func pick[T any](rng *rand.Rand, xs ...T) T { return xs[rng.IntN(len(xs))] }

// containsAny reports whether s holds any of words; short words (ct, mri)
// must stand alone, longer ones may be part of a word (infus -> infusion).
func containsAny(s string, words ...string) bool {
	fields := strings.FieldsFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') })
	for _, w := range words {
		if len(w) > 3 && strings.Contains(s, w) || slices.Contains(fields, strings.TrimSpace(w)) {
			return true
		}
	}
	return false
}
