package scan

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/internal/advisory"
)

// TestRegression scores ward against the hand-labelled set in
// testdata/regression: precision and recall of (asset, advisory) pairs, and
// agreement on confidence. The figures are logged (go test -v -run
// TestRegression) and must stay above the floors below.
func TestRegression(t *testing.T) {
	dir := filepath.Join("testdata", "regression")
	rep, err := Run(t.Context(), Options{
		Inventory:  []string{filepath.Join(dir, "inventory.csv")},
		Advisories: []string{filepath.Join(dir, "advisories")},
		KEV:        filepath.Join(dir, "kev.json"),
		EPSS:       filepath.Join(dir, "epss.csv"),
		Now:        time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatalf("Run() = %v", err)
	}
	if len(rep.Errors) > 0 {
		t.Errorf("Run() source errors: %v", rep.Errors)
	}
	want := readExpected(t, filepath.Join(dir, "expected.csv"))
	got := map[string]string{}
	for _, it := range rep.Findings {
		if it.Status != advisory.StatusKnownAffected && it.Status != advisory.StatusUnderInvestigation {
			continue
		}
		k := it.AssetID + " " + it.AdvisoryID
		// Several CVEs of one advisory: the pair is as sure as its surest CVE.
		if got[k] != "confirmed" {
			got[k] = string(it.Confidence)
		}
	}
	var tp, sameConf int
	var fps, fns, confs []string
	for k, c := range got {
		if wc, ok := want[k]; ok {
			tp++
			if wc == c {
				sameConf++
			} else {
				confs = append(confs, fmt.Sprintf("%s: want %s, got %s", k, wc, c))
			}
		} else {
			fps = append(fps, k+" ("+c+")")
		}
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			fns = append(fns, k)
		}
	}
	sort.Strings(fps)
	sort.Strings(fns)
	sort.Strings(confs)
	precision := float64(tp) / float64(max(len(got), 1))
	recall := float64(tp) / float64(max(len(want), 1))
	agreement := float64(sameConf) / float64(max(tp, 1))
	t.Logf("regression set: %d labelled pairs, %d found, %d true positives", len(want), len(got), tp)
	t.Logf("precision %.3f, recall %.3f, confidence agreement %.3f", precision, recall, agreement)
	for _, s := range fps {
		t.Logf("false positive: %s", s)
	}
	for _, s := range fns {
		t.Logf("missed: %s", s)
	}
	for _, s := range confs {
		t.Logf("confidence differs: %s", s)
	}
	if precision < 0.9 || recall < 0.9 || agreement < 0.8 {
		t.Errorf("precision %.3f, recall %.3f, agreement %.3f; want at least 0.9, 0.9, 0.8", precision, recall, agreement)
	}
}

func readExpected(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := map[string]string{}
	for _, rec := range recs[1:] {
		out[strings.TrimSpace(rec[0])+" "+strings.TrimSpace(rec[1])] = strings.TrimSpace(rec[2])
	}
	return out
}
