package cmdutil

import (
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

// GroupArgs is for a command that only groups subcommands: bare, it shows its
// help; with an unknown subcommand it is a usage error (exit 2).
func GroupArgs(cmd *cobra.Command) {
	cmd.Args = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			return FlagErrorf("unknown command %q for %q; see `%s --help`", args[0], c.CommandPath(), c.CommandPath())
		}
		return nil
	}
	cmd.RunE = func(c *cobra.Command, args []string) error { return c.Help() }
}
