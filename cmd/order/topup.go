package order

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/output"
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
	Columns        bool
	Journaling
}

// NewCmdTopUp returns `connectctl order topup ICCID`; runF replaces the run function in tests.
func NewCmdTopUp(f *factory.Factory, runF func(context.Context, *TopUpOptions) error) *cobra.Command {
	opts := &TopUpOptions{IO: f.IOStreams, Client: f.Client, Printer: f.Printer, Now: time.Now, Journaling: journalingOf(f)}
	cmd := &cobra.Command{
		Use:   "topup ICCID --product ID [--product ID ...]",
		Short: "Add plans to an existing eSIM",
		Long: "Add plans to an eSIM the customer already has (a TOPUP order). The order id is\n" +
			"printed to stderr the moment the API accepts it. A completed top-up shows the\n" +
			"ICCID and the new subscription; the eSIM keeps its activation code, so there\n" +
			"is no QR code. A SIM holds at most 15 active plans.\n\n" +
			"A wrong ICCID check digit is refused before anything is sent; add\n" +
			"--ignore-checksum if the ICCID is right nonetheless.",
		Example: cmdutil.Examples(
			"Add a plan to an eSIM and wait until it is on", "connectctl order topup 8944478600000205337 --product qJ+qU2v/9vFgX3rpyPlEV1CihTo96AWUmsQTIZEn/jI= --wait",
			"Add two plans in one order", "connectctl order topup 8944478600000205337 --product \"$PLAN_A\" --product \"$PLAN_B\"",
		),
		Args: cmdutil.ExactArgs("ICCID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Columns = len(f.Globals.Output.Columns) > 0
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
	return cmd
}

func (o *TopUpOptions) input() connect.OrderInput {
	return connect.OrderInput{
		OperationType: connect.OperationTopUp,
		ESIM:          &connect.OrderESIM{ICCID: o.ICCID},
		Subscriptions: o.Plans.subscriptions(),
	}
}
