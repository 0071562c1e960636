// Package cmd wires the Cobra command tree and turns errors into the exit
// codes of the command surface.
package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/cmd/root"
	"github.com/connectctl/connectctl/internal/config"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/interrupt"
	"github.com/connectctl/connectctl/internal/validate"
)

// Main runs the CLI and returns the process exit code.
func Main() int {
	f := factory.New()
	// Ctrl-C cancels ctx from the moment a command starts work (the root's
	// PersistentPreRunE); version and help never pay for the watch.
	interrupts := interrupt.New(context.Background())
	defer interrupts.Stop()
	f.WatchInterrupts = interrupts.Watch
	ctx := interrupts.Context()

	// Aliases (`connectctl alias set`) are expanded before Cobra parses.
	rootCmd, args, err := root.NewCmdRootFor(f, os.Args[1:])
	if err == nil {
		rootCmd.SetArgs(args)
		err = rootCmd.ExecuteContext(ctx)
	}
	if err == nil {
		return cmdutil.ExitOK
	}
	err = withSandboxHint(f, err)
	code := cmdutil.ExitCodeFor(err)
	if ctx.Err() != nil {
		code = cmdutil.ExitInterrupted
	}
	var ee *cmdutil.ExitError
	if !(errors.As(err, &ee) && ee.Silent) {
		if ctx.Err() != nil && err.Error() == context.Canceled.Error() {
			// Ctrl-C at a prompt or before a request: nothing more to say,
			// and "context canceled" is Go's word for it, not the user's.
			err = errors.New("interrupted")
		}
		// Printed even on Ctrl-C: an interrupted order's "outcome unknown"
		// message is what tells the user how to find it.
		fmt.Fprintln(f.IOStreams.ErrOut, "error:", err)
		if f.Globals.Output.Format != "" && f.Globals.Output.Format != "table" {
			// Scripts reading JSON get the error as JSON too (cli.md).
			writeJSONError(f.IOStreams.ErrOut, err, code)
		}
	}
	return code
}

// withSandboxHint adds how to start the sandbox to a failure to reach a
// sandbox profile's server: there, "cannot connect" nearly always means
// `sandbox serve` is not running.
func withSandboxHint(f *factory.Factory, err error) error {
	s := f.ResolvedSettings()
	if s == nil || cmdutil.ExitCodeFor(err) != cmdutil.ExitServer || !cmdutil.IsNetworkFailure(err) {
		return err
	}
	u, perr := url.Parse(s.Profile.BaseURL)
	switch {
	case s.Profile.Name == config.DefaultProfile:
		return fmt.Errorf("%w\nis the sandbox running? start it with: connectctl sandbox serve", err)
	case perr == nil && validate.IsLoopbackHost(u.Hostname()):
		return fmt.Errorf("%w\nif profile %q is a sandbox, start it with: connectctl sandbox serve --addr %s", err, s.Profile.Name, u.Host)
	}
	return err
}

// jsonError is the error object of cli.md, printed to stderr with -o json.
type jsonError struct {
	Error struct {
		Status   int      `json:"status"`
		Type     string   `json:"type,omitempty"`
		Title    string   `json:"title,omitempty"`
		Codes    []string `json:"codes,omitempty"`
		Messages []string `json:"messages"`
		// Errors are the API's error entries as given (RFC 7807 errors with
		// code, detail and json_path; v1 codes with messages), so a script
		// can point at the field that was refused.
		Errors         []connect.ErrorDetail `json:"errors,omitempty"`
		CorrelationID  string                `json:"correlation_id,omitempty"`
		OutcomeUnknown bool                  `json:"outcome_unknown,omitempty"`
		ExitCode       int                   `json:"exit_code"`
	} `json:"error"`
}

// writeJSONError writes err as cli.md's error object; code is the process's
// exit code.
func writeJSONError(w io.Writer, err error, code int) {
	var je jsonError
	je.Error.ExitCode = code
	var ae *connect.APIError
	if errors.As(err, &ae) {
		je.Error.Status = ae.Status
		je.Error.Type = ae.Type
		je.Error.Title = ae.Title
		je.Error.Errors = ae.Details
		je.Error.Codes = ae.Codes
		je.Error.Messages = ae.Messages
		je.Error.CorrelationID = ae.CorrelationID
		je.Error.OutcomeUnknown = ae.OutcomeUnknown
	}
	var sc cmdutil.StatusCoder
	if je.Error.Status == 0 && errors.As(err, &sc) {
		je.Error.Status = sc.HTTPStatus()
	}
	if len(je.Error.Messages) == 0 {
		je.Error.Messages = []string{err.Error()}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(je)
}
