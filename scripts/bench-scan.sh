#!/usr/bin/env bash
# Measures ward scan end to end on generated inventories of 1k, 10k and 100k
# assets against every advisory in the shared data folder (CSAF, CVE records,
# NVD, OSV, KEV, EPSS). Usage: scripts/bench-scan.sh [SHARED_DATA] [SIZES...]
set -euo pipefail
cd "$(dirname "$0")/.."
S=${1:-../shared/data}
shift || true
sizes=${*:-1000 10000 100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/ward" ./cmd/ward
advisories=(--advisories "$S/csaf" --advisories "$S/cve-vulnrichment"
  --advisories "$S/nvd/nvd-api/testdata/responses" --advisories "$S/osv/data")
for n in $sizes; do
  "$work/ward" gen inventory --assets "$n" "${advisories[@]}" --out "$work/inv$n.csv" 2>/dev/null
  echo "== $n assets"
  /usr/bin/time -f "wall %e s, max RSS %M KB" "$work/ward" scan --quiet --stats --format json \
    --out "$work/report$n.json" --inventory "$work/inv$n.csv" "${advisories[@]}" \
    --kev "$S/kev/known_exploited_vulnerabilities.json" --epss "$S/epss/epss_scores-kev-subset.derived.csv" \
    --now 2026-11-23T08:00:00Z 2>&1 | grep -v 'skipped'
  echo "report: $(du -h "$work/report$n.json" | cut -f1)"
done
