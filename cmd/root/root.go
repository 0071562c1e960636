// Package root builds the top-level command and its global flags.
package root

import (
	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	orderCmd "github.com/connectctl/connectctl/cmd/order"
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

	g := &f.Globals
	pf := cmd.PersistentFlags()
	pf.StringVarP(&g.Profile, "profile", "p", "", "Profile to use (env CONNECTCTL_PROFILE; default sandbox)")
	pf.BoolVar(&g.Debug, "debug", false, "Log each HTTP exchange to stderr, secrets redacted (env CONNECTCTL_DEBUG)")
	pf.DurationVar(&g.Timeout, "timeout", g.Timeout, "Per-request timeout")
	pf.StringVar(&g.CorrelationID, "correlation-id", "", "Send this X-Correlation-ID instead of a new UUID per request")
	pf.BoolVar(&g.NoColor, "no-color", false, "Disable colour output (also NO_COLOR)")
	pf.BoolVarP(&g.Yes, "yes", "y", false, "Skip confirmations (needed for destructive commands without a terminal)")
	pf.StringVarP(&g.Output.Format, "output", "o", "table", "Output format: table, json, yaml or ndjson (env CONNECTCTL_OUTPUT)")
	pf.StringVar(&g.Output.JQ, "jq", "", "Filter JSON output with a jq expression; strings print raw")
	pf.StringVar(&g.Output.Template, "template", "", "Render the JSON data with a Go template")
	pf.StringSliceVar(&g.Output.Columns, "columns", nil, "Table columns to show, e.g. iccid,state")
	pf.BoolVar(&g.Output.NoHeaders, "no-headers", false, "Leave out the table's header row")
	cmd.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		if g.NoColor {
			f.IOStreams.SetNoColor(true)
		}
		if !c.Flags().Changed("debug") && f.Env != nil {
			if v := f.Env("CONNECTCTL_DEBUG"); v != "" && v != "0" && v != "false" {
				g.Debug = true
			}
		}
		if !c.Flags().Changed("output") && f.Env != nil {
			if v := f.Env("CONNECTCTL_OUTPUT"); v != "" {
				g.Output.Format = v
			}
		}
		if g.Timeout <= 0 {
			return cmdutil.FlagErrorf("--timeout %v: want a positive duration such as 30s", g.Timeout)
		}
		return nil
	}

	cmd.AddCommand(versionCmd.NewCmdVersion(f))
	cmd.AddCommand(sandboxCmd.NewCmdSandbox(f))
	cmd.AddCommand(orderCmd.NewCmdOrder(f))
	return cmd
}
