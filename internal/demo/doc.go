// Package demo holds what `ward serve --demo` seeds itself with, so that the
// demo runs offline from the binary on a fresh clone:
//
//   - a bundle of real public advisories, embedded in the binary
//     (data/bundle.json.gz): every CISA medical advisory (ICSMA, CSAF 2.0),
//     the CVE JSON 5 records of cisagov/vulnrichment that name a vendor the
//     demo organisations use, the whole CISA KEV catalogue and the FIRST EPSS
//     scores, each with its source, commit and licence (see data/README.md).
//     [Bundle] decodes it into an [advisory.Set];
//   - three sample organisations, [Organisations]: a university hospital, a
//     two-doctor practice and an emergency dispatch centre, whose products
//     and versions are taken from those advisories, so that a scan of them
//     finds real findings of every kind: act, attend, track and "possible".
//
// The bundle is made from ../shared/data by a generator:
//
//	go generate ./internal/demo
//
// which runs internal/bundlegen. Regenerate it when the shared data or the
// organisations' vendors change; TestBundle_MatchesSources says when.
package demo

//go:generate go run ./internal/bundlegen -data ../../../shared/data -out data/bundle.json.gz
