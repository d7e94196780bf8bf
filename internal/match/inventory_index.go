package match

import (
	"slices"
	"strings"

	"github.com/facebookincubator/nvdtools/wfn"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/inventory"
)

// InventoryIndex holds an inventory indexed by identity, so that one new
// advisory is matched by looking up its products instead of scanning every
// asset. Assets that share an identity (500 identical workstations) are one
// subject in the index. It keeps of each asset only its ID and CPEs, not the
// asset: an index of 100,000 assets takes about ten megabytes. Build it with
// [NewInventoryIndex] and [InventoryIndex.Add]; once built it is read-only
// and safe for concurrent use.
type InventoryIndex struct {
	names *Names
	ids   []string   // asset position -> ID
	cpes  [][]string // asset position -> its CPEs, for "running on" checks
	subs  []indexedSubject
	index map[string][]int32 // key -> subjects
	byKey map[string]int32   // spec key -> subject, while adding
}

// indexedSubject is one distinct identity and the places it occurs.
type indexedSubject struct {
	subject
	owners []owner
}

type owner struct {
	asset     int32
	component string
}

// NewInventoryIndex indexes every asset, component and service of assets.
func NewInventoryIndex(names *Names, assets []inventory.Asset) *InventoryIndex {
	ix := &InventoryIndex{names: names, index: map[string][]int32{}, byKey: map[string]int32{}}
	ix.Add(assets)
	return ix
}

// Add indexes more assets, so that a large inventory can be indexed a page
// at a time. It must not run concurrently with matching.
func (ix *InventoryIndex) Add(assets []inventory.Asset) {
	for i := range assets {
		a := &assets[i]
		ai := int32(len(ix.ids))
		ix.ids = append(ix.ids, a.ID)
		ix.cpes = append(ix.cpes, cpeStrings(a))
		for _, sp := range specs(a) {
			k := sp.key()
			id, ok := ix.byKey[k]
			if !ok {
				s := newSubject(ix.names, &sp)
				id = int32(len(ix.subs))
				ix.byKey[k] = id
				ix.subs = append(ix.subs, indexedSubject{subject: s})
				addKeys(ix.index, s.keys(), id)
			}
			ix.subs[id].owners = append(ix.subs[id].owners, owner{ai, sp.component})
		}
	}
}

// Len returns the number of assets indexed.
func (ix *InventoryIndex) Len() int { return len(ix.ids) }

// MatchAdvisory returns the findings of one advisory across the inventory,
// ordered by asset id, advisory and vulnerability.
func (ix *InventoryIndex) MatchAdvisory(adv *advisory.Advisory) []Finding {
	perSubject := map[int32]*bestHits{}
	var order []int32
	for vi := range adv.Vulnerabilities {
		v := &adv.Vulnerabilities[vi]
		fixed := fixedVersions(v, ix.names)
		for ai := range v.Affects {
			a := &v.Affects[ai]
			e := newEntry(ix.names, adv, v, a, fixed, newProductNames(ix.names, a.Product))
			seen := map[int32]bool{}
			for _, k := range e.keys() {
				for _, sid := range ix.index[k] {
					if seen[sid] {
						continue
					}
					seen[sid] = true
					b := perSubject[sid]
					if b == nil {
						b = &bestHits{}
						perSubject[sid] = b
						order = append(order, sid)
					}
					s := &ix.subs[sid].subject
					h, ok := judge(ix.names, s, e)
					b.consider(e, h, ok, sameProduct(s, e))
				}
			}
		}
	}
	perAsset := map[int32]*aggregator{}
	var assets []int32
	for _, sid := range order {
		hits := perSubject[sid].hits()
		if len(hits) == 0 {
			continue
		}
		for _, o := range ix.subs[sid].owners {
			g := perAsset[o.asset]
			if g == nil {
				g = &aggregator{multi: true}
				perAsset[o.asset] = g
				assets = append(assets, o.asset)
			}
			for _, h := range hits {
				var platforms []*wfn.Attributes
				if len(h.e.affect.Platforms) > 0 {
					platforms = parseCPEs(ix.cpes[o.asset])
				}
				g.add(ix.ids[o.asset], o.component, h, platforms)
			}
		}
	}
	slices.SortFunc(assets, func(a, b int32) int { return strings.Compare(ix.ids[a], ix.ids[b]) })
	var out []Finding
	for _, a := range assets {
		fs := perAsset[a].findings()
		sortFindings(fs)
		out = append(out, fs...)
	}
	return out
}
