// Package report renders a [scan.Report] for the people who act on it: a
// plain-text table for a terminal, JSON and CSV for other tools and
// spreadsheets, SARIF 2.1.0 for code-scanning dashboards, and a printable,
// self-contained HTML page with charts for a board or a practice owner.
//
// [Write] is the one entry point; [Formats] lists the formats it accepts.
// Every format is deterministic: the same report renders to the same bytes,
// so outputs can be diffed and kept as golden files.
//
// The golden files in testdata/golden are regenerated with
//
//	UPDATE_GOLDEN=1 go test ./internal/report/
//
// Review the diff before keeping them: a changed golden file is a changed
// report that every reader will see.
package report
