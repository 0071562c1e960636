// Package cmd wires the Cobra command tree and turns errors into the exit
// codes of the command surface.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/cmd/root"
)

// Main runs the CLI and returns the process exit code.
func Main() int {
	f := factory.New()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	rootCmd := root.NewCmdRoot(f)
	err := rootCmd.ExecuteContext(ctx)
	if err == nil {
		return cmdutil.ExitOK
	}
	var ee *cmdutil.ExitError
	if !(errors.As(err, &ee) && ee.Silent) {
		// Printed even on Ctrl-C: an interrupted order's "outcome unknown"
		// message is what tells the user how to find it.
		fmt.Fprintln(f.IOStreams.ErrOut, "error:", err)
	}
	if ctx.Err() != nil {
		return cmdutil.ExitInterrupted
	}
	return cmdutil.ExitCodeFor(err)
}
