package subs

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/internal/output"
)

// ExactArgs wants exactly one positional argument named what ("ICCID");
// anything else is a usage error (exit 2), unlike cobra's own check, which
// would exit 1.
func ExactArgs(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch len(args) {
		case 1:
			return nil
		case 0:
			return cmdutil.FlagErrorf("%s: missing %s; usage: %s", cmd.CommandPath(), what, cmd.UseLine())
		default:
			return cmdutil.FlagErrorf("%s takes one %s, got %d arguments (%s); usage: %s",
				cmd.CommandPath(), what, len(args), strings.Join(args, " "), cmd.UseLine())
		}
	}
}

// NoArgs refuses positional arguments as a usage error (exit 2).
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return cmdutil.FlagErrorf("%s takes no arguments, got %q; usage: %s", cmd.CommandPath(), args, cmd.UseLine())
	}
	return nil
}

// GroupArgs is for a command that only groups subcommands: bare, it shows its
// help; with an unknown subcommand it is a usage error (exit 2).
func GroupArgs(cmd *cobra.Command) {
	cmd.Args = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			return cmdutil.FlagErrorf("unknown command %q for %q; see `%s --help`", args[0], c.CommandPath(), c.CommandPath())
		}
		return nil
	}
	cmd.RunE = func(c *cobra.Command, args []string) error { return c.Help() }
}

// ColumnsAnnotation is the cobra annotation listing a command's --columns
// names (comma-separated), for shell completion of the global flag.
const ColumnsAnnotation = "connectctl/columns"

// SetColumns records cols' names on cmd under ColumnsAnnotation.
func SetColumns[T any](cmd *cobra.Command, cols []output.Column[T]) *cobra.Command {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[ColumnsAnnotation] = strings.Join(output.ColumnNames(cols), ",")
	return cmd
}
