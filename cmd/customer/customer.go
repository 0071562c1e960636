// Package customer implements `connectctl customer`: the end-customer
// records of ACCOUNT_MANAGER clients.
package customer

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/output"
	"github.com/connectctl/connectctl/internal/validate"
)

// Short is `connectctl customer`'s summary; the root's help lists it without
// building the command (issue 13).
const Short = "Read and change end-customer records (ACCOUNT_MANAGER clients)"

// NewCmdCustomer returns `connectctl customer`.
func NewCmdCustomer(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "customer <command>",
		Short: Short,
		Long: "Read, create and change the end-customer records of the account. Only clients\n" +
			"with the ACCOUNT_MANAGER role may: a RESELLER client gets 403 (exit 3).",
	}
	cmd.AddCommand(NewCmdGet(f, nil), NewCmdCreate(f, nil), NewCmdUpdate(f, nil))
	return cmd
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Columns are the fields of a customer, named by their JSON keys.
var Columns = []output.Column[connect.Customer]{
	{Name: "id", Value: func(c connect.Customer) string { return c.ID }},
	{Name: "email", Value: func(c connect.Customer) string { return c.Email }},
	{Name: "firstName", Value: func(c connect.Customer) string { return c.FirstName }},
	{Name: "lastName", Value: func(c connect.Customer) string { return c.LastName }},
	{Name: "countryOfResidence", Value: func(c connect.Customer) string { return c.CountryOfResidence }},
	{Name: "createdDate", Kind: output.KindTime, Value: func(c connect.Customer) string { return timeText(c.CreatedDate) }},
	{Name: "lastModifiedDate", Kind: output.KindTime, Value: func(c connect.Customer) string { return timeText(c.UpdatedDate) }},
}

// Options are the inputs of the customer commands.
type Options struct {
	IO      *iostreams.IOStreams
	Client  func() (*connect.Client, error)
	Printer *output.Printer

	ID    string
	Email string
	// The fields to set; nil means not given.
	FirstName, LastName, Country, NewEmail *string
}

func idArg(args []string, use string) (string, error) {
	if len(args) != 1 {
		return "", cmdutil.FlagErrorf("want one customer id: connectctl customer %s", use)
	}
	id := strings.TrimSpace(args[0])
	if id == "" || strings.ContainsAny(id, " \t\n/?#") {
		return "", cmdutil.FlagErrorf("customer id %q: want the id the API gave (no spaces or slashes)", args[0])
	}
	return id, nil
}

func email(flag, v string) (string, error) {
	e, err := validate.NormalizeEmail(v)
	if err != nil {
		return "", cmdutil.FlagErrorf("%s: %v", flag, err)
	}
	return e, nil
}

// bindFields adds --first-name, --last-name and --country; only flags given
// are sent.
func bindFields(cmd *cobra.Command, o *Options) func() error {
	var first, last, country string
	fl := cmd.Flags()
	fl.StringVar(&first, "first-name", "", "The customer's first name")
	fl.StringVar(&last, "last-name", "", "The customer's last name")
	fl.StringVar(&country, "country", "", "Country of residence (ISO 3166-1 alpha-2, e.g. PT)")
	return func() error {
		if fl.Changed("first-name") {
			v := strings.TrimSpace(first)
			o.FirstName = &v
		}
		if fl.Changed("last-name") {
			v := strings.TrimSpace(last)
			o.LastName = &v
		}
		if fl.Changed("country") {
			cc, err := validate.CountryCode(country)
			if err != nil {
				return cmdutil.FlagErrorf("--country: %v", err)
			}
			o.Country = &cc
		}
		return nil
	}
}

func prepare(f *factory.Factory, o *Options) error {
	p, err := factory.PrinterFor(f.Printer, Columns)
	if err != nil {
		return err
	}
	o.Printer = p
	return nil
}

func show(o *Options, c *connect.Customer) error { return output.Item(o.Printer, *c, Columns) }

// NewCmdGet returns `connectctl customer get`.
func NewCmdGet(f *factory.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	o := &Options{IO: f.IOStreams, Client: f.Client}
	cmd := &cobra.Command{
		Use:   "get (ID | --email EMAIL)",
		Short: "Show a customer, by id or by e-mail",
		Example: cmdutil.Examples(
			"Show a customer", "connectctl customer get 3f6a1c2e-8d4b-4c1a-9e2f-5b7d9a0c1e23",
			"Find one by e-mail", "connectctl customer get --email ana@example.com",
			"Print only the id", "connectctl customer get --email ana@example.com --jq .id",
		),
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			switch {
			case o.Email != "" && len(args) > 0:
				return cmdutil.FlagErrorf("give a customer id or --email, not both")
			case o.Email != "" || cmd.Flags().Changed("email"):
				if o.Email, err = email("--email", o.Email); err != nil {
					return err
				}
			default:
				if o.ID, err = idArg(args, "get ID"); err != nil {
					return err
				}
			}
			if err := prepare(f, o); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runGet(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.Email, "email", "", "Find the customer with this e-mail")
	return factory.SetColumns(cmd, Columns)
}

func runGet(ctx context.Context, o *Options) error {
	client, err := o.Client()
	if err != nil {
		return err
	}
	var c *connect.Customer
	if o.Email != "" {
		c, err = client.FindCustomerByEmail(ctx, o.Email)
	} else {
		c, err = client.GetCustomer(ctx, o.ID)
	}
	if err != nil {
		return fmt.Errorf("customer get: %w", err)
	}
	if c == nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitNotFound, Err: fmt.Errorf("customer get: no customer with e-mail %s", o.Email)}
	}
	return show(o, c)
}

// NewCmdCreate returns `connectctl customer create`.
func NewCmdCreate(f *factory.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	o := &Options{IO: f.IOStreams, Client: f.Client}
	cmd := &cobra.Command{
		Use:   "create --email EMAIL [--first-name N] [--last-name N] [--country CC]",
		Short: "Create a customer record",
		Example: cmdutil.Examples(
			"Create a customer", "connectctl customer create --email ana@example.com --first-name Ana --last-name Silva --country PT",
			"Create one and keep its id", "id=$(connectctl customer create --email bo@example.com --jq .id)",
		),
		Args: cmdutil.NoArgs,
	}
	fields := bindFields(cmd, o)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if !cmd.Flags().Changed("email") {
			return cmdutil.FlagErrorf("--email is required")
		}
		var err error
		if o.Email, err = email("--email", o.Email); err != nil {
			return err
		}
		if err := fields(); err != nil {
			return err
		}
		if err := prepare(f, o); err != nil {
			return err
		}
		if runF != nil {
			return runF(cmd.Context(), o)
		}
		return runCreate(cmd.Context(), o)
	}
	cmd.Flags().StringVar(&o.Email, "email", "", "The customer's e-mail (required)")
	return factory.SetColumns(cmd, Columns)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func runCreate(ctx context.Context, o *Options) error {
	client, err := o.Client()
	if err != nil {
		return err
	}
	c, err := client.CreateCustomer(ctx, connect.CustomerInput{Email: o.Email, FirstName: deref(o.FirstName),
		LastName: deref(o.LastName), CountryOfResidence: deref(o.Country)})
	if err != nil {
		return fmt.Errorf("customer create: %w", err)
	}
	fmt.Fprintf(o.IO.ErrOut, "Created customer %s (%s)\n", c.ID, c.Email)
	return show(o, c)
}

// NewCmdUpdate returns `connectctl customer update`.
func NewCmdUpdate(f *factory.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	o := &Options{IO: f.IOStreams, Client: f.Client}
	var newEmail string
	cmd := &cobra.Command{
		Use:   "update ID [--email E] [--first-name N] [--last-name N] [--country CC]",
		Short: "Change fields of a customer; only the flags given are sent",
		Example: cmdutil.Examples(
			"Correct a customer's name", "connectctl customer update 3f6a1c2e-8d4b-4c1a-9e2f-5b7d9a0c1e23 --first-name Ana --last-name Sousa",
			"Move them to another country", "connectctl customer update 3f6a1c2e-8d4b-4c1a-9e2f-5b7d9a0c1e23 --country ES",
		),
		Args: cobra.ArbitraryArgs,
	}
	fields := bindFields(cmd, o)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var err error
		if o.ID, err = idArg(args, "update ID"); err != nil {
			return err
		}
		if cmd.Flags().Changed("email") {
			e, err := email("--email", newEmail)
			if err != nil {
				return err
			}
			o.NewEmail = &e
		}
		if err := fields(); err != nil {
			return err
		}
		if o.NewEmail == nil && o.FirstName == nil && o.LastName == nil && o.Country == nil {
			return cmdutil.FlagErrorf("nothing to change: give --email, --first-name, --last-name or --country")
		}
		if err := prepare(f, o); err != nil {
			return err
		}
		if runF != nil {
			return runF(cmd.Context(), o)
		}
		return runUpdate(cmd.Context(), o)
	}
	cmd.Flags().StringVar(&newEmail, "email", "", "The customer's new e-mail")
	return factory.SetColumns(cmd, Columns)
}

func runUpdate(ctx context.Context, o *Options) error {
	client, err := o.Client()
	if err != nil {
		return err
	}
	c, err := client.UpdateCustomer(ctx, o.ID, connect.CustomerUpdate{Email: o.NewEmail, FirstName: o.FirstName,
		LastName: o.LastName, CountryOfResidence: o.Country})
	if err != nil {
		return fmt.Errorf("customer update: %w", err)
	}
	if c == nil { // the API answered without the record: read it back
		if c, err = client.GetCustomer(ctx, o.ID); err != nil {
			return fmt.Errorf("customer update: updated, but reading it back failed: %w", err)
		}
	}
	fmt.Fprintf(o.IO.ErrOut, "Updated customer %s\n", c.ID)
	return show(o, c)
}
