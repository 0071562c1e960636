// Package version implements `connectctl version`.
package version

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
)

// NewCmdVersion returns `connectctl version`.
func NewCmdVersion(f *factory.Factory) *cobra.Command {
	return &cobra.Command{
		Use: "version",
		Example: cmdutil.Examples(
			"Show the version, commit, build date and Go version", "connectctl version",
			"Print the version number only", "connectctl --version",
		),
		Short: "Show the version, commit, build date and Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			b := f.Build
			_, err := fmt.Fprintf(f.IOStreams.Out, "connectctl %s\ncommit: %s\nbuilt: %s\ngo: %s %s\n",
				b.Version, orUnknown(b.Commit), orUnknown(b.Date), b.GoVersion, b.Platform)
			return err
		},
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
