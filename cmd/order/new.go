package order

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/validate"
)

// NewOptions are the inputs of `order new`.
type NewOptions struct {
	IO     *iostreams.IOStreams
	Client func() (*connect.Client, error)
	Now    func() time.Time

	Products       []string
	Email          string
	Country        string
	DeviceType     string
	DeviceID       string
	DeviceModel    string
	DeviceMake     string
	EID            string
	FirstName      string
	LastName       string
	Residence      string
	ActivationDate string
	Price          string
	Currency       string

	Wait WaitOptions
}

// NewCmdNew returns `connectctl order new`; runF replaces the run function in tests.
func NewCmdNew(f *factory.Factory, runF func(context.Context, *NewOptions) error) *cobra.Command {
	opts := &NewOptions{IO: f.IOStreams, Client: f.Client, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "new --product ID --email EMAIL --country CC --device-type TYPE",
		Short: "Order a new eSIM with one or more plans",
		Long: "Order a new eSIM. The order id is printed to stderr the moment the API accepts\n" +
			"the order, before any waiting, so it is never lost. With --wait the command\n" +
			"follows the order to COMPLETED and shows the activation code and its QR code.",
		Example: "  connectctl order new --product qJ+qU2v/9vFgX3rpyPlEV1CihTo96AWUmsQTIZEn/jI= \\\n" +
			"    --email ana@example.com --country PT --device-type ios --wait",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runNew(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.Products, "product", nil, "Product id to order (repeatable)")
	fl.StringVar(&opts.Email, "email", "", "End customer's e-mail (created if unknown)")
	fl.StringVar(&opts.Country, "country", "", "ISO 3166-1 alpha-2 code of the country the order is placed in")
	fl.StringVar(&opts.DeviceType, "device-type", "", "Device type: ios, android or iot")
	fl.StringVar(&opts.DeviceID, "device-id", "", "Unique device id (default: a new UUID)")
	fl.StringVar(&opts.DeviceModel, "device-model", "", "Device model")
	fl.StringVar(&opts.DeviceMake, "device-make", "", "Device make")
	fl.StringVar(&opts.EID, "eid", "", "Device EID (32 digits; enables push install on iOS)")
	fl.StringVar(&opts.FirstName, "first-name", "", "Customer's first name")
	fl.StringVar(&opts.LastName, "last-name", "", "Customer's last name")
	fl.StringVar(&opts.Residence, "residence", "", "Customer's country of residence (ISO 3166-1 alpha-2)")
	fl.StringVar(&opts.ActivationDate, "activation-date", "", "Activate the plans at this RFC 3339 time (not in the past)")
	fl.StringVar(&opts.Price, "price", "", "Price charged to the customer, e.g. 10.99 (with --currency)")
	fl.StringVar(&opts.Currency, "currency", "", "Currency of --price, e.g. EUR")
	opts.Wait.bindFlags(cmd)
	return cmd
}

func (o *NewOptions) validate() error {
	if len(o.Products) == 0 {
		return cmdutil.FlagErrorf("--product is required: name at least one product id (see `connectctl products list`)")
	}
	for _, p := range o.Products {
		if strings.TrimSpace(p) == "" {
			return cmdutil.FlagErrorf("--product %q: want a product id", p)
		}
	}
	if o.Email == "" {
		return cmdutil.FlagErrorf("--email is required: the end customer's e-mail address")
	}
	email, err := validate.NormalizeEmail(o.Email)
	if err != nil {
		return cmdutil.FlagErrorf("--email: %v", err)
	}
	o.Email = email
	if o.Country == "" {
		return cmdutil.FlagErrorf("--country is required: the ISO 3166-1 alpha-2 code of the country the order is placed in, e.g. PT")
	}
	if o.Country, err = validate.CountryCode(o.Country); err != nil {
		return cmdutil.FlagErrorf("--country: %v", err)
	}
	if o.DeviceType == "" {
		return cmdutil.FlagErrorf("--device-type is required: ios, android or iot")
	}
	if o.DeviceType, err = validate.DeviceType(o.DeviceType); err != nil {
		return cmdutil.FlagErrorf("--device-type: %v", err)
	}
	if o.Residence != "" {
		if o.Residence, err = validate.CountryCode(o.Residence); err != nil {
			return cmdutil.FlagErrorf("--residence: %v", err)
		}
	}
	if o.EID != "" {
		// A wrong EID binds the profile to the wrong device: refuse it.
		if o.EID, err = validate.EID(o.EID); err != nil {
			return cmdutil.FlagErrorf("--eid: %v", err)
		}
	}
	if o.ActivationDate != "" {
		if _, err := validate.ActivationDate(o.ActivationDate, o.Now()); err != nil {
			return cmdutil.FlagErrorf("--activation-date: %v", err)
		}
	}
	if (o.Price == "") != (o.Currency == "") {
		return cmdutil.FlagErrorf("--price and --currency go together: give both (e.g. --price 10.99 --currency EUR) or neither")
	}
	if o.Price != "" {
		amount, err := validate.ParseAmount(o.Price, o.Currency)
		if err != nil {
			return cmdutil.FlagErrorf("--price %s --currency %s: %v", o.Price, o.Currency, err)
		}
		o.Price, o.Currency = amount.Major().String(), amount.Currency
	}
	if o.DeviceID == "" {
		o.DeviceID = uuid.NewString()
	}
	return o.Wait.validate()
}

func (o *NewOptions) input() connect.OrderInput {
	in := connect.OrderInput{
		OperationType: "NEW_ESIM",
		CountryCode:   o.Country,
		Customer: &connect.OrderCustomer{Email: o.Email, FirstName: o.FirstName, LastName: o.LastName,
			CountryOfResidence: o.Residence},
		Device: &connect.OrderDevice{ID: o.DeviceID, Type: o.DeviceType, Model: o.DeviceModel,
			Make: o.DeviceMake, EID: o.EID},
	}
	var activation time.Time
	if o.ActivationDate != "" {
		activation, _ = time.Parse(time.RFC3339, o.ActivationDate)
	}
	for _, p := range o.Products {
		sub := connect.OrderSubscription{ProductID: p, ActivationDate: activation}
		if o.Price != "" {
			sub.Price, sub.Currency = jsonNumber(o.Price), o.Currency
		}
		in.Subscriptions = append(in.Subscriptions, sub)
	}
	return in
}

func runNew(ctx context.Context, o *NewOptions) error {
	client, err := o.Client()
	if err != nil {
		return err
	}
	accepted, err := client.CreateOrder(ctx, o.input())
	if err != nil {
		return fmt.Errorf("order new: %w", err)
	}
	// Before anything else can go wrong: the id reaches the user.
	fmt.Fprintf(o.IO.ErrOut, "Order %s %s. Follow it with: connectctl order wait %s\n",
		accepted.ID, strings.ToLower(accepted.Status), accepted.ID)
	if !o.Wait.Wait {
		fmt.Fprintln(o.IO.Out, accepted.ID)
		return nil
	}
	return waitAndShow(ctx, o.IO, client, accepted.ID, &o.Wait)
}
