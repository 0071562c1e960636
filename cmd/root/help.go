package root

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
)

// globalFlagsPointer ends every command's help in place of the global
// flags, which `connectctl help flags` lists once.
const globalFlagsPointer = "Run 'connectctl help flags' for the global flags (-o/--output, --jq,\n" +
	"--columns, -p/--profile, --no-color, ...)."

// newHelpFlagsTopic returns the `connectctl help flags` topic: a command
// with no Run, so cobra lists it under "Additional help topics" and `help
// flags` prints it. The flag table is rendered only when asked for.
func newHelpFlagsTopic(root *cobra.Command) *cobra.Command {
	topic := &cobra.Command{
		Use:   "flags",
		Short: "The global flags every command takes",
		Long: "Every connectctl command takes these flags, before or after its own.\n" +
			"Each can also be set by its environment variable (CONNECTCTL_PROFILE,\n" +
			"CONNECTCTL_OUTPUT, CONNECTCTL_DEBUG, ...; NO_COLOR turns colour off too).",
		Example: cmdutil.Examples(
			"Print JSON and filter it with jq", "connectctl sim list -o json --jq '.[].iccid'",
			"Pick the columns of a table and leave out its header", "connectctl order list --columns id,status --no-headers",
			"Use another profile for one command", "connectctl --profile preprod products list",
		),
	}
	topic.SetHelpFunc(func(c *cobra.Command, _ []string) {
		w := c.OutOrStdout()
		fmt.Fprintf(w, "%s\n\nGlobal flags:\n%s\n\nExamples:\n%s\n", c.Long,
			strings.TrimRight(root.PersistentFlags().FlagUsages(), " \n"), c.Example)
	})
	return topic
}

// usage is the usage part of every command's help: cobra's own layout,
// except that the global flags are not repeated (see globalFlagsPointer),
// the command's own flags are, and help topics are named as `connectctl
// help TOPIC`.
func usage(c *cobra.Command) error {
	var b strings.Builder
	b.WriteString("Usage:")
	if c.Runnable() {
		b.WriteString("\n  " + c.UseLine())
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\n  " + c.CommandPath() + " [command]")
	}
	if len(c.Aliases) > 0 {
		b.WriteString("\n\nAliases:\n  " + c.NameAndAliases())
	}
	if c.HasExample() {
		b.WriteString("\n\nExamples:\n" + c.Example)
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\n\nAvailable Commands:")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				fmt.Fprintf(&b, "\n  %-*s %s", sub.NamePadding(), sub.Name(), sub.Short)
			}
		}
	}
	// The command's own flags: for the root, only --help and --version
	// (its persistent flags are the global ones).
	if own := c.LocalNonPersistentFlags(); own.HasAvailableFlags() {
		b.WriteString("\n\nFlags:\n" + strings.TrimRight(own.FlagUsages(), " \n"))
	}
	if c.HasHelpSubCommands() {
		b.WriteString("\n\nAdditional help topics:")
		for _, sub := range c.Commands() {
			if sub.IsAdditionalHelpTopicCommand() {
				fmt.Fprintf(&b, "\n  %-*s %s", sub.CommandPathPadding()+5, "connectctl help "+sub.Name(), sub.Short)
			}
		}
	}
	b.WriteString("\n\n" + globalFlagsPointer)
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "\n\nUse \"%s [command] --help\" for more information about a command.", c.CommandPath())
	}
	b.WriteString("\n")
	_, err := fmt.Fprint(c.OutOrStderr(), b.String())
	return err
}

// completionExamples gives cobra's completion commands examples like every
// other command's, and marks them instant (cmdutil.MarkInstant).
func completionExamples(root *cobra.Command) {
	ex := map[string]string{
		"bash": cmdutil.Examples(
			"Load completions in this shell", "source <(connectctl completion bash)",
			"Load them in every new shell (Linux)", "connectctl completion bash > /etc/bash_completion.d/connectctl"),
		"zsh": cmdutil.Examples(
			"Load completions in this shell", "source <(connectctl completion zsh)",
			"Load them in every new shell", "connectctl completion zsh > \"${fpath[1]}/_connectctl\""),
		"fish": cmdutil.Examples(
			"Load completions in this shell", "connectctl completion fish | source",
			"Load them in every new shell", "connectctl completion fish > ~/.config/fish/completions/connectctl.fish"),
		"powershell": cmdutil.Examples(
			"Load completions in this session", "connectctl completion powershell | Out-String | Invoke-Expression",
			"Load them in every new session", "connectctl completion powershell >> $PROFILE"),
	}
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		cmdutil.MarkInstant(c) // a script printed from what the binary knows
		for _, sh := range c.Commands() {
			if e, ok := ex[sh.Name()]; ok && sh.Example == "" {
				sh.Example = e
			}
		}
	}
}
