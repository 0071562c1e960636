package cmdutil

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// ExactArgs wants one positional argument per name ("ICCID"; "KEY", "VALUE").
// A wrong count is a usage error (exit 2) naming what is wanted, unlike
// cobra's own check.
func ExactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) == len(names):
			return nil
		case len(names) == 0:
			return FlagErrorf("%s takes no arguments, got %q", cmd.CommandPath(), strings.Join(args, " "))
		case len(args) < len(names):
			return FlagErrorf("%s wants %s, got %d argument(s): missing %s",
				cmd.CommandPath(), strings.Join(names, " "), len(args), strings.Join(names[len(args):], " "))
		default:
			want := "only " + strings.Join(names, " ")
			if len(names) == 1 {
				want = "one " + names[0]
			}
			return FlagErrorf("%s takes %s, got %d argument(s): %q", cmd.CommandPath(), want, len(args), strings.Join(args, " "))
		}
	}
}

// NoArgs refuses positional arguments as a usage error (exit 2).
func NoArgs(cmd *cobra.Command, args []string) error {
	return ExactArgs()(cmd, args)
}

// GroupArgs is for a command that only groups subcommands (and the root):
// bare, it shows its help and exits 0, as gh does; with an unknown
// subcommand it is a usage error (exit 2) that suggests the nearest ones, as
// Cobra's own message does.
func GroupArgs(cmd *cobra.Command) {
	cmd.Args = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			return UnknownCommandError(c, args[0])
		}
		return nil
	}
	cmd.RunE = func(c *cobra.Command, args []string) error { return c.Help() }
}

// UnknownCommandError is the usage error for `connectctl <group> name` when
// the group has no subcommand name: Cobra's wording and "Did you mean this?"
// list, then where to look.
func UnknownCommandError(c *cobra.Command, name string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "unknown command %q for %q", name, c.CommandPath())
	if s := suggestions(c, name); len(s) > 0 {
		b.WriteString("\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t"))
	}
	fmt.Fprintf(&b, "\n\nRun '%s --help' for usage.", c.CommandPath())
	return &FlagError{Err: errors.New(b.String())}
}

// suggestions are the subcommands nearest to name, as Cobra finds them (a
// name within SuggestionsMinimumDistance edits, a prefix, a SuggestFor word)
// but also by alias and by a SuggestFor word within that distance, so that
// `order craete` finds `new` by its SuggestFor "create". Only the nearest are
// kept: "lst" suggests list (1 edit), not get (2).
func suggestions(c *cobra.Command, name string) []string {
	maxDist := c.SuggestionsMinimumDistance
	if maxDist <= 0 {
		maxDist = 2 // Cobra's default
	}
	lower := strings.ToLower(name)
	var found []string
	best := maxDist + 1
	for _, sub := range c.Commands() {
		if !sub.IsAvailableCommand() {
			continue
		}
		d := maxDist + 1
		if strings.HasPrefix(strings.ToLower(sub.Name()), lower) {
			d = 0
		}
		for _, w := range append(append([]string{sub.Name()}, sub.Aliases...), sub.SuggestFor...) {
			d = min(d, editDistance(lower, strings.ToLower(w)))
		}
		switch {
		case d > maxDist:
		case d < best:
			best, found = d, []string{sub.Name()}
		case d == best:
			found = append(found, sub.Name())
		}
	}
	return found
}

// editDistance is the Levenshtein distance of a and b, in bytes (command
// names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
