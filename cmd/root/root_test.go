package root

import (
	"slices"
	"testing"

	"github.com/connectctl/connectctl/cmd/factory"
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
		want []string // nil: the whole tree
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
