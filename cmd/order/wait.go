package order

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
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
	Display      DisplayOptions
}

func (w *WaitOptions) bindFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	if cmd.Name() == "new" {
		fl.BoolVar(&w.Wait, "wait", false, "Wait until the order is COMPLETED or FAILED")
	}
	fl.DurationVar(&w.Timeout, "wait-timeout", 10*time.Minute, "Give up waiting after this long (exit 8)")
	fl.DurationVar(&w.PollInterval, "poll-interval", 2*time.Second, "Time between two looks at the order")
	w.Display.bindFlags(cmd)
}

func (w *WaitOptions) validate() error {
	if w.Timeout <= 0 {
		return cmdutil.FlagErrorf("--wait-timeout %v: want a positive duration such as 10m", w.Timeout)
	}
	if w.PollInterval < 100*time.Millisecond {
		return cmdutil.FlagErrorf("--poll-interval %v: want at least 100ms", w.PollInterval)
	}
	return w.Display.validate()
}

// waitAndShow polls the order until it is done, then shows it. It keeps the
// order id in every way out: done, failed, timed out, interrupted.
func waitAndShow(ctx context.Context, io *iostreams.IOStreams, client *connect.Client, id string, w *WaitOptions) error {
	spinner := io.StartSpinner("Waiting for order " + id)
	order, err := poll(ctx, client, id, w, spinner)
	spinner.Stop()
	switch {
	case ctx.Err() != nil:
		fmt.Fprintf(io.ErrOut, "Interrupted. Order %s was placed; resume with: connectctl order wait %s\n", id, id)
		return &cmdutil.ExitError{Code: cmdutil.ExitInterrupted, Silent: true, Err: ctx.Err()}
	case errors.Is(err, errWaitTimeout):
		status := "unknown"
		if order != nil {
			status = order.Status
		}
		fmt.Fprintf(io.ErrOut, "Order %s is still %s after %s; resume with: connectctl order wait %s\n",
			id, status, w.Timeout, id)
		return &cmdutil.ExitError{Code: cmdutil.ExitPending, Silent: true, Err: err}
	case err != nil:
		return fmt.Errorf("waiting for order %s (resume with: connectctl order wait %s): %w", id, id, err)
	}
	if err := show(io, order, &w.Display); err != nil {
		return err
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
	IO     *iostreams.IOStreams
	Client func() (*connect.Client, error)
	ID     string
	Wait   WaitOptions
}

// NewCmdGet returns `connectctl order get ORDER_ID`.
func NewCmdGet(f *factory.Factory, runF func(context.Context, *GetOptions) error) *cobra.Command {
	opts := &GetOptions{IO: f.IOStreams, Client: f.Client}
	cmd := &cobra.Command{
		Use:   "get ORDER_ID",
		Short: "Show an order, and its activation code once COMPLETED",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if err := validateOrderID(opts.ID); err != nil {
				return err
			}
			if err := opts.Wait.Display.validate(); err != nil {
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
				return fmt.Errorf("order get: %w", err)
			}
			return show(opts.IO, order, &opts.Wait.Display)
		},
	}
	opts.Wait.Display.bindFlags(cmd)
	return cmd
}

// NewCmdWait returns `connectctl order wait ORDER_ID`.
func NewCmdWait(f *factory.Factory, runF func(context.Context, *GetOptions) error) *cobra.Command {
	opts := &GetOptions{IO: f.IOStreams, Client: f.Client}
	cmd := &cobra.Command{
		Use:   "wait ORDER_ID",
		Short: "Wait for an order to finish and show its activation code",
		Long: "Follow an order until it is COMPLETED (exit 0) or FAILED (exit 7); still\n" +
			"pending after --wait-timeout exits 8. Safe to run again at any time.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if err := validateOrderID(opts.ID); err != nil {
				return err
			}
			if err := opts.Wait.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			client, err := opts.Client()
			if err != nil {
				return err
			}
			return waitAndShow(cmd.Context(), opts.IO, client, opts.ID, &opts.Wait)
		},
	}
	opts.Wait.bindFlags(cmd)
	return cmd
}

func validateOrderID(id string) error {
	if !validate.UUID(id) {
		return cmdutil.FlagErrorf("order id %q: want a UUID such as b27ec0e7-ad36-45ab-8e2f-c291441a2355", id)
	}
	return nil
}

func jsonNumber(s string) json.Number { return json.Number(s) }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
