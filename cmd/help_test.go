package cmd

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/cmd/root"
	"github.com/connectctl/connectctl/internal/iostreams"
)

// walkRunnable calls fn on every runnable, visible command of the tree
// except cobra's own (completion, help).
func walkRunnable(c *cobra.Command, fn func(*cobra.Command)) {
	if c.Hidden || c.Name() == cobra.ShellCompRequestCmd || c.Name() == cobra.ShellCompNoDescRequestCmd {
		return
	}
	if c.Runnable() && !c.HasSubCommands() {
		fn(c)
	}
	for _, sub := range c.Commands() {
		walkRunnable(sub, fn)
	}
}

// exampleCount counts the examples of a command's Example: a "# comment"
// line followed by the command, gh style.
func exampleCount(ex string) (n int, bad []string) {
	lines := strings.Split(strings.TrimRight(ex, "\n"), "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if !strings.HasPrefix(l, "  ") {
			bad = append(bad, l)
			continue
		}
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "# ") {
			if i+1 >= len(lines) || strings.TrimSpace(lines[i+1]) == "" || strings.HasPrefix(strings.TrimSpace(lines[i+1]), "#") {
				bad = append(bad, l+" (a comment with no command after it)")
			}
			continue
		}
		if i == 0 || !strings.HasPrefix(strings.TrimSpace(lines[i-1]), "#") {
			// a continuation of the command above (a second command, a
			// backslash continuation, a heredoc line) is not a new example
			continue
		}
		n++
	}
	return n, bad
}

// Every runnable command teaches by 2 to 4 examples, gh style: a comment
// line saying what it does, then the command, both indented two spaces.
func TestEveryRunnableCommandHasExamples(t *testing.T) {
	var walked int
	walkRunnable(root.NewCmdRoot(factory.New()), func(c *cobra.Command) {
		walked++
		if c.Example == "" {
			t.Errorf("%s: no Example", c.CommandPath())
			return
		}
		n, bad := exampleCount(c.Example)
		for _, l := range bad {
			t.Errorf("%s: example line %q: want a two-space indent and a # comment before each command", c.CommandPath(), l)
		}
		if n < 2 || n > 4 {
			t.Errorf("%s: %d examples; want 2 to 4", c.CommandPath(), n)
		}
		if !strings.Contains(c.Example, "connectctl ") {
			t.Errorf("%s: no example runs connectctl", c.CommandPath())
		}
	})
	if walked < 20 {
		t.Fatalf("walked only %d runnable commands", walked)
	}
}

func TestExampleCount(t *testing.T) {
	for _, tc := range []struct {
		ex   string
		want int
		bad  int
	}{
		{"  # a\n  connectctl a\n\n  # b\n  connectctl b", 2, 0},
		{"  # a\n  connectctl a\n  connectctl a2\n", 1, 0},
		{"connectctl a", 0, 1},
		{"  # a\n\n  connectctl a", 0, 1},
	} {
		n, bad := exampleCount(tc.ex)
		if n != tc.want || len(bad) != tc.bad {
			t.Errorf("exampleCount(%q) = %d, %q; want %d, %d bad", tc.ex, n, bad, tc.want, tc.bad)
		}
	}
}

// helpOf runs `connectctl <args> --help` in memory and returns stdout.
func helpOf(t *testing.T, args ...string) string {
	t.Helper()
	f := factory.New()
	ios, _, out, _ := iostreams.Test()
	f.IOStreams = ios
	c := root.NewCmdRoot(f)
	c.SetArgs(args)
	if err := c.Execute(); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return out.String()
}

// The global flags are listed once, under `connectctl help flags`; a
// subcommand's help points there instead of repeating them.
func TestSubcommandHelpDoesNotRepeatGlobalFlags(t *testing.T) {
	globals := root.NewCmdRoot(factory.New()).PersistentFlags()
	walkRunnable(root.NewCmdRoot(factory.New()), func(c *cobra.Command) {
		args := append(strings.Fields(strings.TrimPrefix(c.CommandPath(), "connectctl")), "--help")
		help := helpOf(t, args...)
		if strings.Contains(help, "Global Flags") {
			t.Errorf("%s --help lists the global flags:\n%s", c.CommandPath(), help)
		}
		globals.VisitAll(func(fl *pflag.Flag) {
			// A flag's usage line, as the help prints it, is what is not
			// repeated; an example may well use the flag.
			if c.LocalNonPersistentFlags().Lookup(fl.Name) == nil && strings.Contains(help, fl.Usage) {
				t.Errorf("%s --help lists the global --%s", c.CommandPath(), fl.Name)
			}
		})
		if !strings.Contains(help, "connectctl help flags") {
			t.Errorf("%s --help does not point at `connectctl help flags`", c.CommandPath())
		}
	})
	flags := helpOf(t, "help", "flags")
	globals.VisitAll(func(fl *pflag.Flag) {
		if !strings.Contains(flags, "--"+fl.Name) {
			t.Errorf("connectctl help flags: no --%s", fl.Name)
		}
	})
}
