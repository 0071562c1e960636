package iostreams

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClockAt() *testClock { return &testClock{t: time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)} }

// ttyStreams are test streams whose stderr is a terminal, without colour.
func ttyStreams() (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	ios, _, out, errOut := Test()
	ios.SetTTY(false, false, true)
	ios.SetNoColor(true)
	return ios, out, errOut
}

// lastLine is what the terminal shows last: the text after the last
// carriage return and erase-line.
func lastLine(s string) string {
	if i := strings.LastIndex(s, "\r\033[K"); i >= 0 {
		return s[i+len("\r\033[K"):]
	}
	return s
}

func TestProgressLine(t *testing.T) {
	ios, _, errOut := ttyStreams()
	clock := newClockAt()
	p := ios.startProgress("Ordering", 500, clock.now, false)
	if got, want := errOut.String(), "\r\033[KOrdering ["+strings.Repeat(" ", 40)+"] 0/500  ok 0  failed 0"; got != want {
		t.Fatalf("first drawing %q, want %q", got, want)
	}

	// One item: no time left yet.
	step := 162500 * time.Microsecond
	clock.advance(step)
	p.Add(true)
	if got := lastLine(errOut.String()); got != "Ordering ["+strings.Repeat(" ", 40)+"] 1/500  ok 1  failed 0" {
		t.Fatalf("after one: %q", got)
	}

	// 100 of 500 in 16.25s: 400 left at 0.1625s each, 65s.
	for i := 2; i <= 100; i++ {
		clock.advance(step)
		p.Add(i%40 != 0) // 40 and 80 fail
	}
	got := lastLine(errOut.String())
	want := "Ordering [=====>" + strings.Repeat(" ", 25) + "] 100/500  ok 98  failed 2  1m05s left"
	if got != want {
		t.Fatalf("line\n%q, want\n%q", got, want)
	}
	if n := utf8.RuneCountInString(got); n != 79 {
		t.Fatalf("line of %d columns", n)
	}

	// Changes within 100 ms of a drawing wait for the next one: a new
	// label, 399 items at once, then the last one a second later. When all
	// are done the bar is full and no time is left.
	n := errOut.Len()
	p.SetLabel("Waiting")
	for range 399 {
		p.Add(true)
	}
	if errOut.Len() != n {
		t.Fatalf("drawn within 100 ms: %q", errOut.String()[n:])
	}
	clock.advance(time.Second)
	p.Add(true)
	if got := lastLine(errOut.String()); got != "Waiting ["+strings.Repeat("=", 40)+"] 500/500  ok 498  failed 2" {
		t.Fatalf("done: %q", got)
	}
	p.Stop()
	if !strings.HasSuffix(errOut.String(), "\r\033[K") {
		t.Fatalf("Stop left the bar: %q", errOut.String())
	}
	n = errOut.Len()
	p.Stop()
	p.Add(true)
	p.SetLabel("x")
	if errOut.Len() != n {
		t.Fatalf("drawing after Stop: %q", errOut.String()[n:])
	}
}

func TestProgressThrottle(t *testing.T) {
	ios, _, errOut := ttyStreams()
	clock := newClockAt()
	p := ios.startProgress("x", 1000, clock.now, false)
	for range 500 {
		p.Add(true)
		clock.advance(time.Millisecond)
	}
	// 500 items in 0.5 s: the first drawing plus at most one per 100 ms.
	if draws := strings.Count(errOut.String(), "\r\033[K"); draws > 6 {
		t.Fatalf("%d drawings in half a second", draws)
	}
	p.Stop()
}

func TestProgressETA(t *testing.T) {
	for _, tt := range []struct {
		done    int
		elapsed time.Duration
		want    string
	}{
		{0, time.Minute, ""},
		{1, time.Minute, ""},
		{2, 2 * time.Second, "8s left"},
		{5, 13 * time.Second, "13s left"},
		{8, 12 * time.Second, "3s left"},
		{3, 39 * time.Second, "1m31s left"},
		{2, 10 * time.Minute, "40m00s left"},
		{2, time.Hour, "4h00m left"},
		{10, time.Hour, ""},
	} {
		p := &Progress{total: 10, ok: tt.done, start: time.Unix(0, 0)}
		got, ok := p.eta(time.Unix(0, 0).Add(tt.elapsed))
		if ok {
			got += " left"
		}
		if got != tt.want {
			t.Errorf("%d done in %v: %q, want %q", tt.done, tt.elapsed, got, tt.want)
		}
	}
	if got := formatLeft(65 * time.Second); got != "1m05s" {
		t.Errorf("65s: %q", got)
	}
}

func TestProgressFitsEightyColumns(t *testing.T) {
	for _, label := range []string{"", "Ordering", strings.Repeat("long label ", 10)} {
		for _, total := range []int{0, 7, 500, 123456789} {
			ios, _, errOut := ttyStreams()
			clock := newClockAt()
			p := ios.startProgress(label, total, clock.now, false)
			for _, ok := range []bool{false, true, true} {
				clock.advance(time.Hour)
				p.Add(ok)
			}
			line := lastLine(errOut.String())
			if n := utf8.RuneCountInString(line); n > 79 {
				t.Errorf("label %q total %d: %d columns: %q", label, total, n, line)
			}
			if !strings.Contains(line, "[") || !strings.Contains(line, fmt.Sprintf("3/%d  ok 2  failed 1", total)) {
				t.Errorf("line %q", line)
			}
			p.Stop()
		}
	}
}

func TestProgressColour(t *testing.T) {
	ios, _, errOut := ttyStreams()
	ios.SetNoColor(false)
	clock := newClockAt()
	p := ios.startProgress("x", 4, clock.now, false)
	clock.advance(time.Second)
	p.Add(false)
	if got := lastLine(errOut.String()); !strings.Contains(got, "\033[31mfailed 1\033[0m") || !strings.Contains(got, "\033[32m") {
		t.Fatalf("colour: %q", got)
	}
	p.Stop()
	ios, _, errOut = ttyStreams()
	p = ios.startProgress("x", 4, clock.now, false)
	p.Add(false)
	p.Stop()
	if strings.Contains(errOut.String(), "\033[3") {
		t.Fatalf("colour with NO_COLOR: %q", errOut.String())
	}
}

// Above clears the bar, lets fn print its line where the bar was, and draws
// the bar again under it.
func TestProgressAbove(t *testing.T) {
	ios, out, errOut := ttyStreams()
	// One terminal: stdout and stderr write to the same screen.
	var screen bytes.Buffer
	ios.Out, ios.ErrOut = &screen, &screen
	clock := newClockAt()
	p := ios.startProgress("Ordering", 2, clock.now, false)
	p.Above(func() { fmt.Fprintln(ios.Out, "row 1\tCOMPLETED") })
	clock.advance(time.Second)
	p.Add(true)
	p.Above(func() { fmt.Fprintln(ios.ErrOut, "row 2: retrying") })
	p.Stop()
	bar0 := "Ordering [" + strings.Repeat(" ", 40) + "] 0/2  ok 0  failed 0"
	bar1 := "Ordering [" + strings.Repeat("=", 19) + ">" + strings.Repeat(" ", 20) + "] 1/2  ok 1  failed 0"
	want := "\r\033[K" + bar0 + // the first drawing
		"\r\033[K" + "row 1\tCOMPLETED\n" + "\r\033[K" + bar0 + // Above
		"\r\033[K" + bar1 + // Add
		"\r\033[K" + "row 2: retrying\n" + "\r\033[K" + bar1 + // Above
		"\r\033[K" // Stop
	if screen.String() != want {
		t.Fatalf("screen\n%q, want\n%q", screen.String(), want)
	}
	if out.Len() != 0 || errOut.Len() != 0 {
		t.Fatal("wrote to the old streams")
	}
	// After Stop, Above just runs fn.
	screen.Reset()
	p.Above(func() { fmt.Fprintln(&screen, "late") })
	if screen.String() != "late\n" {
		t.Fatalf("after Stop: %q", screen.String())
	}
}

func TestProgressNotATerminal(t *testing.T) {
	ios, _, out, errOut := Test()
	p := ios.StartProgress("Ordering", 3)
	ran := 0
	p.Above(func() { ran++ })
	p.Add(true)
	p.SetLabel("x")
	p.Add(false)
	p.Above(func() { ran++ })
	p.Stop()
	p.Stop()
	if ran != 2 || out.Len() != 0 || errOut.Len() != 0 {
		t.Fatalf("ran %d, out %q, err %q", ran, out, errOut)
	}
}

// The real thing: a goroutine redraws while others add and print above.
func TestProgressConcurrent(t *testing.T) {
	ios, _, _ := ttyStreams()
	var mu sync.Mutex
	var screen bytes.Buffer
	w := writerFunc(func(b []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return screen.Write(b)
	})
	ios.Out, ios.ErrOut = w, w
	p := ios.StartProgress("Ordering", 200)
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.Above(func() { fmt.Fprintf(ios.Out, "row %d\n", i) })
			p.Add(i%10 != 0)
			if i%50 == 0 {
				p.SetLabel(fmt.Sprintf("Ordering (%d)", i))
			}
		}()
	}
	time.Sleep(150 * time.Millisecond) // let the ticker draw too
	wg.Wait()
	p.Stop()
	mu.Lock()
	defer mu.Unlock()
	s := screen.String()
	for i := range 200 {
		if !strings.Contains(s, fmt.Sprintf("\r\033[Krow %d\n", i)) {
			t.Fatalf("row %d missing or not on a cleared line", i)
		}
	}
	if !strings.HasSuffix(s, "\r\033[K") {
		t.Fatalf("not cleared at the end: %q", s[max(0, len(s)-200):])
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }
