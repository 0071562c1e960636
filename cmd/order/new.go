package order

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/config"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/orderfile"
	"github.com/connectctl/connectctl/internal/output"
	"github.com/connectctl/connectctl/internal/validate"
)

// DeviceTypes are the device types an order takes, in the prompt's order.
var DeviceTypes = []string{"ios", "android", "iot"}

// NewOptions are the inputs of `order new`.
type NewOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (*connect.Client, error)
	Printer func() (*output.Printer, error)
	// Defaults are the profile's defaults (defaults.country,
	// defaults.device-type); nil means none.
	Defaults func() (config.Defaults, error)
	// Edition is the API edition spoken (v1 or 2024); nil means v1.
	Edition func() (string, error)
	Now     func() time.Time

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
	IgnoreChecksum bool
	// The 2024 edition's subscriber address and purchase location, by
	// column name of orderfile.SubscriberColumns.
	Subscriber map[string]*string
	// edition is Edition's answer, set by checkEdition; subscriberOut and
	// locationOut are the checked 2024 fields, set by validate.
	edition       string
	subscriberOut *connect.OrderSubscriber
	locationOut   string

	Plans PlanOptions
	Wait  WaitOptions
	Bulk  BulkOptions
	Journaling
	// Columns: --columns was given, so a table shows a row, not the block.
	Columns bool
}

// NewCmdNew returns `connectctl order new`; runF replaces the run function in tests.
func NewCmdNew(f *factory.Factory, runF func(context.Context, *NewOptions) error) *cobra.Command {
	return newCmdNew(f, &NewOptions{IO: f.IOStreams, Client: f.Client, Printer: f.Printer, Now: time.Now,
		Defaults: func() (config.Defaults, error) {
			s, err := f.Settings()
			if err != nil {
				return config.Defaults{}, err
			}
			return s.Defaults, nil
		},
		Edition: func() (string, error) {
			s, err := f.Settings()
			if err != nil {
				return "", err
			}
			return s.APIEdition, nil
		},
		Journaling: journalingOf(f)}, runF)
}

func newCmdNew(f *factory.Factory, opts *NewOptions, runF func(context.Context, *NewOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		SuggestFor: []string{"create", "add", "place"},
		Use:        "new {--product ID --email EMAIL [--country CC] [--device-type TYPE] | --from-file FILE}",
		Short:      "Order a new eSIM with one or more plans",
		Long: "Order a new eSIM. The order id is printed to stderr the moment the API accepts\n" +
			"the order, before any waiting, so it is never lost. Without --wait the id\n" +
			"also goes to stdout (with -o json: {\"id\", \"status\"}). With --wait the command\n" +
			"follows the order to COMPLETED and shows the activation code, the iPhone\n" +
			"install link and the QR code (with -o json: the order as JSON, the QR code on\n" +
			"stderr with --qr).\n\n" +
			"--country and --device-type default to the profile's defaults.country and\n" +
			"defaults.device-type. With neither --device-type nor a default, the command\n" +
			"asks on a terminal and fails (exit 2) otherwise. --device-id defaults to a\n" +
			"new UUID.\n\n" +
			"The 2024 API edition (--api-edition 2024) also sends the subscriber and the\n" +
			"purchase location: --subscriber-id for a known subscriber, or else\n" +
			"--first-name, --last-name, --email and the address (--address-line1, --city,\n" +
			"--postal-code, --address-country, and --state for US and CA, one of the\n" +
			"document's state and province codes), and --purchase-location (a country\n" +
			"code; US-CA or CA-QC for the US and Canada). The v1 edition has neither:\n" +
			"the address and purchase location flags are refused there (exit 2).\n\n" +
			"Bulk: --from-file FILE orders one eSIM per row of a CSV file whose header row\n" +
			"names the columns after these flags (product, email, country, device-type,\n" +
			"device-id, device-model, device-make, eid, first-name, last-name, residence,\n" +
			"activation-date, price, currency; in the 2024 edition also subscriber-id,\n" +
			"address-line1, address-line2, city, postal-code, state, address-country,\n" +
			"purchase-location), or of a JSON Lines file with the same keys.\n" +
			"A product cell may list several ids separated by spaces. Flags given with\n" +
			"--from-file fill the cells a row leaves empty. Every row is checked before the\n" +
			"first request: a bad row is reported with its line number and nothing is sent\n" +
			"(exit 2), unless --skip-invalid orders the valid rows. Orders go out\n" +
			"--concurrency at a time, paced to the API's rate limit; with --wait each is\n" +
			"followed to the end. One result per row streams to stdout as soon as it is\n" +
			"known (-o table, csv, ndjson, json): row, result, order id, status, ICCID,\n" +
			"activation code, error. Exit 0 when every row succeeded, 5 when some were\n" +
			"refused or FAILED, 6 when some are open (outcome unknown, still pending).\n\n" +
			"Every attempt is written to the order journal (see `connectctl order history`)\n" +
			"before it is sent. Running the same file again skips the rows already ordered,\n" +
			"looks up the rows whose outcome was unknown before ordering them again, and\n" +
			"resumes waiting; --force orders every row again. The journal knows a file by\n" +
			"its absolute path; --batch NAME names it instead (for CI jobs whose checkout\n" +
			"path changes).",
		Example: cmdutil.Examples(
			"Order an eSIM for an iPhone and wait for its QR code", "connectctl order new --product qJ+qU2v/9vFgX3rpyPlEV1CihTo96AWUmsQTIZEn/jI= \\\n    --email ana@example.com --country PT --device-type ios --wait",
			"Keep the order id in a script", "id=$(connectctl order new --product ID --email ana@example.com --country PT --device-type android -o json --jq .id)",
			"Order in the 2024 edition, with the subscriber's address and the purchase location", "connectctl --api-edition 2024 order new --product ID --email ana@example.com --country US --device-type ios \\\n    --first-name Ana --last-name Silva --address-line1 '1 Main St' --city Austin --postal-code 78701 \\\n    --state TX --address-country US --purchase-location US-TX",
			"Order one eSIM per row of a CSV file, results as CSV", "connectctl order new --from-file attendees.csv --country PT --wait -o csv > results.csv",
		),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Columns = len(f.Globals.Output.Columns) > 0
			if err := opts.checkEdition(); err != nil {
				return err
			}
			if err := checkBulkFlags(cmd, &opts.Bulk, perRowFlags); err != nil {
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
				return runBulk(cmd.Context(), opts, cmd)
			}
			if err := opts.validate(cmd.Context()); err != nil {
				return err
			}
			v, err := newView(opts.IO, opts.Printer, opts.Columns, opts.Wait.Display)
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runNew(cmd.Context(), opts, v)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Email, "email", "", "End customer's e-mail (created if unknown)")
	fl.StringVar(&opts.Country, "country", "", "ISO 3166-1 alpha-2 code of the country the order is placed in (default: the profile's defaults.country)")
	fl.StringVar(&opts.DeviceType, "device-type", "", "Device type: ios, android or iot (default: the profile's defaults.device-type)")
	fl.StringVar(&opts.DeviceID, "device-id", "", "Unique device id (default: a new UUID)")
	fl.StringVar(&opts.DeviceModel, "device-model", "", "Device model")
	fl.StringVar(&opts.DeviceMake, "device-make", "", "Device make")
	fl.StringVar(&opts.EID, "eid", "", "Device EID (32 digits; enables push install on iOS)")
	fl.StringVar(&opts.FirstName, "first-name", "", "Customer's first name")
	fl.StringVar(&opts.LastName, "last-name", "", "Customer's last name")
	fl.StringVar(&opts.Residence, "residence", "", "Customer's country of residence (ISO 3166-1 alpha-2)")
	opts.Subscriber = map[string]*string{}
	for _, fd := range []struct{ name, usage string }{
		{"subscriber-id", "2024 edition: id of a known subscriber (else --first-name, --last-name, --email and the address are required)"},
		{"address-line1", "2024 edition: first line of the subscriber's address"},
		{"address-line2", "2024 edition: second line of the subscriber's address"},
		{"city", "2024 edition: city of the subscriber's address"},
		{"postal-code", "2024 edition: postal code of the subscriber's address"},
		{"state", "2024 edition: US state or Canadian province code of the address, e.g. TX, QC (US and CA only)"},
		{"address-country", "2024 edition: ISO 3166-1 alpha-2 country of the subscriber's address"},
		{"purchase-location", "2024 edition: where the eSIM is sold: a country code, e.g. PT; US-TX or CA-QC for the US and Canada"},
	} {
		opts.Subscriber[fd.name] = fl.String(fd.name, "", fd.usage)
	}
	cmdutil.AddIgnoreChecksumFlag(cmd, &opts.IgnoreChecksum)
	opts.Plans.bindFlags(cmd)
	opts.Wait.bindFlags(cmd, true, true)
	opts.Bulk.bindFlags(cmd, "Order one eSIM per row of this CSV or JSON Lines file (- for stdin)")
	return cmd
}

// validate checks every input before anything is sent; the device type
// prompt, if any, comes last so a typo elsewhere costs no answer.
func (o *NewOptions) validate(ctx context.Context) error {
	if err := o.Plans.validate(o.Now()); err != nil {
		return err
	}
	if o.Email == "" {
		return cmdutil.FlagErrorf("--email is required: the end customer's e-mail address")
	}
	email, err := validate.NormalizeEmail(o.Email)
	if err != nil {
		return cmdutil.FlagErrorf("--email: %v", err)
	}
	o.Email = email

	var defaults config.Defaults
	if (o.Country == "" || o.DeviceType == "") && o.Defaults != nil {
		if defaults, err = o.Defaults(); err != nil {
			return err
		}
	}
	switch {
	case o.Country != "":
		if o.Country, err = validate.CountryCode(o.Country); err != nil {
			return cmdutil.FlagErrorf("--country: %v", err)
		}
	case defaults.Country != "":
		if o.Country, err = validate.CountryCode(defaults.Country); err != nil {
			return cmdutil.FlagErrorf("the profile's defaults.country: %v; give --country or fix it with `connectctl profile set defaults.country CC`", err)
		}
	default:
		return cmdutil.FlagErrorf("--country is required: the ISO 3166-1 alpha-2 code of the country the order is placed in, e.g. PT " +
			"(or set a default: connectctl profile set defaults.country PT)")
	}
	if o.DeviceType != "" {
		if o.DeviceType, err = validate.DeviceType(o.DeviceType); err != nil {
			return cmdutil.FlagErrorf("--device-type: %v", err)
		}
	} else if defaults.DeviceType != "" {
		if o.DeviceType, err = validate.DeviceType(defaults.DeviceType); err != nil {
			return cmdutil.FlagErrorf("the profile's defaults.device-type: %v; give --device-type or fix it with `connectctl profile set defaults.device-type ios`", err)
		}
	}
	if o.Residence != "" {
		if o.Residence, err = validate.CountryCode(o.Residence); err != nil {
			return cmdutil.FlagErrorf("--residence: %v", err)
		}
	}
	if o.subscriberOut, o.locationOut, err = o.subscriber(); err != nil {
		return err
	}
	if o.EID != "" {
		// A wrong EID binds the profile to the wrong device: refuse it.
		if o.EID, err = cmdutil.EIDArg(o.IO.ErrOut, "--eid", o.EID, o.IgnoreChecksum); err != nil {
			return err
		}
	}
	if o.DeviceID != "" && (strings.TrimSpace(o.DeviceID) == "" ||
		strings.ContainsFunc(o.DeviceID, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })) {
		return cmdutil.FlagErrorf("--device-id %q: contains white space, want a unique device id such as a UUID", o.DeviceID)
	}
	if err := o.Wait.validate(); err != nil {
		return err
	}
	if o.DeviceType == "" {
		if !o.IO.CanPrompt() {
			return cmdutil.FlagErrorf("--device-type is required: ios, android or iot " +
				"(or set a default: connectctl profile set defaults.device-type ios)")
		}
		if o.DeviceType, err = promptChoice(ctx, o.IO, "--device-type", "Device type of the eSIM's device", DeviceTypes); err != nil {
			return err
		}
	}
	if o.DeviceID == "" {
		o.DeviceID = uuid.NewString()
	}
	return nil
}

// checkEdition learns the edition and refuses the 2024 fields in v1, with
// or without --from-file, before anything else is looked at.
func (o *NewOptions) checkEdition() error {
	o.edition = connect.EditionV1
	if o.Edition != nil {
		e, err := o.Edition()
		if err != nil {
			return err
		}
		if e != "" {
			o.edition = e
		}
	}
	if o.edition == connect.Edition2024 {
		return nil
	}
	for _, col := range orderfile.SubscriberColumns {
		if p := o.Subscriber[col]; p != nil && strings.TrimSpace(*p) != "" {
			return cmdutil.FlagErrorf("--%s %s", col, orderfile.NeedsEdition)
		}
	}
	return nil
}

// subscriber checks the 2024 fields, with the flags' names in messages.
func (o *NewOptions) subscriber() (*connect.OrderSubscriber, string, error) {
	vals := map[string]string{"first-name": strings.TrimSpace(o.FirstName), "last-name": strings.TrimSpace(o.LastName), "email": o.Email}
	for col, p := range o.Subscriber {
		if p != nil {
			vals[col] = strings.TrimSpace(*p)
		}
	}
	sub, loc, probs := orderfile.Subscriber(vals, o.edition)
	if len(probs) > 0 {
		msgs := make([]string, len(probs))
		for i, p := range probs {
			msgs[i] = "--" + p.Field + " " + p.Msg
		}
		return nil, "", cmdutil.FlagErrorf("%s", strings.Join(msgs, "\n"))
	}
	return sub, loc, nil
}

func (o *NewOptions) input() connect.OrderInput {
	return connect.OrderInput{
		OperationType: connect.OperationNewESIM,
		CountryCode:   o.Country,
		Customer: &connect.OrderCustomer{Email: o.Email, FirstName: o.FirstName, LastName: o.LastName,
			CountryOfResidence: o.Residence},
		Device: &connect.OrderDevice{ID: o.DeviceID, Type: o.DeviceType, Model: o.DeviceModel,
			Make: o.DeviceMake, EID: o.EID},
		Subscriptions:    o.Plans.subscriptions(),
		Subscriber:       o.subscriberOut,
		PurchaseLocation: o.locationOut,
	}
}

func runNew(ctx context.Context, o *NewOptions, v *view) error {
	return placeOrder(ctx, o.Client, o.Journaling, v, o.input(), &o.Wait)
}

// placeOrder sends the order, reports its id on stderr at once, and either
// prints the accepted order or follows it to the end.
func placeOrder(ctx context.Context, clientF func() (*connect.Client, error), jl Journaling, v *view, in connect.OrderInput, w *WaitOptions) error {
	client, err := clientF()
	if err != nil {
		return err
	}
	sendCtx, rec := jl.begin(ctx, v.io.ErrOut, in)
	defer rec.close()
	accepted, err := client.CreateOrder(sendCtx, in)
	rec.done(accepted, err)
	if err != nil {
		return fmt.Errorf("order %s: %w", commandName(in), err)
	}
	// Before anything else can go wrong: the id reaches the user.
	fmt.Fprintf(v.io.ErrOut, "Order %s %s. Follow it with: connectctl order wait %s\n",
		accepted.ID, strings.ToLower(accepted.Status), accepted.ID)
	if !w.Wait {
		if v.p.Structured() {
			if err := output.Item(v.p, *accepted, nil); err != nil {
				return &cmdutil.ExitError{Code: cmdutil.ExitOrderPlaced, Err: fmt.Errorf(
					"order %s was placed, but printing it failed (see it with: connectctl order get %s): %w", accepted.ID, accepted.ID, err)}
			}
			return nil
		}
		fmt.Fprintln(v.io.Out, accepted.ID)
		return nil
	}
	return waitAndShow(ctx, v, client, accepted.ID, w, rec.finished)
}

func commandName(in connect.OrderInput) string {
	if in.OperationType == connect.OperationTopUp {
		return "topup"
	}
	return "new"
}
