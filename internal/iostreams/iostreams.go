// Package iostreams is the one place that decides where output goes, whether
// a stream is a terminal, and whether colour and spinners are allowed.
// Commands write through it and never touch os.Stdout directly.
package iostreams

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

// IOStreams bundles the three standard streams with what is known about them.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY  bool
	stdoutTTY bool
	stderrTTY bool
	noColor   bool

	pagerCmd string        // "" for none; see pagerFromEnv
	pager    *pagerProcess // while a pager runs
	height   int           // stdout's height when set by a test
}

// System returns streams bound to the process's stdin, stdout and stderr.
func System() *IOStreams {
	return &IOStreams{
		In:        os.Stdin,
		Out:       os.Stdout,
		ErrOut:    os.Stderr,
		stdinTTY:  isTerminal(os.Stdin),
		stdoutTTY: isTerminal(os.Stdout),
		stderrTTY: isTerminal(os.Stderr),
		noColor:   noColorFromEnv(os.Getenv),
		pagerCmd:  pagerFromEnv(os.LookupEnv),
	}
}

// Test returns streams backed by buffers, none of them a terminal.
func Test() (ios *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// noColorFromEnv reports whether the environment turns colour off: NO_COLOR
// set to anything but nothing (no-color.org), or TERM=dumb.
func noColorFromEnv(getenv func(string) string) bool {
	return getenv("NO_COLOR") != "" || getenv("TERM") == "dumb"
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

func (s *IOStreams) IsStdinTTY() bool  { return s.stdinTTY }
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// SetTTY overrides terminal detection; tests use it to exercise TTY output.
func (s *IOStreams) SetTTY(stdin, stdout, stderr bool) {
	s.stdinTTY, s.stdoutTTY, s.stderrTTY = stdin, stdout, stderr
}

// SetNoColor turns colour off, as --no-color does.
func (s *IOStreams) SetNoColor(v bool) { s.noColor = v }

// ColorEnabled reports whether stdout may carry ANSI colour: only on a
// terminal, and never with NO_COLOR or --no-color.
func (s *IOStreams) ColorEnabled() bool { return s.stdoutTTY && !s.noColor }

// CanPrompt reports whether the user can be asked a question.
func (s *IOStreams) CanPrompt() bool { return s.stdinTTY && s.stderrTTY }

// Spinner shows an activity indicator with a label on stderr while work runs.
// On a non-terminal stderr it prints nothing. Stop is safe to call twice.
type Spinner struct {
	mu      sync.Mutex
	w       io.Writer
	label   string
	stop    chan struct{}
	done    chan struct{}
	stopped bool
}

// StartSpinner starts a spinner, or a silent no-op one when stderr is not a TTY.
func (s *IOStreams) StartSpinner(label string) *Spinner {
	sp := &Spinner{w: s.ErrOut, label: label, stop: make(chan struct{}), done: make(chan struct{})}
	if !s.stderrTTY {
		close(sp.done)
		sp.stopped = true
		return sp
	}
	go sp.run()
	return sp
}

// SetLabel changes the text shown beside the spinner.
func (sp *Spinner) SetLabel(label string) {
	sp.mu.Lock()
	sp.label = label
	sp.mu.Unlock()
}

func (sp *Spinner) run() {
	defer close(sp.done)
	frames := []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for i := 0; ; i++ {
		sp.mu.Lock()
		fmt.Fprintf(sp.w, "\r\033[K%s %s", frames[i%len(frames)], sp.label)
		sp.mu.Unlock()
		select {
		case <-sp.stop:
			fmt.Fprint(sp.w, "\r\033[K")
			return
		case <-t.C:
		}
	}
}

// Stop clears the spinner line.
func (sp *Spinner) Stop() {
	sp.mu.Lock()
	if sp.stopped {
		sp.mu.Unlock()
		return
	}
	sp.stopped = true
	sp.mu.Unlock()
	close(sp.stop)
	<-sp.done
}
