package cmd

import (
	"regexp"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/cmd/root"
)

// pflag takes the first `backquoted` word of a flag's usage as the name of
// its value ("--product connectctl products list"): a backquote in a usage
// text is allowed only around an upper-case placeholder (`FILE`).
var placeholder = regexp.MustCompile("^[A-Z][A-Z0-9_:=.-]*$")

func TestFlagUsageHasNoAccidentalValueName(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		check := func(fl *pflag.Flag) {
			name, usage := pflag.UnquoteUsage(fl)
			if name != "" && usage != fl.Usage && !placeholder.MatchString(name) {
				t.Errorf("%s --%s: usage %q makes %q its value name; drop the backquotes", c.CommandPath(), fl.Name, fl.Usage, name)
			}
		}
		c.LocalFlags().VisitAll(check)
		c.PersistentFlags().VisitAll(check)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root.NewCmdRoot(factory.New()))
}
