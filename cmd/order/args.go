package order

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
)

// exactArgs wants n positional arguments named by names ("PRODUCT_ID"); a
// wrong count is a usage error (exit 2), not cobra's plain error.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == len(names) {
			return nil
		}
		if len(names) == 0 {
			return cmdutil.FlagErrorf("%s takes no arguments, got %q", cmd.CommandPath(), strings.Join(args, " "))
		}
		return cmdutil.FlagErrorf("%s wants %s, got %d argument(s): see --help", cmd.CommandPath(), strings.Join(names, " "), len(args))
	}
}
