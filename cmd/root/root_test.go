package root

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/iostreams"
)

func names(t *testing.T, args []string) []string {
	t.Helper()
	cmd, _, err := NewCmdRootFor(factory.New(), args)
	if err != nil {
		t.Fatalf("NewCmdRootFor(%q): %v", args, err)
	}
	var out []string
	for _, c := range cmd.Commands() {
		out = append(out, c.Name())
	}
	slices.Sort(out)
	return out
}

// The table of nouns names exactly the commands the constructors build,
// with their aliases.
func TestNounsNameTheirCommands(t *testing.T) {
	whole := NewCmdRoot(factory.New())
	var built []string
	for _, c := range whole.Commands() {
		switch c.Name() {
		case "completion", "help", "flags":
			continue
		}
		built = append(built, c.Name())
		i := slices.IndexFunc(nouns, func(n noun) bool { return n.name == c.Name() })
		if i < 0 || !slices.Equal(nouns[i].aliases, c.Aliases) {
			t.Errorf("%s has aliases %v; the table of nouns must say so", c.Name(), c.Aliases)
		} else if nouns[i].short != c.Short {
			t.Errorf("%s has Short %q; the table of nouns says %q", c.Name(), c.Short, nouns[i].short)
		}
		for _, w := range append([]string{c.Name()}, c.Aliases...) {
			if !IsBuiltIn(w) {
				t.Errorf("IsBuiltIn(%q) = false", w)
			}
		}
	}
	var table []string
	for _, n := range nouns {
		table = append(table, n.name)
	}
	slices.Sort(built)
	slices.Sort(table)
	if !slices.Equal(built, table) {
		t.Fatalf("nouns %v, built %v", table, built)
	}
}

func TestNewCmdRootForBuildsWhatTheRunNeeds(t *testing.T) {
	all := names(t, nil)
	if len(all) != len(nouns)+2 { // + completion, help flags
		t.Fatalf("a bare run builds %v", all)
	}
	for _, tc := range []struct {
		args []string
		want []string // nil: every noun, built or as its summary alone
	}{
		{[]string{"version"}, []string{"version"}},
		{[]string{"-o", "json", "--profile", "prod", "sim", "list"}, []string{"sim"}},
		{[]string{"--timeout=5s", "-p", "x", "order", "new", "--help"}, []string{"order"}},
		{[]string{"products", "--help"}, []string{"products"}},
		{[]string{"sims", "list"}, []string{"sim"}},
		{[]string{"--help"}, nil},
		{[]string{"help", "sim"}, nil},
		{[]string{"ordr"}, nil}, // unknown: suggestions need every name
		{[]string{"__complete", "sim", ""}, nil},
		{[]string{"completion", "bash"}, nil},
	} {
		got := names(t, tc.args)
		want := tc.want
		if want == nil {
			want = all
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q builds %v, want %v", tc.args, got, want)
		}
	}
}

// A run without a command word gets the nouns' summaries, not the nouns:
// what it prints, and how it fails, must be what the whole tree gives.
func TestRootWithoutCommandMatchesWholeTree(t *testing.T) {
	run := func(args []string, whole bool) string {
		ios, _, out, errOut := iostreams.Test()
		f := factory.New()
		f.IOStreams = ios
		f.Env = func(string) string { return "" }
		cmd := NewCmdRoot(f)
		if !whole {
			var err error
			if cmd, args, err = NewCmdRootFor(f, args); err != nil {
				t.Fatalf("NewCmdRootFor(%q): %v", args, err)
			}
		}
		cmd.SetArgs(args)
		err := cmd.Execute()
		return fmt.Sprintf("out:\n%s\nerr:\n%s\nerror: %v", out, errOut, err)
	}
	for _, args := range [][]string{
		nil,
		{"--help"},
		{"-h"},
		{"--no-color", "--help"},
		{"-o", "json"},
		{"--version"},
		{"--bogus"},
		{"-p"},
		{"--", "order"},
	} {
		if _, _, err := NewCmdRootFor(factory.New(), args); err != nil {
			t.Fatal(err)
		}
		want, got := run(args, true), run(args, false)
		if got != want {
			t.Errorf("connectctl %q:\n%s\nwant (whole tree):\n%s", args, got, want)
		}
	}
}

func TestNewCmdRootForBuildsNoNounWithoutACommandWord(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		built bool
	}{
		{nil, false},
		{[]string{"--help"}, false},
		{[]string{"-o", "json", "--version"}, false},
		{[]string{"help", "order"}, true},
		{[]string{"ordr"}, true},
	} {
		cmd, _, err := NewCmdRootFor(factory.New(), tc.args)
		if err != nil {
			t.Fatal(err)
		}
		order, _, err := cmd.Find([]string{"order"})
		if err != nil {
			t.Fatal(err)
		}
		if built := order.HasSubCommands(); built != tc.built {
			t.Errorf("%q: order built = %v, want %v", tc.args, built, tc.built)
		}
	}
}

// Commands that only print skip the Ctrl-C watch (its signal thread is a
// sixth of their start-up); every other command starts it before it runs.
func TestWatchInterruptsBeforeWorkOnly(t *testing.T) {
	config := t.TempDir() + "/config.yaml"
	for _, tc := range []struct {
		args    []string
		watches bool
	}{
		{[]string{"version"}, false},
		{[]string{"completion", "bash"}, false},
		{[]string{"help", "order"}, false},
		{[]string{"order", "--help"}, false},
		{[]string{"alias", "list"}, true},
		{[]string{"profile", "list"}, true},
	} {
		ios, _, _, _ := iostreams.Test()
		f := factory.New()
		f.IOStreams = ios
		f.Env = func(k string) string {
			if k == "CONNECTCTL_CONFIG" {
				return config
			}
			return ""
		}
		watched := 0
		f.WatchInterrupts = func() { watched++ }
		cmd, args, err := NewCmdRootFor(f, tc.args)
		if err != nil {
			t.Fatal(err)
		}
		cmd.SetArgs(args)
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		if got := watched > 0; got != tc.watches {
			t.Errorf("%q: watched Ctrl-C = %v, want %v", tc.args, got, tc.watches)
		}
	}
}

// Flag and argument completion is registered for shell completion only;
// the tree a completion request gets must have it.
func TestNewCmdRootForCompletes(t *testing.T) {
	for _, req := range []string{"__complete", "__completeNoDesc"} {
		ios, _, out, _ := iostreams.Test()
		f := factory.New()
		f.IOStreams = ios
		f.Env = func(string) string { return "" }
		cmd, args, err := NewCmdRootFor(f, []string{req, "sim", "list", "-o", ""})
		if err != nil {
			t.Fatal(err)
		}
		cmd.SetArgs(args)
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "json\n") {
			t.Errorf("%s sim list -o '': %q, want the output formats", req, out)
		}
	}
}
