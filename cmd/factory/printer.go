package factory

import (
	"errors"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/internal/output"
)

// Printer returns the printer for the global output flags. A bad format, jq
// expression or template is a usage error (exit 2), found before any request.
func (f *Factory) Printer() (*output.Printer, error) {
	p, err := output.New(f.IOStreams, f.Globals.Output)
	var ie *output.InputError
	if errors.As(err, &ie) {
		return nil, &cmdutil.FlagError{Err: err}
	}
	return p, err
}

// CheckColumns wraps output.CheckColumns as a usage error.
func CheckColumns[T any](p *output.Printer, cols []output.Column[T]) error {
	if err := output.CheckColumns(p, cols); err != nil {
		return &cmdutil.FlagError{Err: err}
	}
	return nil
}
