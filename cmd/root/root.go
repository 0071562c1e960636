// Package root builds the top-level command and its global flags.
package root

import (
	"fmt"
	"slices"

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
	"github.com/connectctl/connectctl/internal/alias"
	"github.com/connectctl/connectctl/internal/config"
)

// noun is a top-level command: its name, aliases, summary and constructor.
// The table lets a run build only the command it runs, and the root's help
// list the commands without building any (issue 13: start-up);
// TestNounsNameTheirCommands keeps the table equal to the built commands.
type noun struct {
	name    string
	aliases []string
	short   string
	build   func(f *factory.Factory, isBuiltIn func(string) bool) *cobra.Command
}

var nouns = []noun{
	{"version", nil, versionCmd.Short, func(f *factory.Factory, _ func(string) bool) *cobra.Command { return versionCmd.NewCmdVersion(f) }},
	{"sandbox", nil, sandboxCmd.Short, func(f *factory.Factory, _ func(string) bool) *cobra.Command { return sandboxCmd.NewCmdSandbox(f) }},
	{"order", nil, orderCmd.Short, func(f *factory.Factory, _ func(string) bool) *cobra.Command { return orderCmd.NewCmdOrder(f) }},
	{"sim", []string{"sims"}, simCmd.Short, func(f *factory.Factory, _ func(string) bool) *cobra.Command { return simCmd.NewCmdSIM(f) }},
	{"subs", []string{"subscriptions"}, subsCmd.Short, func(f *factory.Factory, _ func(string) bool) *cobra.Command { return subsCmd.NewCmdSubs(f) }},
	{"products", nil, productsCmd.Short, func(f *factory.Factory, _ func(string) bool) *cobra.Command { return productsCmd.NewCmdProducts(f) }},
	{"customer", nil, customerCmd.Short, func(f *factory.Factory, _ func(string) bool) *cobra.Command { return customerCmd.NewCmdCustomer(f) }},
	{"webhook", nil, webhookCmd.Short, func(f *factory.Factory, _ func(string) bool) *cobra.Command { return webhookCmd.NewCmdWebhook(f) }},
	{"api", nil, apiCmd.Short, func(f *factory.Factory, _ func(string) bool) *cobra.Command { return apiCmd.NewCmdAPI(f, nil) }},
	{"auth", nil, authCmd.Short, func(f *factory.Factory, _ func(string) bool) *cobra.Command { return authCmd.NewCmdAuth(f) }},
	{"status", nil, statusCmd.Short, func(f *factory.Factory, _ func(string) bool) *cobra.Command { return statusCmd.NewCmdStatus(f, nil) }},
	{"profile", nil, profileCmd.Short, func(f *factory.Factory, _ func(string) bool) *cobra.Command { return profileCmd.NewCmdProfile(f) }},
	{"alias", nil, aliasCmd.Short, func(f *factory.Factory, isBuiltIn func(string) bool) *cobra.Command {
		return aliasCmd.NewCmdAlias(f, isBuiltIn)
	}},
}

// NewCmdRoot returns the whole connectctl command tree (docs, completion,
// tests).
func NewCmdRoot(f *factory.Factory) *cobra.Command {
	return finishRoot(f, addNouns(f, newRootShell(f), ""), true, true)
}

// NewCmdRootFor expands the aliases of args (`connectctl alias set`) and
// returns the expanded args with the tree that running them needs: when
// they name a top-level command, the root with that command alone, so a run
// builds one command's flags and help rather than all sixty (about 2 ms on
// every run of a script's loop). Help, completion, or a bare or unknown
// command word get the whole tree.
func NewCmdRootFor(f *factory.Factory, args []string) (*cobra.Command, []string, error) {
	cmd := newRootShell(f)
	args, err := ExpandAliases(cmd, args, f.Env)
	if err != nil {
		return finishRoot(f, addNouns(f, cmd, ""), true, false), args, err
	}
	word := ""
	if i := alias.CommandIndex(args, globalTakesValue(cmd)); i >= 0 {
		word = args[i]
	}
	if word == "" {
		// No command runs: the root prints its help or version.
		return finishRoot(f, addNounSummaries(cmd), true, false), args, nil
	}
	cmd = addNouns(f, cmd, word)
	// Only shell completion asks a flag or argument for its values.
	completing := word == cobra.ShellCompRequestCmd || word == cobra.ShellCompNoDescRequestCmd
	return finishRoot(f, cmd, len(cmd.Commands()) == len(nouns), completing), args, nil
}

// addNouns adds the top-level command called word, or all of them when no
// noun has that name.
func addNouns(f *factory.Factory, cmd *cobra.Command, word string) *cobra.Command {
	for _, n := range nouns {
		if n.name == word || slices.Contains(n.aliases, word) {
			cmd.AddCommand(n.build(f, IsBuiltIn))
			return cmd
		}
	}
	for _, n := range nouns {
		cmd.AddCommand(n.build(f, IsBuiltIn))
	}
	return cmd
}

// addNounSummaries adds, for each noun, a command with its name, aliases and
// summary alone: all the root's help shows of it, a fifth of the time of
// building sixty commands. Without a command word in the arguments Cobra
// runs the root, never one of these.
func addNounSummaries(cmd *cobra.Command) *cobra.Command {
	for _, n := range nouns {
		cmd.AddCommand(&cobra.Command{
			Use:     n.name,
			Aliases: n.aliases,
			Short:   n.short,
			RunE: func(c *cobra.Command, _ []string) error {
				return fmt.Errorf("internal error: %s ran from the root's list of commands", c.CommandPath())
			},
		})
	}
	return cmd
}

// newRootShell is the root command and its global flags, no subcommands.
func newRootShell(f *factory.Factory) *cobra.Command {
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
		if f.WatchInterrupts != nil && !cmdutil.IsInstant(c) {
			f.WatchInterrupts()
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

	return cmd
}

// finishRoot adds what every tree has: completion and help topics, the
// usage layout and argument rules, and, when completions is set, flag and
// argument completion (which insists that every command it names exists,
// so only in a whole tree; a run that is not completing skips it, a tenth
// of `connectctl --help`'s time).
func finishRoot(f *factory.Factory, cmd *cobra.Command, whole, completions bool) *cobra.Command {
	cmd.SetUsageFunc(usage)
	if !whole {
		// A tree for one command runs it: shell completion, `completion`
		// and the help topics always get the whole tree.
		cmd.CompletionOptions.DisableDefaultCmd = true
		usageErrorsForArgs(cmd)
		return cmd
	}
	// Cobra adds `completion` when it runs; added now, it gets the same
	// unknown-subcommand rule as every other group.
	cmd.InitDefaultCompletionCmd()
	completionExamples(cmd)
	cmd.AddCommand(newHelpFlagsTopic(cmd))
	usageErrorsForArgs(cmd)
	if !completions {
		return cmd
	}
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
