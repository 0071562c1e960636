package iostreams

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Progress is a progress bar on stderr for work of a known number of items:
//
//	Ordering [=======>              ] 120/500  ok 118  failed 2  1m05s left
//
// one line, redrawn at most 10 times a second, that fits 80 columns. On a
// non-terminal stderr it prints nothing. Every method is safe for concurrent
// use, and calling any of them after Stop is harmless.
type Progress struct {
	mu       sync.Mutex
	w        io.Writer
	active   bool // drawing at all (stderr is a terminal)
	color    bool
	now      func() time.Time
	label    string
	total    int
	ok       int
	failed   int
	start    time.Time
	lastDraw time.Time
	drawn    bool // the bar is on the screen
	dirty    bool // changed since it was last drawn
	stopped  bool
	stop     chan struct{}
	done     chan struct{}
}

const (
	progressWidth    = 79 // columns used at most: the 80th would wrap on some terminals
	progressInterval = 100 * time.Millisecond
	progressMinBar   = 10
	progressMaxBar   = 40
)

// StartProgress starts a progress bar of total items with a label, or a
// silent one when stderr is not a terminal.
func (s *IOStreams) StartProgress(label string, total int) *Progress {
	return s.startProgress(label, total, time.Now, true)
}

// startProgress is StartProgress with a clock, and without the redrawing
// goroutine when tick is false (tests draw through the methods alone).
func (s *IOStreams) startProgress(label string, total int, now func() time.Time, tick bool) *Progress {
	p := &Progress{
		w: s.ErrOut, active: s.stderrTTY, color: !s.noColor, now: now,
		label: label, total: max(total, 0),
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	p.start = now()
	if !p.active || !tick {
		close(p.done)
	}
	if !p.active {
		return p
	}
	p.mu.Lock()
	p.draw()
	p.mu.Unlock()
	if tick {
		go p.run()
	}
	return p
}

// run redraws what changed, and once a second for the time left.
func (p *Progress) run() {
	defer close(p.done)
	t := time.NewTicker(progressInterval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
		p.mu.Lock()
		if !p.stopped && (p.dirty || p.now().Sub(p.lastDraw) >= time.Second) {
			p.draw()
		}
		p.mu.Unlock()
	}
}

// Add counts one finished item, as ok or failed.
func (p *Progress) Add(ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ok {
		p.ok++
	} else {
		p.failed++
	}
	p.changed()
}

// SetLabel changes the text in front of the bar.
func (p *Progress) SetLabel(label string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.label = label
	p.changed()
}

// Above clears the bar, runs fn, which prints whole lines to stdout or
// stderr (a result row on the same terminal), and draws the bar again below
// them. fn runs with the bar locked, so lines from concurrent callers never
// mix; it must not call the Progress's methods.
func (p *Progress) Above(fn func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.active || p.stopped {
		fn()
		return
	}
	p.clear()
	fn()
	p.draw()
}

// Stop clears the bar's line for good. It is safe to call more than once.
func (p *Progress) Stop() {
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return
	}
	p.stopped = true
	if p.active {
		p.clear()
	}
	close(p.stop)
	p.mu.Unlock()
	<-p.done
}

// changed redraws now, or soon when the last drawing is too recent. Call
// with p.mu held.
func (p *Progress) changed() {
	if !p.active || p.stopped {
		return
	}
	p.dirty = true
	if p.now().Sub(p.lastDraw) >= progressInterval {
		p.draw()
	}
}

// clear erases the bar's line. Call with p.mu held.
func (p *Progress) clear() {
	if p.drawn {
		_, _ = io.WriteString(p.w, "\r\033[K")
		p.drawn = false
	}
}

// draw writes the bar over its line. Call with p.mu held.
func (p *Progress) draw() {
	now := p.now()
	_, _ = io.WriteString(p.w, "\r\033[K"+p.line(now))
	p.drawn = true
	p.dirty = false
	p.lastDraw = now
}

// line renders the bar at time now.
func (p *Progress) line(now time.Time) string {
	done := p.ok + p.failed
	counts := fmt.Sprintf("%d/%d  ok %d  failed %d", done, p.total, p.ok, p.failed)
	if left, ok := p.eta(now); ok {
		counts += "  " + left + " left"
	}
	label := p.label
	// label, a space, the bracketed bar, a space, the counts.
	room := progressWidth - utf8.RuneCountInString(counts) - 4
	barWidth := min(progressMaxBar, room-utf8.RuneCountInString(label))
	if barWidth < progressMinBar {
		barWidth = progressMinBar
		label = truncate(label, max(0, room-barWidth))
	}

	filled := 0
	if p.total > 0 {
		filled = min(barWidth, barWidth*done/p.total)
	}
	bar := strings.Repeat("=", filled)
	if filled > 0 && filled < barWidth {
		bar = strings.Repeat("=", filled-1) + ">"
	}
	pad := strings.Repeat(" ", barWidth-filled)

	failed := fmt.Sprintf("failed %d", p.failed)
	if p.color {
		bar = "\033[32m" + bar + "\033[0m"
		if p.failed > 0 {
			counts = strings.Replace(counts, failed, "\033[31m"+failed+"\033[0m", 1)
		}
	}
	var b strings.Builder
	if label != "" {
		b.WriteString(label)
		b.WriteByte(' ')
	}
	b.WriteString("[" + bar + pad + "] " + counts)
	return b.String()
}

// eta is the time left at the average rate so far, once 2 items are done
// and until all are.
func (p *Progress) eta(now time.Time) (string, bool) {
	done := p.ok + p.failed
	if done < 2 || done >= p.total {
		return "", false
	}
	elapsed := now.Sub(p.start)
	if elapsed <= 0 {
		return "", false
	}
	left := time.Duration(float64(elapsed) / float64(done) * float64(p.total-done))
	return formatLeft(left), true
}

// formatLeft writes a duration as 45s, 1m05s or 2h03m.
func formatLeft(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	default:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
}

// truncate shortens s to n runes, marking the cut with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return strings.Repeat("…", n)
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
