// Package feed keeps local mirrors of advisory sources up to date: CSAF 2.0
// providers (provider-metadata.json with ROLIE feeds and directory
// distributions), single CSAF directories, single files such as the KEV
// catalogue or an EPSS csv.gz, and local folders for air-gapped sites.
//
// [Sync] mirrors one [Source] into one folder, incrementally (changes.csv
// times, ROLIE "updated" times, conditional GET), checking every CSAF file
// against its published .sha512/.sha256 and, when keys are configured, its
// OpenPGP .asc with the checks of package advisory. It writes each file
// atomically, records what it did in a state file (see [State]) after the
// files, and resumes after a crash without losing or duplicating work. The
// [Result] lists the files added, changed and removed, which are what a
// server re-reads with [advisory.Load] and re-matches.
//
// The package keeps no database: the server stores what it needs from the
// Result, and the mirror folder stays readable by advisory.Load (the state
// and temporary files are hidden, so Load passes over them).
package feed
