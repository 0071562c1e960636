package iostreams

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/term"
)

// pagerFromEnv is the pager command by gh's rule: CONNECTCTL_PAGER wins
// over PAGER, even when set to nothing; empty or "cat" means no pager.
func pagerFromEnv(getenv func(string) (string, bool)) string {
	p, ok := getenv("CONNECTCTL_PAGER")
	if !ok {
		p, _ = getenv("PAGER")
	}
	p = strings.TrimSpace(p)
	if p == "cat" {
		return ""
	}
	return p
}

// SetPager sets the pager command ("" for none), as PAGER and
// CONNECTCTL_PAGER do.
func (s *IOStreams) SetPager(cmd string) { s.pagerCmd = cmd }

// Pager is the pager command, "" for none.
func (s *IOStreams) Pager() string { return s.pagerCmd }

// SetTerminalHeight overrides the terminal's height in lines (0: unknown);
// tests use it with SetTTY.
func (s *IOStreams) SetTerminalHeight(lines int) { s.height = lines }

// TerminalHeight is stdout's height in lines, 0 when unknown.
func (s *IOStreams) TerminalHeight() int {
	if s.height != 0 {
		return s.height
	}
	if f, ok := s.Out.(*os.File); ok && s.stdoutTTY {
		if _, h, err := term.GetSize(int(f.Fd())); err == nil {
			return h
		}
	}
	return 0
}

// ShouldPage reports whether output of this many lines goes through the
// pager: only when stdout is a terminal, a pager is set, and the output is
// longer than the terminal (or the height is unknown).
func (s *IOStreams) ShouldPage(lines int) bool {
	if !s.stdoutTTY || s.pagerCmd == "" || s.pager != nil {
		return false
	}
	h := s.TerminalHeight()
	return h <= 0 || lines >= h
}

// pagerProcess is a running pager and the stdout it replaced.
type pagerProcess struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out io.Writer
}

// StartPager starts the pager with its input piped from Out, which then
// writes to the pager until StopPager. The pager writes to the terminal
// Out was. With LESS unset it gets LESS=FRX (quit when the text fits one
// screen, keep colours, leave the text on the screen), as gh does.
func (s *IOStreams) StartPager() error {
	if s.pagerCmd == "" || s.pager != nil {
		return nil
	}
	cmd := pagerCommand(s.pagerCmd)
	cmd.Env = os.Environ()
	if _, ok := os.LookupEnv("LESS"); !ok {
		cmd.Env = append(cmd.Env, "LESS=FRX")
	}
	if _, ok := os.LookupEnv("LV"); !ok {
		cmd.Env = append(cmd.Env, "LV=-c")
	}
	cmd.Stdout = s.Out
	cmd.Stderr = s.ErrOut
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the pager %q: %w", s.pagerCmd, err)
	}
	s.pager = &pagerProcess{cmd: cmd, in: in, out: s.Out}
	s.Out = &pagerWriter{w: in}
	return nil
}

// pagerCommand runs a plain "less -R" itself, so that Ctrl-C, which the
// pager handles, cannot end a shell between us and the pager and leave the
// pager running; a command with shell syntax goes through sh.
func pagerCommand(line string) *exec.Cmd {
	if runtime.GOOS == "windows" || !strings.ContainsAny(line, "|&;<>()$`\\\"'*?[]#~=%{}") {
		args := strings.Fields(line)
		return exec.Command(args[0], args[1:]...)
	}
	return exec.Command("sh", "-c", line)
}

// StopPager ends the pager's input, waits for the pager to exit (the user
// quitting it) and gives Out back. It does nothing without a pager.
func (s *IOStreams) StopPager() {
	if s.pager == nil {
		return
	}
	_ = s.pager.in.Close()
	_ = s.pager.cmd.Wait()
	s.Out = s.pager.out
	s.pager = nil
}

// pagerWriter drops what is written after the user quit the pager: a
// broken pipe then is no error.
type pagerWriter struct {
	w    io.Writer
	gone bool
}

func (p *pagerWriter) Write(b []byte) (int, error) {
	if p.gone {
		return len(b), nil
	}
	n, err := p.w.Write(b)
	if err != nil && (errors.Is(err, syscall.EPIPE) || errors.Is(err, os.ErrClosed)) {
		p.gone = true
		return len(b), nil
	}
	return n, err
}
