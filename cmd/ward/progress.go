package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress shows long work on standard error: a line that rewrites itself
// on a terminal, a line every few seconds elsewhere (logs, CI).
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	terminal bool
	start    time.Time
	last     time.Time
	shown    bool
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.terminal = true
		}
	}
	return p
}

func (p *progress) update(stage string, done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	// Quick work shows nothing; then a few updates a second at most.
	if now.Sub(p.start) < 500*time.Millisecond {
		return
	}
	every := 100 * time.Millisecond
	if !p.terminal {
		every = 5 * time.Second
	}
	if p.shown && now.Sub(p.last) < every && done != total {
		return
	}
	p.last, p.shown = now, true
	of := ""
	if total > 0 {
		of = fmt.Sprintf("/%d (%d%%)", total, done*100/total)
	}
	if p.terminal {
		fmt.Fprintf(p.w, "\r\033[Kreading %s: %d%s", stage, done, of)
	} else {
		fmt.Fprintf(p.w, "ward: reading %s: %d%s\n", stage, done, of)
	}
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminal && p.shown {
		fmt.Fprintf(p.w, "\r\033[K")
	}
}
