package factory

import (
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/internal/output"
)

// Printer returns the printer for the global output flags. A bad format, jq
// expression or template is a usage error (exit 2), found before any request.
// Root's pre-run builds it to check the flags; the command then gets the same
// one rather than compiling --jq and --template again, unless the options
// changed in between.
func (f *Factory) Printer() (*output.Printer, error) {
	if f.printer != nil && reflect.DeepEqual(f.printerFor, f.Globals.Output) {
		return f.printer, nil
	}
	p, err := output.New(f.IOStreams, f.Globals.Output)
	var ie *output.InputError
	if errors.As(err, &ie) {
		return nil, &cmdutil.FlagError{Err: err}
	}
	if err != nil {
		return nil, err
	}
	f.printer = p
	f.printerFor = f.Globals.Output
	f.printerFor.Columns = slices.Clone(f.Globals.Output.Columns)
	return p, nil
}

// CheckColumns wraps output.CheckColumns as a usage error.
func CheckColumns[T any](p *output.Printer, cols []output.Column[T]) error {
	if err := output.CheckColumns(p, cols); err != nil {
		return &cmdutil.FlagError{Err: err}
	}
	return nil
}

// PrinterFor returns the printer from newPrinter (Factory.Printer, or an
// options struct's Printer field) with --columns checked against cols: what
// a command does before anything is sent.
func PrinterFor[T any](newPrinter func() (*output.Printer, error), cols []output.Column[T]) (*output.Printer, error) {
	p, err := newPrinter()
	if err != nil {
		return nil, err
	}
	if err := CheckColumns(p, cols); err != nil {
		return nil, err
	}
	return p, nil
}

// ColumnsAnnotation is the cobra annotation listing a command's --columns
// names (comma-separated), for shell completion of the global flag.
const ColumnsAnnotation = "connectctl/columns"

// SetColumns records cols' names on cmd under ColumnsAnnotation.
func SetColumns[T any](cmd *cobra.Command, cols []output.Column[T]) *cobra.Command {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[ColumnsAnnotation] = strings.Join(output.ColumnNames(cols), ",")
	return cmd
}

// KeyValues prints one item as a detail view (output.Details: "LABEL:
// value" lines, on a terminal and in a pipe alike); -o json|yaml, --jq and
// --template get the item as data. w must be the printer's stdout.
func KeyValues[T any](_ io.Writer, p *output.Printer, item T, cols []output.Column[T]) error {
	return output.Item(p, item, cols)
}
