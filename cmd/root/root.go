// Package root builds the top-level command and its global flags.
package root

import (
	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	sandboxCmd "github.com/connectctl/connectctl/cmd/sandbox"
	versionCmd "github.com/connectctl/connectctl/cmd/version"
)

// NewCmdRoot returns the connectctl command tree.
func NewCmdRoot(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "connectctl <command> <subcommand> [flags]",
		Short: "Run eSIM connectivity on the 1GLOBAL Connect API",
		Long: "connectctl orders eSIMs, tops them up, inspects SIMs and balances and wires\n" +
			"usage webhooks on the 1GLOBAL Connect API, from a shell or a CI job.",
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       f.Build.Version,
	}
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	cmd.SetIn(f.IOStreams.In)
	// Cobra reports bad flags as plain errors; they are usage errors (exit 2).
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &cmdutil.FlagError{Err: err}
	})

	var noColor bool
	cmd.PersistentFlags().BoolVar(&noColor, "no-color", false, "Disable colour output (also NO_COLOR)")
	cmd.PersistentPreRun = func(c *cobra.Command, args []string) {
		if noColor {
			f.IOStreams.SetNoColor(true)
		}
	}

	cmd.AddCommand(versionCmd.NewCmdVersion(f))
	cmd.AddCommand(sandboxCmd.NewCmdSandbox(f))
	return cmd
}
