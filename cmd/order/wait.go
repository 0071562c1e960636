package order

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/output"
	"github.com/connectctl/connectctl/internal/validate"
)

// maxTransientInARow is how many failed polls in a row a wait survives: one
// 502 from a proxy must not abandon an order that is being fulfilled.
const maxTransientInARow = 3

// WaitOptions are the flags that follow an order and show its result.
type WaitOptions struct {
	Wait         bool
	Timeout      time.Duration
	PollInterval time.Duration
	Display      cmdutil.QRDisplay
}

// bindFlags binds --wait (waitFlag: for commands that may or may not wait),
// --wait-timeout, --poll-interval and, where an activation code can come
// out (qr), --qr, --qr-png and --invert.
func (w *WaitOptions) bindFlags(cmd *cobra.Command, waitFlag, qr bool) {
	fl := cmd.Flags()
	if waitFlag {
		fl.BoolVar(&w.Wait, "wait", false, "Wait until the order is COMPLETED (exit 0) or FAILED (exit 7)")
	}
	fl.DurationVar(&w.Timeout, "wait-timeout", 10*time.Minute, "Give up waiting after this long (exit 8)")
	fl.DurationVar(&w.PollInterval, "poll-interval", 2*time.Second, "Time between two looks at the order")
	if qr {
		w.Display.BindFlags(cmd, true, "qr-png")
	}
}

func (w *WaitOptions) validate() error {
	if w.Timeout <= 0 {
		return cmdutil.FlagErrorf("--wait-timeout %v: want a positive duration such as 10m", w.Timeout)
	}
	if w.PollInterval < 100*time.Millisecond {
		return cmdutil.FlagErrorf("--poll-interval %v: want at least 100ms", w.PollInterval)
	}
	return w.Display.Validate()
}

// waitAndShow polls the order until it is done, then shows it. It keeps the
// order id in every way out: done, failed, timed out, interrupted.
func waitAndShow(ctx context.Context, v *view, client *connect.Client, id string, w *WaitOptions, finished func(*connect.Order)) error {
	io := v.io
	spinner := io.StartSpinner("Waiting for order " + id)
	order, err := poll(ctx, client, id, w, spinner)
	spinner.Stop()
	if err == nil && finished != nil {
		finished(order)
	}
	switch {
	case ctx.Err() != nil:
		fmt.Fprintf(io.ErrOut, "Interrupted. Order %s was placed; resume with: connectctl order wait %s\n", id, id)
		return &cmdutil.ExitError{Code: cmdutil.ExitInterrupted, Silent: true, Err: ctx.Err()}
	case errors.Is(err, errWaitTimeout):
		status := "unknown"
		if order != nil {
			status = order.Status
		}
		msg := fmt.Sprintf("Order %s is still %s after %s; resume with: connectctl order wait %s", id, status, w.Timeout, id)
		if v.p.Structured() {
			// A script keeps the id: the order as it stands on stdout, the
			// error object on stderr.
			shown := connect.Order{ID: id, Status: status}
			if order != nil {
				shown = *order
			}
			if err := output.Item(v.p, shown, Columns()); err != nil {
				return err
			}
			return &cmdutil.ExitError{Code: cmdutil.ExitPending, Err: errors.New(msg)}
		}
		fmt.Fprintln(io.ErrOut, msg)
		return &cmdutil.ExitError{Code: cmdutil.ExitPending, Silent: true, Err: err}
	case err != nil:
		return fmt.Errorf("waiting for order %s (resume with: connectctl order wait %s): %w", id, id, err)
	}
	if err := v.show(order); err != nil {
		// The order exists whatever went wrong in showing it: a code of its
		// own, so a script does not order again.
		return &cmdutil.ExitError{Code: cmdutil.ExitOrderPlaced, Err: fmt.Errorf(
			"order %s is %s, but showing it failed (see it again with: connectctl order get %s): %w",
			id, order.Status, id, err)}
	}
	if order.Status == connect.OrderStatusFailed {
		fmt.Fprintf(io.ErrOut, "Order %s FAILED: %s\n", id, orDash(order.Error))
		return &cmdutil.ExitError{Code: cmdutil.ExitOrderFailed, Silent: true, Err: errors.New("order failed")}
	}
	return nil
}

var errWaitTimeout = errors.New("wait timed out")

func poll(ctx context.Context, client *connect.Client, id string, w *WaitOptions, sp *iostreams.Spinner) (*connect.Order, error) {
	deadline := time.Now().Add(w.Timeout)
	var last *connect.Order
	transient := 0
	for {
		order, err := client.GetOrder(ctx, id)
		switch {
		case err == nil:
			transient = 0
			last = order
			if order.Done() {
				return order, nil
			}
			sp.SetLabel(fmt.Sprintf("Order %s is %s", id, order.Status))
		case ctx.Err() != nil:
			return last, ctx.Err()
		case isTransient(err) && transient < maxTransientInARow:
			transient++
		default:
			return last, err
		}
		if !time.Now().Add(w.PollInterval).Before(deadline) {
			return last, errWaitTimeout
		}
		select {
		case <-ctx.Done():
			return last, ctx.Err()
		case <-time.After(w.PollInterval):
		}
	}
}

func isTransient(err error) bool {
	var ae *connect.APIError
	return errors.As(err, &ae) && ae.Temporary()
}

// GetOptions are the inputs of `order get` and `order wait`.
type GetOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (*connect.Client, error)
	Printer func() (*output.Printer, error)
	ID      string
	Wait    WaitOptions
	// Columns: --columns was given, so a table shows a row, not the block.
	Columns bool
}

// NewCmdGet returns `connectctl order get ORDER_ID`.
func NewCmdGet(f *factory.Factory, runF func(context.Context, *GetOptions) error) *cobra.Command {
	opts := &GetOptions{IO: f.IOStreams, Client: f.Client, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:   "get ORDER_ID",
		Short: "Show an order, and its activation code once COMPLETED",
		Long: "Show an order. Once it is COMPLETED the activation code is shown as text, as\n" +
			"the iPhone install link and, on a terminal or with --qr, as a QR code. With\n" +
			"-o json the order prints as JSON and --qr draws the QR code on stderr.",
		Example: cmdutil.Examples(
			"Show an order and, once it is COMPLETED, its QR code", "connectctl order get 8e2bfcc7-b524-492f-a89e-4a2255dafe44",
			"Save the QR code as a PNG to send to the customer", "connectctl order get 8e2bfcc7-b524-492f-a89e-4a2255dafe44 --qr-png esim.png",
			"Print only the ICCID", "connectctl order get 8e2bfcc7-b524-492f-a89e-4a2255dafe44 --jq .output.iccid",
		),
		Args: cmdutil.ExactArgs("ORDER_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			opts.Columns = len(f.Globals.Output.Columns) > 0
			if err := validateOrderID(opts.ID); err != nil {
				return err
			}
			if err := opts.Wait.Display.Validate(); err != nil {
				return err
			}
			v, err := newView(opts.IO, opts.Printer, opts.Columns, opts.Wait.Display)
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			client, err := opts.Client()
			if err != nil {
				return err
			}
			order, err := client.GetOrder(cmd.Context(), opts.ID)
			if err != nil {
				return fmt.Errorf("order get %s: %w", opts.ID, err)
			}
			return v.show(order)
		},
	}
	opts.Wait.Display.BindFlags(cmd, true, "qr-png")
	return factory.SetColumns(cmd, Columns())
}

// NewCmdWait returns `connectctl order wait ORDER_ID`.
func NewCmdWait(f *factory.Factory, runF func(context.Context, *GetOptions) error) *cobra.Command {
	opts := &GetOptions{IO: f.IOStreams, Client: f.Client, Printer: f.Printer}
	cmd := &cobra.Command{
		Use: "wait ORDER_ID",
		Example: cmdutil.Examples(
			"Follow an order until it is COMPLETED or FAILED", "connectctl order wait 8e2bfcc7-b524-492f-a89e-4a2255dafe44",
			"Give up after two minutes (exit 8)", "connectctl order wait 8e2bfcc7-b524-492f-a89e-4a2255dafe44 --wait-timeout 2m",
			"Wait from a script and keep the ICCID", "iccid=$(connectctl order wait 8e2bfcc7-b524-492f-a89e-4a2255dafe44 --jq .output.iccid)",
		),
		Short: "Wait for an order to finish and show its activation code",
		Long: "Follow an order until it is COMPLETED (exit 0) or FAILED (exit 7); still\n" +
			"pending after --wait-timeout exits 8. Safe to run again at any time.",
		Args: cmdutil.ExactArgs("ORDER_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			opts.Columns = len(f.Globals.Output.Columns) > 0
			if err := validateOrderID(opts.ID); err != nil {
				return err
			}
			if err := opts.Wait.validate(); err != nil {
				return err
			}
			v, err := newView(opts.IO, opts.Printer, opts.Columns, opts.Wait.Display)
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			client, err := opts.Client()
			if err != nil {
				return err
			}
			return waitAndShow(cmd.Context(), v, client, opts.ID, &opts.Wait, nil)
		},
	}
	opts.Wait.bindFlags(cmd, false, true)
	return factory.SetColumns(cmd, Columns())
}

// newView builds the printer and checks --columns, before anything is sent.
func newView(io *iostreams.IOStreams, printer func() (*output.Printer, error), columns bool, d cmdutil.QRDisplay) (*view, error) {
	p, err := factory.PrinterFor(printer, Columns())
	if err != nil {
		return nil, err
	}
	return &view{io: io, p: p, columns: columns, display: d}, nil
}

func validateOrderID(id string) error {
	if !validate.UUID(id) {
		return cmdutil.FlagErrorf("order id %q: want a UUID such as b27ec0e7-ad36-45ab-8e2f-c291441a2355", id)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
