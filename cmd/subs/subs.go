// Package subs implements `connectctl subs`: subscriptions (plans) across
// every SIM: list them with the API's filters, show one, activate a
// future-dated one now.
package subs

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/output"
	"github.com/connectctl/connectctl/internal/validate"
)

// Short is `connectctl subs`'s summary; the root's help lists it without
// building the command (issue 13).
const Short = "List, show and activate subscriptions (plans on SIMs)"

// NewCmdSubs returns `connectctl subs`.
func NewCmdSubs(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "subs <command>",
		Aliases: []string{"subscriptions"},
		Short:   Short,
	}
	cmdutil.GroupArgs(cmd)
	cmd.AddCommand(NewCmdList(f, nil))
	cmd.AddCommand(NewCmdGet(f, nil))
	cmd.AddCommand(NewCmdActivate(f, nil))
	return cmd
}

// ListOptions are the inputs of `subs list`.
type ListOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (*connect.Client, error)
	Printer *output.Printer
	Now     func() time.Time

	ICCID   string
	Email   string
	Product string
	Range   cmdutil.TimeRange
	Limit   cmdutil.ListLimit

	query connect.SubscriptionsQuery
}

// NewCmdList returns `connectctl subs list`; runF replaces the run function in tests.
func NewCmdList(f *factory.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IOStreams, Client: f.Client, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "list [--iccid I] [--email E] [--product ID] [--since T] [--until T] [--limit N | --all]",
		Short: "List subscriptions across all SIMs, oldest first",
		Long: "List subscriptions across all SIMs, oldest first, filtered as the API allows.\n" +
			"--since and --until (or the API's names --after and --before) compare the\n" +
			"subscription's creation time; they take an RFC 3339 time (fractions of a\n" +
			"second kept), a date (2025-01-01, midnight local time) or a duration back\n" +
			"from now (48h, 7d).\n" +
			"Shows the first 30 unless --limit or --all says otherwise; tables show sizes\n" +
			"for people (1.2 GB), -o json byte counts.",
		Example: cmdutil.Examples(
			"List the subscriptions of one SIM", "connectctl subs list --iccid 8944478600000205337",
			"Export a customer's subscriptions since a date as JSON lines", "connectctl subs list --email ana@example.com --since 2025-01-01 --all -o ndjson",
			"List the subscriptions created in the last week", "connectctl subs list --since 7d",
		),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Printer, err = factory.PrinterFor(f.Printer, Columns(true)); err != nil {
				return err
			}
			if err := opts.validate(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runList(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.ICCID, "iccid", "", "Only the subscriptions of this SIM")
	fl.StringVar(&opts.Email, "email", "", "Only the subscriptions of this end customer's e-mail")
	fl.StringVar(&opts.Product, "product", "", "Only the subscriptions of this product id")
	opts.Range.Bind(cmd, "subscriptions", true)
	opts.Limit.BindFlags(cmd, "subscriptions")
	return factory.SetColumns(cmd, Columns(true))
}

func (o *ListOptions) validate(cmd *cobra.Command) error {
	q := &o.query
	var err error
	// A filter given empty (--email "$UNSET_VAR") would silently list
	// everything: refuse it.
	for _, name := range []string{"iccid", "email", "product", "since", "until", "after", "before"} {
		if fl := cmd.Flags().Lookup(name); fl.Changed && strings.TrimSpace(fl.Value.String()) == "" {
			return cmdutil.FlagErrorf("--%s %q: empty; give a value or leave the flag out", name, fl.Value.String())
		}
	}
	if o.ICCID != "" {
		// Read-only: a wrong check digit is only warned about.
		if q.ICCID, err = cmdutil.ICCIDArg(o.IO.ErrOut, "--iccid", o.ICCID, false, false); err != nil {
			return err
		}
	}
	if o.Email != "" {
		if q.Email, err = validate.NormalizeEmail(o.Email); err != nil {
			return cmdutil.FlagErrorf("--email: %v", err)
		}
	}
	if o.Product != "" {
		if err := OpaqueID("--product", "a product id (see `connectctl products list`)", o.Product); err != nil {
			return err
		}
		q.ProductID = o.Product
	}
	if err := o.Range.Parse(cmd, o.Now(), nil); err != nil {
		return err
	}
	q.After, q.Before = o.Range.From, o.Range.To
	return o.Limit.Validate()
}

// OpaqueID checks an id the API defines as opaque (product and subscription
// ids: base64 of either alphabet). It is sent unchanged, so only what no id
// can hold is refused: nothing at all, white space, control characters.
func OpaqueID(what, want, id string) error {
	if strings.TrimSpace(id) == "" {
		return cmdutil.FlagErrorf("%s %q: empty; want %s", what, id, want)
	}
	if strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return cmdutil.FlagErrorf("%s %q: holds white space or control characters; want %s, copied whole", what, id, want)
	}
	return nil
}

func runList(ctx context.Context, o *ListOptions) error {
	client, err := o.Client()
	if err != nil {
		return err
	}
	more := false
	seq := cmdutil.Take(client.ListSubscriptions(ctx, o.query), o.Limit.N(), &more)
	if _, err := output.List(o.Printer, seq, Columns(true), 0); err != nil {
		return fmt.Errorf("subs list: %w", err)
	}
	cmdutil.NoteMore(o.IO.ErrOut, more, o.Limit.N(), "subscriptions")
	return nil
}

// GetOptions are the inputs of `subs get` and `subs activate`.
type GetOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (*connect.Client, error)
	Printer *output.Printer
	ID      string
}

const subscriptionIDWant = "a subscription id as `connectctl subs list` shows it"

// dashIDNote tells how to pass an id that starts with '-': base64url ids
// can, and the shell parser would take it for a flag.
const dashIDNote = "An id that starts with '-' goes after --, as in:\n" +
	"  connectctl subs get -- -92myr-Ect_IiGaEp2HFsEvKk9uSBs9HjGauvaVu9e8="

// newGetLike builds a command on one subscription (subs get, subs
// activate): its SUBSCRIPTION_ID argument and printer are checked before
// runF, or else run, is called.
func newGetLike(f *factory.Factory, use, short, long, example string, runF, run func(context.Context, *GetOptions) error) *cobra.Command {
	opts := &GetOptions{IO: f.IOStreams, Client: f.Client}
	if runF == nil {
		runF = run
	}
	return factory.SetColumns(&cobra.Command{
		Use:     use,
		Short:   short,
		Long:    long + "\n\n" + dashIDNote,
		Example: example,
		Args:    cmdutil.ExactArgs("SUBSCRIPTION_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Printer, err = factory.PrinterFor(f.Printer, Columns(true)); err != nil {
				return err
			}
			opts.ID = args[0]
			if err := OpaqueID("SUBSCRIPTION_ID", subscriptionIDWant, opts.ID); err != nil {
				return err
			}
			return runF(cmd.Context(), opts)
		},
	}, Columns(true))
}

// NewCmdGet returns `connectctl subs get SUBSCRIPTION_ID`.
func NewCmdGet(f *factory.Factory, runF func(context.Context, *GetOptions) error) *cobra.Command {
	return newGetLike(f, "get SUBSCRIPTION_ID", "Show a subscription: product, status, balance, dates",
		"Show a subscription. Tables show sizes for people (1.2 GB); -o json shows\n"+
			"initialBalance and spentBalance as byte counts.",
		cmdutil.Examples(
			"Show a subscription: product, status, balance, dates", "connectctl subs get Zk3pQ9vX2mL8nR4tY6wB1cD5eF7gH0jK_aS-uV3oI2E=",
			"Print the bytes it has left", "connectctl subs get Zk3pQ9vX2mL8nR4tY6wB1cD5eF7gH0jK_aS-uV3oI2E= --jq '.initialBalance - .spentBalance'",
			"Show one whose id starts with '-'", "connectctl subs get -- -92myr-Ect_IiGaEp2HFsEvKk9uSBs9HjGauvaVu9e8=",
		), runF, runGet)
}

func runGet(ctx context.Context, o *GetOptions) error {
	client, err := o.Client()
	if err != nil {
		return err
	}
	s, err := client.GetSubscription(ctx, o.ID)
	if err != nil {
		return fmt.Errorf("subs get: %w", err)
	}
	return output.Item(o.Printer, *s, Columns(true))
}

// NewCmdActivate returns `connectctl subs activate SUBSCRIPTION_ID`.
func NewCmdActivate(f *factory.Factory, runF func(context.Context, *GetOptions) error) *cobra.Command {
	return newGetLike(f, "activate SUBSCRIPTION_ID", "Activate a future-dated (PENDING) subscription now",
		"Activate a PENDING subscription now instead of at its activation date; its\n"+
			"validity period starts now. Only a PENDING subscription can be activated:\n"+
			"any other is refused by the API (exit 5). Prints the activated subscription.",
		cmdutil.Examples(
			"Start a PENDING plan now", "connectctl subs activate Zk3pQ9vX2mL8nR4tY6wB1cD5eF7gH0jK_aS-uV3oI2E=",
			"Activate one whose id starts with '-'", "connectctl subs activate -- -92myr-Ect_IiGaEp2HFsEvKk9uSBs9HjGauvaVu9e8=",
		), runF, runActivate)
}

func runActivate(ctx context.Context, o *GetOptions) error {
	client, err := o.Client()
	if err != nil {
		return err
	}
	s, err := client.ActivateSubscription(ctx, o.ID)
	if err != nil {
		return fmt.Errorf("subs activate: %w", err)
	}
	if s == nil {
		// The API may answer without the subscription: read it back.
		if s, err = client.GetSubscription(ctx, o.ID); err != nil {
			return fmt.Errorf("subs activate: activated, but reading it back failed: %w", err)
		}
	}
	fmt.Fprintf(o.IO.ErrOut, "Subscription %s is %s", s.ID, s.Status)
	if !s.ExpirationDate.IsZero() {
		fmt.Fprintf(o.IO.ErrOut, " until %s", FormatTime(s.ExpirationDate))
	}
	fmt.Fprintln(o.IO.ErrOut, ".")
	return output.Item(o.Printer, *s, Columns(true))
}
