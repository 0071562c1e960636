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
	"github.com/connectctl/connectctl/internal/orderfile"
	"github.com/connectctl/connectctl/internal/output"
	"github.com/connectctl/connectctl/internal/validate"
)

// TopUpOptions are the inputs of `order topup`.
type TopUpOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (*connect.Client, error)
	Printer func() (*output.Printer, error)
	Now     func() time.Time

	ICCID          string
	IgnoreChecksum bool
	Plans          PlanOptions
	Wait           WaitOptions
	Bulk           BulkOptions
	Columns        bool
	Journaling
}

// NewCmdTopUp returns `connectctl order topup ICCID`; runF replaces the run function in tests.
func NewCmdTopUp(f *factory.Factory, runF func(context.Context, *TopUpOptions) error) *cobra.Command {
	return newCmdTopUp(f, &TopUpOptions{IO: f.IOStreams, Client: f.Client, Printer: f.Printer, Now: time.Now, Journaling: journalingOf(f)}, runF)
}

func newCmdTopUp(f *factory.Factory, opts *TopUpOptions, runF func(context.Context, *TopUpOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "topup {ICCID --product ID [--product ID ...] | --from-file FILE}",
		Short: "Add plans to an existing eSIM",
		Long: "Add plans to an eSIM the customer already has (a TOPUP order). The order id is\n" +
			"printed to stderr the moment the API accepts it. A completed top-up shows the\n" +
			"ICCID and the new subscription; the eSIM keeps its activation code, so there\n" +
			"is no QR code. A SIM holds at most 15 active plans.\n\n" +
			"A wrong ICCID check digit is refused before anything is sent; add\n" +
			"--ignore-checksum if the ICCID is right nonetheless.\n\n" +
			"Bulk: --from-file FILE tops up one eSIM per row of a CSV file whose header row\n" +
			"names the columns (iccid, product, activation-date, price, currency), or of a\n" +
			"JSON Lines file with the same keys. Each row is one TOPUP order; a product cell\n" +
			"may list several ids separated by spaces (a JSON array in JSON Lines), all\n" +
			"added by that order. --product, --activation-date, --price and --currency fill\n" +
			"the cells a row leaves empty. Every row is checked before the first request\n" +
			"(ICCID and check digit, products, price): a bad row is reported with its line\n" +
			"number and nothing is sent (exit 2), unless --skip-invalid tops up the valid\n" +
			"rows. Top-ups go out --concurrency at a time, paced to the API's rate limit,\n" +
			"and --wait follows each to the end. One result per row streams to stdout: row,\n" +
			"result, ICCID, order id, status, new subscriptions, error. Exit 0 when every\n" +
			"row succeeded, 5 when some were refused or FAILED, 6 when some are open.\n\n" +
			"Every attempt is written to the order journal before it is sent. Running the\n" +
			"same file again skips the rows already topped up and looks up the rows whose\n" +
			"outcome was unknown (a TOPUP order of that SIM for those products) before\n" +
			"sending them again; --force tops up every row again; --batch NAME names the\n" +
			"file in the journal. See docs/bulk.md.",
		Example: cmdutil.Examples(
			"Add a plan to an eSIM and wait until it is on", "connectctl order topup 8944478600000205337 --product qJ+qU2v/9vFgX3rpyPlEV1CihTo96AWUmsQTIZEn/jI= --wait",
			"Add two plans in one order", "connectctl order topup 8944478600000205337 --product \"$PLAN_A\" --product \"$PLAN_B\"",
			"Top up every SIM listed in a CSV file (iccid column) with one plan", "connectctl order topup --from-file sims.csv --product \"$PLAN_A\" --wait -o csv > topups.csv",
		),
		Args: func(cmd *cobra.Command, args []string) error {
			if opts.Bulk.File != "" {
				if len(args) > 0 {
					return cmdutil.FlagErrorf("ICCID %q does not go with --from-file: put an iccid column in the file", args[0])
				}
				return nil
			}
			return cmdutil.ExactArgs("ICCID")(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Columns = len(f.Globals.Output.Columns) > 0
			if err := checkBulkFlags(cmd, &opts.Bulk, nil); err != nil {
				return err
			}
			if opts.Bulk.File != "" {
				if err := opts.Wait.validate(); err != nil {
					return err
				}
				if runF != nil {
					return runF(cmd.Context(), opts)
				}
				f.Retry = bulkRetry(f.Retry)
				return runBulkTopUp(cmd.Context(), opts, cmd)
			}
			var err error
			if opts.ICCID, err = cmdutil.ICCIDArg(opts.IO.ErrOut, "ICCID", args[0], true, opts.IgnoreChecksum); err != nil {
				return err
			}
			if err := opts.Plans.validate(opts.Now()); err != nil {
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
			return placeOrder(cmd.Context(), opts.Client, opts.Journaling, v, opts.input(), &opts.Wait)
		},
	}
	cmdutil.AddIgnoreChecksumFlag(cmd, &opts.IgnoreChecksum)
	opts.Plans.bindFlags(cmd)
	opts.Wait.bindFlags(cmd, true, false)
	opts.Bulk.bindFlags(cmd, "Top up one eSIM per row of this CSV or JSON Lines file (- for stdin)")
	return cmd
}

// runBulkTopUp places one TOPUP order per row of the file.
func runBulkTopUp(ctx context.Context, o *TopUpOptions, cmd *cobra.Command) error {
	now := o.Now()
	defaults := flagDefaults(cmd, topUpDefaultFlags, o.Plans.Products)
	// The defaults checked as a row: an iccid they cannot have is the rows' business.
	_, errs := orderfile.CheckTopUp(defaults, orderfile.Row{}, now, o.IgnoreChecksum)
	if err := defaultsError(defaults, errs); err != nil {
		return err
	}
	return (&bulkJob{io: o.IO, opts: &o.Bulk, wait: &o.Wait, now: o.Now, printer: o.Printer, client: o.Client, jl: o.Journaling,
		command: "order topup --from-file", kind: orderfile.TopUp, columns: TopUpResultColumns(),
		check: func(row orderfile.Row) (connect.OrderInput, []orderfile.RowError) {
			in, errs := orderfile.CheckTopUp(row, defaults, now, o.IgnoreChecksum)
			if _, err := validate.ICCID(row.Fields["iccid"]); len(errs) == 0 && errors.Is(err, validate.ErrChecksum) {
				// As `order topup ICCID --ignore-checksum` says it.
				fmt.Fprintf(o.IO.ErrOut, "warning: line %d: iccid: %v; sending it anyway (--%s)\n", row.Line, err, cmdutil.IgnoreChecksumFlag)
			}
			return in, errs
		}}).run(ctx)
}

func (o *TopUpOptions) input() connect.OrderInput {
	return connect.OrderInput{
		OperationType: connect.OperationTopUp,
		ESIM:          &connect.OrderESIM{ICCID: o.ICCID},
		Subscriptions: o.Plans.subscriptions(),
	}
}
