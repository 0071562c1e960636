// Package version implements `connectctl version`.
package version

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
)

// Short is `connectctl version`'s summary; the root's help lists it without
// building the command (issue 13).
const Short = "Show the version, commit, build date and Go version"

// NewCmdVersion returns `connectctl version`.
func NewCmdVersion(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use: "version",
		Example: cmdutil.Examples(
			"Show the version, commit, build date and Go version", "connectctl version",
			"Print the version number only", "connectctl --version",
		),
		Short: Short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			b := f.Build
			_, err := fmt.Fprintf(f.IOStreams.Out, "connectctl %s\ncommit: %s\nbuilt: %s\ngo: %s %s\n",
				b.Version, orUnknown(b.Commit), orUnknown(b.Date), b.GoVersion, b.Platform)
			return err
		},
	}
	cmdutil.MarkInstant(cmd)
	return cmd
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
