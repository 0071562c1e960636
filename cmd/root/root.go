// Package root builds the top-level command and its global flags.
package root

import (
	"fmt"

	"github.com/spf13/cobra"

	aliasCmd "github.com/connectctl/connectctl/cmd/alias"
	apiCmd "github.com/connectctl/connectctl/cmd/api"
	authCmd "github.com/connectctl/connectctl/cmd/auth"
	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/completion"
	customerCmd "github.com/connectctl/connectctl/cmd/customer"
	"github.com/connectctl/connectctl/cmd/factory"
	orderCmd "github.com/connectctl/connectctl/cmd/order"
	productsCmd "github.com/connectctl/connectctl/cmd/products"
	profileCmd "github.com/connectctl/connectctl/cmd/profile"
	sandboxCmd "github.com/connectctl/connectctl/cmd/sandbox"
	simCmd "github.com/connectctl/connectctl/cmd/sim"
	statusCmd "github.com/connectctl/connectctl/cmd/status"
	subsCmd "github.com/connectctl/connectctl/cmd/subs"
	versionCmd "github.com/connectctl/connectctl/cmd/version"
	webhookCmd "github.com/connectctl/connectctl/cmd/webhook"
	"github.com/connectctl/connectctl/internal/config"
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
	pf.StringVar(&g.APIEdition, "api-edition", "", "API edition to speak: v1 (amounts in major units) or 2024 (integers of the smallest unit); default the profile's api-edition (env CONNECTCTL_API_EDITION)")
	pf.BoolVar(&g.NoColor, "no-color", false, "Disable colour output (also NO_COLOR)")
	pf.BoolVarP(&g.Yes, "yes", "y", false, "Skip confirmations (needed for destructive commands without a terminal)")
	pf.StringVarP(&g.Output.Format, "output", "o", "table", "Output format: table, json, yaml, ndjson or csv (env CONNECTCTL_OUTPUT)")
	pf.StringVar(&g.Output.JQ, "jq", "", "Filter JSON output with a jq expression; strings print raw")
	pf.StringVar(&g.Output.Template, "template", "", "Render the JSON data with a Go template")
	pf.StringSliceVar(&g.Output.Columns, "columns", nil, "Table columns to show, e.g. iccid,state")
	pf.BoolVar(&g.Output.NoHeaders, "no-headers", false, "Leave out the table's header row")
	pf.StringVar(&g.ConfigFile, "config", "", "Config file (env CONNECTCTL_CONFIG; default $XDG_CONFIG_HOME/connectctl/config.yaml)")
	cmd.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		if c.Name() == cobra.ShellCompRequestCmd || c.Name() == cobra.ShellCompNoDescRequestCmd {
			// Shell completion applies the environment itself, after
			// Cobra parsed the flags, and never fails over a bad -o.
			return nil
		}
		// Ctrl-C ends a wait for the keyring too.
		f.Context = c.Context()
		if err := f.ApplyEnvironment(c); err != nil { // CONNECTCTL_* for every global flag
			return err
		}
		if g.NoColor {
			f.IOStreams.SetNoColor(true)
		}
		if g.APIEdition != "" {
			if err := config.CheckEdition(g.APIEdition); err != nil {
				return cmdutil.FlagErrorf("--api-edition: %v", err)
			}
		}
		if g.Timeout <= 0 {
			return cmdutil.FlagErrorf("--timeout %v: want a positive duration such as 30s", g.Timeout)
		}
		// A bad -o, --jq or --template is refused on every command, before
		// anything is sent.
		_, err := f.Printer()
		return err
	}

	cmd.AddCommand(versionCmd.NewCmdVersion(f))
	cmd.AddCommand(sandboxCmd.NewCmdSandbox(f))
	cmd.AddCommand(orderCmd.NewCmdOrder(f))
	cmd.AddCommand(simCmd.NewCmdSIM(f))
	cmd.AddCommand(subsCmd.NewCmdSubs(f))
	cmd.AddCommand(productsCmd.NewCmdProducts(f))
	cmd.AddCommand(customerCmd.NewCmdCustomer(f))
	cmd.AddCommand(webhookCmd.NewCmdWebhook(f))
	cmd.AddCommand(apiCmd.NewCmdAPI(f, nil))
	cmd.AddCommand(authCmd.NewCmdAuth(f))
	cmd.AddCommand(statusCmd.NewCmdStatus(f, nil))
	cmd.AddCommand(profileCmd.NewCmdProfile(f))
	cmd.AddCommand(aliasCmd.NewCmdAlias(f, func(w string) bool { return IsCommand(cmd, w) }))
	// Cobra adds `completion` when it runs; added now, it gets the same
	// unknown-subcommand rule as every other group.
	cmd.InitDefaultCompletionCmd()
	completionExamples(cmd)
	cmd.AddCommand(newHelpFlagsTopic(cmd))
	cmd.SetUsageFunc(usage)
	usageErrorsForArgs(cmd)
	if err := completion.Register(f, cmd); err != nil {
		panic(err) // a command or flag renamed without its completion
	}
	return cmd
}

// usageErrorsForArgs makes a wrong number of arguments a usage error (exit 2)
// on every command, as a bad flag already is; Cobra reports both as plain
// errors. Every group (the root too) shows its help when bare and refuses an
// unknown subcommand with suggestions (exit 2): Cobra would print the help
// and exit 0 below the root.
func usageErrorsForArgs(cmd *cobra.Command) {
	if cmd.HasSubCommands() {
		cmdutil.GroupArgs(cmd)
	} else if validate := cmd.Args; validate != nil {
		cmd.Args = func(c *cobra.Command, args []string) error {
			if err := validate(c, args); err != nil {
				return &cmdutil.FlagError{Err: fmt.Errorf("%w\nUsage: %s", err, c.UseLine())}
			}
			return nil
		}
	}
	for _, sub := range cmd.Commands() {
		usageErrorsForArgs(sub)
	}
}
