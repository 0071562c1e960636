// Package alias implements `connectctl alias`: short names for command
// lines, kept in the config file and expanded before the command line is
// parsed.
package alias

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/alias"
	"github.com/connectctl/connectctl/internal/config"
	"github.com/connectctl/connectctl/internal/output"
)

// Short is `connectctl alias`'s summary; the root's help lists it without
// building the command (issue 13).
const Short = "Short names for command lines you type often"

// NewCmdAlias returns `connectctl alias`. isCommand reports whether a word
// is a built-in command, which an alias may not shadow.
func NewCmdAlias(f *factory.Factory, isCommand func(string) bool) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "alias <command>",
		Short: Short,
		Long: "An alias is a short name for a command line, kept in the config file under\n" +
			"`aliases:`. `connectctl NAME ARGS...` runs the alias's command line with ARGS\n" +
			"appended; global flags may come before NAME. A built-in command always wins:\n" +
			"an alias cannot be called like one.",
		Example: cmdutil.Examples(
			"Make `ou` order an iPhone eSIM and wait for it", "connectctl alias set ou 'order new --device-type ios --wait'",
			"List the aliases", "connectctl alias list",
			"Delete an alias", "connectctl alias delete ou",
		),
	}
	cmdutil.GroupArgs(cmd)
	cmd.AddCommand(newCmdSet(f, isCommand))
	cmd.AddCommand(newCmdList(f))
	cmd.AddCommand(newCmdDelete(f))
	return cmd
}

var columns = []output.Column[config.Alias]{
	{Name: "name", Value: func(a config.Alias) string { return a.Name }},
	{Name: "expansion", Value: func(a config.Alias) string { return a.Expansion }},
}

func newCmdSet(f *factory.Factory, isCommand func(string) bool) *cobra.Command {
	var clobber bool
	cmd := &cobra.Command{
		Use:   "set NAME 'COMMAND LINE' [--clobber]",
		Short: "Make NAME run a command line",
		Long: "Make `connectctl NAME ARGS...` run `connectctl COMMAND LINE ARGS...`. Quote the\n" +
			"command line as one argument; it is split as a shell splits words (quotes\n" +
			"and backslashes; no variables or globs) each time the alias runs, and must\n" +
			"start with a built-in command. NAME is lower-case letters, digits, '-' and\n" +
			"'_', and may not be a built-in command (order, sim, sims, help, ...).\n" +
			"Changing an existing alias needs --clobber.",
		Example: cmdutil.Examples(
			"Make `ou` order an iPhone eSIM and wait for it", "connectctl alias set ou 'order new --device-type ios --wait'",
			"Use it; extra arguments are appended", "connectctl ou --product brXJ4UXLbZiiqGph6636YVI-lbQIo5wu5_5-1xzPmkk= --email ana@example.com",
			"The SIMs more than 80 % used", "connectctl alias set hot 'sim usage --all --over 80'",
			"Replace an alias", "connectctl alias set ou 'order new --device-type android --wait' --clobber",
		),
		Args: cmdutil.ExactArgs("NAME", "COMMAND LINE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := f.Printer()
			if err != nil {
				return err
			}
			name, exp := args[0], strings.TrimSpace(args[1])
			if isCommand(name) {
				return cmdutil.FlagErrorf("alias %q: %q is a built-in command, and an alias never shadows one: pick another name", name, name)
			}
			if err := config.CheckAliasName(name); err != nil {
				return cmdutil.FlagErrorf("%v", err)
			}
			words, err := alias.Split(exp)
			if err != nil {
				return cmdutil.FlagErrorf("alias %q: command line %q: %v", name, exp, err)
			}
			if len(words) == 0 {
				return cmdutil.FlagErrorf("alias %q: the command line is empty", name)
			}
			if words[0] == "connectctl" {
				return cmdutil.FlagErrorf("alias %q: leave out `connectctl`: the command line starts with the command, such as 'order new --wait'", name)
			}
			if !isCommand(words[0]) {
				return cmdutil.FlagErrorf("alias %q: the command line must start with a built-in command, not %q (see `connectctl help`)", name, words[0])
			}
			file, err := f.Config()
			if err != nil {
				return err
			}
			old, exists := file.Alias(name)
			if exists && !clobber && old != exp {
				return cmdutil.FlagErrorf("alias %q already runs %q: add --clobber to change it", name, old)
			}
			file.SetAlias(name, exp)
			if err := file.Save(); err != nil {
				return err
			}
			a := config.Alias{Name: name, Expansion: exp}
			if p.Structured() {
				return output.Item(p, a, columns)
			}
			verb := "Added"
			if exists {
				verb = "Changed"
			}
			fmt.Fprintf(f.IOStreams.ErrOut, "%s alias %s: `connectctl %s` runs `connectctl %s`.\n", verb, name, name, exp)
			return nil
		},
	}
	cmd.Flags().BoolVar(&clobber, "clobber", false, "Change an alias that exists")
	return cmd
}

func newCmdList(f *factory.Factory) *cobra.Command {
	return factory.SetColumns(&cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the aliases and the command lines they run",
		Long:    "List the aliases, by name, with the command lines they run. -o json prints\n[{\"name\", \"expansion\"}], [] when there is none.",
		Example: cmdutil.Examples(
			"List the aliases", "connectctl alias list",
			"Only their names", "connectctl alias list -o json --jq '.[].name'",
		),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := factory.PrinterFor(f.Printer, columns)
			if err != nil {
				return err
			}
			file, err := f.Config()
			if err != nil {
				return err
			}
			list := file.Aliases()
			if _, err := output.List(p, cmdutil.Seq(list), columns, 0); err != nil {
				return err
			}
			if len(list) == 0 && !p.Structured() {
				fmt.Fprintln(f.IOStreams.ErrOut, "No aliases; add one with `connectctl alias set NAME 'COMMAND LINE'`.")
			}
			return nil
		},
	}, columns)
}

func newCmdDelete(f *factory.Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "delete NAME",
		Aliases: []string{"rm"},
		Short:   "Remove an alias",
		Example: cmdutil.Examples(
			"Delete an alias", "connectctl alias delete ou",
			"Delete every alias", "connectctl alias list --columns name --no-headers | xargs -n1 connectctl alias delete",
		),
		Args: cmdutil.ExactArgs("NAME"),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			file, err := f.Config()
			if err != nil || len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []string
			for _, a := range file.Aliases() {
				names = append(names, a.Name+"\t"+a.Expansion)
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			file, err := f.Config()
			if err != nil {
				return err
			}
			name := args[0]
			old, ok := file.Alias(name)
			if !ok {
				return cmdutil.FlagErrorf("no alias %q (see `connectctl alias list`)", name)
			}
			file.DeleteAlias(name)
			if err := file.Save(); err != nil {
				return err
			}
			fmt.Fprintf(f.IOStreams.ErrOut, "Deleted alias %s (it ran `connectctl %s`).\n", name, old)
			return nil
		},
	}
}
