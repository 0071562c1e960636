package root

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/internal/alias"
	"github.com/connectctl/connectctl/internal/config"
)

// IsBuiltIn reports whether word names a built-in top-level command (help,
// completion and cobra's __complete included): what an alias may never
// shadow. It reads the table of nouns, so no command needs building.
func IsBuiltIn(word string) bool {
	switch word {
	case "help", "completion", cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd:
		return true
	}
	for _, n := range nouns {
		if n.name == word || slices.Contains(n.aliases, word) {
			return true
		}
	}
	return false
}

// globalTakesValue reports whether a global flag (long name or shorthand)
// takes a value, for finding the command word in args.
func globalTakesValue(root *cobra.Command) func(name string, short bool) bool {
	pf := root.PersistentFlags()
	return func(name string, short bool) bool {
		fl := pf.Lookup(name)
		if short {
			fl = pf.ShorthandLookup(name)
		}
		return fl != nil && fl.NoOptDefVal == ""
	}
}

// ExpandAliases replaces the command word of args (the first word after the
// global flags) by its alias expansion from the config file, the remaining
// args appended, unless it is a built-in command. Shell completion
// (__complete WORDS) completes the expanded line. The config file is read
// only when the command word is not built in, so built-in commands cost
// nothing more.
func ExpandAliases(root *cobra.Command, args []string, env config.Env) ([]string, error) {
	if len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd) {
		rest, err := ExpandAliases(root, args[1:], env)
		if err != nil {
			return args, nil // completion never fails over a broken alias
		}
		return append([]string{args[0]}, rest...), nil
	}
	takesValue := globalTakesValue(root)
	line := alias.Line{
		IsCommand:  IsBuiltIn,
		TakesValue: takesValue,
		Lookup: func(name string) (string, bool, error) {
			path, err := config.PathFor(configFlag(args, takesValue, env))
			if err != nil {
				return "", false, nil // no config directory: no aliases
			}
			file, err := config.Load(path)
			if err != nil {
				return "", false, err
			}
			exp, ok := file.Alias(name)
			return exp, ok, nil
		},
	}
	out, _, err := alias.Expand(args, line)
	if err != nil {
		return nil, &cmdutil.FlagError{Err: err}
	}
	return out, nil
}

// configFlag is the --config value given before the command word, else
// CONNECTCTL_CONFIG.
func configFlag(args []string, takesValue func(string, bool) bool, env config.Env) string {
	end := alias.CommandIndex(args, takesValue)
	if end < 0 {
		end = len(args)
	}
	for i := 0; i < end; i++ {
		if v, ok := strings.CutPrefix(args[i], "--config="); ok {
			return v
		}
		if args[i] == "--config" && i+1 < len(args) {
			return args[i+1]
		}
	}
	if env != nil {
		return env(config.EnvConfig)
	}
	return ""
}
