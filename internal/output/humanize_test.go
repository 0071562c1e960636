package output

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/connectctl/connectctl/internal/iostreams"
)

var clock = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

func TestRelativeTime(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration // t - now
		want string
	}{
		{0, "just now"},
		{-59 * time.Second, "just now"},
		{30 * time.Second, "in less than a minute"},
		{-time.Minute, "1 minute ago"},
		{-3*time.Minute - 20*time.Second, "3 minutes ago"},
		{-59 * time.Minute, "59 minutes ago"},
		{-time.Hour, "1 hour ago"},
		{-5 * time.Hour, "5 hours ago"},
		{2 * time.Hour, "in 2 hours"},
		{-24 * time.Hour, "1 day ago"},
		{29*24*time.Hour + time.Hour, "in 29 days"},
		{-45 * 24 * time.Hour, "1 month ago"},
		{90 * 24 * time.Hour, "in 3 months"},
		{-400 * 24 * time.Hour, "1 year ago"},
		{-3 * 365 * 24 * time.Hour, "3 years ago"},
	} {
		if got := RelativeTime(clock.Add(tc.d), clock); got != tc.want {
			t.Errorf("RelativeTime(now%+v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestStatusColor(t *testing.T) {
	for status, want := range map[string]string{
		"COMPLETED": sgrGreen, "ACTIVE": sgrGreen, "Released": sgrGreen, "Installed": sgrGreen, "ordered": sgrGreen,
		"FAILED": sgrRed, "ERROR": sgrRed, "failed": sgrRed, "refused": sgrRed, "Unavailable": sgrRed,
		"ACCEPTED": sgrYellow, "FULFILLING": sgrYellow, "PENDING": sgrYellow, "unknown": sgrYellow, "sending": sgrYellow,
		"EXPIRED": sgrGrey, "DEPLETED": sgrGrey,
		"": "", "-": "", "whatever": "",
	} {
		if got := StatusColor(status); got != want {
			t.Errorf("StatusColor(%q) = %q, want %q", status, got, want)
		}
	}
	if got := Colorize("FAILED"); got != "\x1b[31mFAILED\x1b[0m" {
		t.Errorf("Colorize(FAILED) = %q", got)
	}
	if got := Colorize("-"); got != "-" {
		t.Errorf("Colorize(-) = %q", got)
	}
}

func TestHumanCell(t *testing.T) {
	at := clock.Add(-3 * time.Minute).Format(time.RFC3339)
	for _, tc := range []struct {
		kind  ColumnKind
		v     string
		color bool
		want  string
	}{
		{KindTime, at, true, "3 minutes ago"},
		{KindTime, at, false, "3 minutes ago"}, // relative without colour too
		{KindTime, "-", true, "-"},
		{KindTime, "soon", true, "soon"},
		{KindStatus, "ACTIVE", true, "\x1b[32mACTIVE\x1b[0m"},
		{KindStatus, "ACTIVE", false, "ACTIVE"},
		{KindText, "FAILED", true, "FAILED"},
		{KindText, at, true, at},
	} {
		if got := humanCell(tc.kind, tc.v, clock, tc.color); got != tc.want {
			t.Errorf("humanCell(%v, %q, color %v) = %q, want %q", tc.kind, tc.v, tc.color, got, tc.want)
		}
	}
}

type job struct {
	ID      string    `json:"id"`
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
}

var jobCols = []Column[job]{
	{Name: "id", Value: func(j job) string { return j.ID }},
	{Name: "status", Kind: KindStatus, Value: func(j job) string { return j.Status }},
	{Name: "created", Kind: KindTime, Value: func(j job) string { return j.Created.UTC().Format(time.RFC3339) }},
}

var jobs = []job{
	{ID: "o-1", Status: "COMPLETED", Created: clock.Add(-3 * time.Minute)},
	{ID: "o-22", Status: "FAILED", Created: clock.Add(-26 * time.Hour)},
	{ID: "o-333", Status: "ACCEPTED", Created: clock.Add(29*24*time.Hour + time.Hour)},
}

func jobPrinter(t *testing.T, tty, noColor bool, o Options) (*Printer, *iostreams.IOStreams, *bytes.Buffer) {
	t.Helper()
	ios, _, out, _ := iostreams.Test()
	ios.SetTTY(false, tty, false)
	ios.SetNoColor(noColor)
	p, err := New(ios, o)
	if err != nil {
		t.Fatal(err)
	}
	p.SetClock(func() time.Time { return clock })
	return p, ios, out
}

func TestTableColourAndTimeOnlyOnATerminal(t *testing.T) {
	abs := clock.Add(-3 * time.Minute).UTC().Format(time.RFC3339)
	for _, tc := range []struct {
		name        string
		tty, noCol  bool
		opts        Options
		want, avoid []string
	}{
		{name: "terminal", tty: true,
			want:  []string{"3 minutes ago", "1 day ago", "in 29 days", "\x1b[32mCOMPLETED\x1b[0m", "\x1b[31mFAILED\x1b[0m", "\x1b[33mACCEPTED\x1b[0m"},
			avoid: []string{abs}},
		{name: "terminal, NO_COLOR or --no-color", tty: true, noCol: true,
			want: []string{"3 minutes ago", "COMPLETED"}, avoid: []string{"\x1b[", abs}},
		{name: "pipe", want: []string{abs, "\tCOMPLETED\t"}, avoid: []string{"\x1b[", "ago"}},
		{name: "json on a terminal", tty: true, opts: Options{Format: "json"},
			want: []string{`"created": "` + abs + `"`, `"status": "COMPLETED"`}, avoid: []string{"\x1b[", "ago"}},
		{name: "csv on a terminal", tty: true, opts: Options{Format: "csv"},
			want: []string{abs}, avoid: []string{"\x1b[", "ago"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _, out := jobPrinter(t, tc.tty, tc.noCol, tc.opts)
			if _, err := List(p, seqOf(jobs, -1), jobCols, 0); err != nil {
				t.Fatal(err)
			}
			got := out.String()
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
			for _, a := range tc.avoid {
				if strings.Contains(got, a) {
					t.Errorf("output has %q:\n%s", a, got)
				}
			}
		})
	}
}

// Colour codes take no room: the columns line up as without them, in a
// table and in a stream.
func TestColouredColumnsStayAligned(t *testing.T) {
	render := func(noColor bool, stream bool) string {
		p, _, out := jobPrinter(t, true, noColor, Options{})
		if stream {
			s := NewStream(p, jobCols)
			for _, j := range jobs {
				if err := s.Write(j); err != nil {
					t.Fatal(err)
				}
			}
			_ = s.Close()
		} else if _, err := List(p, seqOf(jobs, -1), jobCols, 0); err != nil {
			t.Fatal(err)
		}
		return strings.NewReplacer(sgrGreen, "", sgrRed, "", sgrYellow, "", sgrReset, "").Replace(out.String())
	}
	for _, stream := range []bool{false, true} {
		plain, coloured := render(true, stream), render(false, stream)
		if plain != coloured {
			t.Errorf("stream %v: coloured table, codes removed:\n%s\nwant as without colour:\n%s", stream, coloured, plain)
		}
	}
}

// A table longer than the terminal goes through $PAGER, which gets the
// table (coloured, relative) and is waited for; a short one does not.
func TestListThroughThePager(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	dir := t.TempDir()
	got := filepath.Join(dir, "got")
	pager := filepath.Join(dir, "pager.sh")
	if err := os.WriteFile(pager, []byte("#!/bin/sh\ncat > "+got+"\necho paged\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	many := make([]job, 40)
	for i := range many {
		many[i] = job{ID: "o", Status: "ACTIVE", Created: clock.Add(-time.Duration(i) * time.Hour)}
	}
	for _, tc := range []struct {
		name  string
		rows  []job
		paged bool
	}{{"long", many, true}, {"short", jobs, false}} {
		t.Run(tc.name, func(t *testing.T) {
			_ = os.Remove(got)
			p, ios, out := jobPrinter(t, true, false, Options{})
			ios.SetPager(pager)
			ios.SetTerminalHeight(24)
			if _, err := List(p, seqOf(tc.rows, -1), jobCols, 0); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(got)
			if !tc.paged {
				if err == nil {
					t.Fatalf("a %d-row table went through the pager", len(tc.rows))
				}
				if !strings.Contains(out.String(), "ID ") {
					t.Errorf("terminal shows %q", out.String())
				}
				return
			}
			if err != nil {
				t.Fatalf("the pager got nothing: %v", err)
			}
			if lines := strings.Count(string(b), "\n"); lines != len(tc.rows)+1 {
				t.Errorf("pager got %d lines, want %d", lines, len(tc.rows)+1)
			}
			if !strings.Contains(string(b), "\x1b[32mACTIVE") || !strings.Contains(string(b), "just now") {
				t.Errorf("pager got no colour or relative time:\n%s", b)
			}
			if out.String() != "paged\n" {
				t.Errorf("terminal shows %q, want only the pager's output", out.String())
			}
			if ios.Out != out {
				t.Error("stdout was not given back after the pager")
			}
		})
	}
}
