package match

import (
	"github.com/facebookincubator/nvdtools/wfn"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/inventory"
)

// InventoryIndex holds an inventory indexed by identity, so that one new
// advisory is matched by looking up its products instead of scanning every
// asset. Build it with [NewInventoryIndex]; it is read-only afterwards.
type InventoryIndex struct {
	names  *Names
	assets []inventory.Asset
	subs   []indexedSubject
	index  map[string][]int32 // key -> subjects
}

type indexedSubject struct {
	asset int32
	subject
}

// NewInventoryIndex indexes every asset, component and service of assets.
// The slice is kept, not copied: do not change it while the index is in use.
func NewInventoryIndex(names *Names, assets []inventory.Asset) *InventoryIndex {
	ix := &InventoryIndex{names: names, assets: assets, index: map[string][]int32{}}
	for ai := range assets {
		for _, s := range subjects(names, &assets[ai]) {
			id := int32(len(ix.subs))
			ix.subs = append(ix.subs, indexedSubject{asset: int32(ai), subject: s})
			seen := map[string]bool{}
			for _, k := range s.keys() {
				if !seen[k] {
					seen[k] = true
					ix.index[k] = append(ix.index[k], id)
				}
			}
		}
	}
	return ix
}

// MatchAdvisory returns the findings of one advisory across the inventory.
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
		s := &ix.subs[sid]
		a := &ix.assets[s.asset]
		for _, h := range perSubject[sid].hits() {
			g := perAsset[s.asset]
			if g == nil {
				g = &aggregator{}
				perAsset[s.asset] = g
				assets = append(assets, s.asset)
			}
			var platforms []*wfn.Attributes
			if len(h.e.affect.Platforms) > 0 {
				platforms = platformCPEs(a)
			}
			g.add(a.ID, s.component, h, platforms)
		}
	}
	var out []Finding
	for _, a := range assets {
		out = append(out, perAsset[a].findings()...)
	}
	sortFindings(out)
	return out
}
