// Package webhook implements `connectctl webhook`: the notification webhooks
// the API calls for a SIM (USAGE_THRESHOLD at 80 % of a plan's data,
// SUBSCRIPTION_END when a plan ends).
package webhook

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/output"
	"github.com/connectctl/connectctl/internal/validate"
)

// Short is `connectctl webhook`'s summary; the root's help lists it without
// building the command (issue 13).
const Short = "Manage the notification webhooks of a SIM"

// NewCmdWebhook returns `connectctl webhook`. It is a parent command: other
// subcommands (webhook listen) are added next to these.
func NewCmdWebhook(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "webhook <command>",
		Short: Short,
		Long: "Manage the webhooks the Connect API calls for a SIM: usage (USAGE_THRESHOLD,\n" +
			"sent when a plan has used 80 % of its data) and end (SUBSCRIPTION_END, sent when\n" +
			"a plan expires or runs out of data).",
	}
	cmd.AddCommand(NewCmdList(f, nil))
	cmd.AddCommand(NewCmdRegister(f, nil))
	cmd.AddCommand(NewCmdUnregister(f, nil))
	cmd.AddCommand(NewCmdListen(f, nil))
	return cmd
}

// Columns are the table columns of `webhook list`.
var Columns = []output.Column[connect.NotificationPreference]{
	{Name: "type", Value: func(n connect.NotificationPreference) string { return n.Type }},
	{Name: "webhook_url", Aliases: []string{"url"}, Value: func(n connect.NotificationPreference) string { return n.WebhookURL }},
}

// typeFlagHelp is the help of --type.
const typeFlagHelp = "Notification type: usage (USAGE_THRESHOLD) or end (SUBSCRIPTION_END)"

func completeTypes(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return []string{"usage\tUSAGE_THRESHOLD: 80 % of a plan's data used",
		"end\tSUBSCRIPTION_END: a plan expired or ran out of data",
		validate.NotificationUsageThreshold, validate.NotificationSubscriptionEnd}, cobra.ShellCompDirectiveNoFileComp
}

// iccidArg checks the one ICCID argument.
func iccidArg(io *iostreams.IOStreams, args []string, use string, changesState, ignoreChecksum bool) (string, error) {
	switch len(args) {
	case 0:
		return "", cmdutil.FlagErrorf("ICCID is required: connectctl webhook %s", use)
	case 1:
		return cmdutil.ICCIDArg(io.ErrOut, "ICCID", args[0], changesState, ignoreChecksum)
	default:
		return "", cmdutil.FlagErrorf("too many arguments %q: want one ICCID (connectctl webhook %s)", args, use)
	}
}

// typeFlag checks --type and returns the API name.
func typeFlag(v string) (string, error) {
	if strings.TrimSpace(v) == "" {
		return "", cmdutil.FlagErrorf("--type is required: usage (USAGE_THRESHOLD) or end (SUBSCRIPTION_END)")
	}
	t, err := validate.NotificationType(v)
	if err != nil {
		return "", cmdutil.FlagErrorf("--type %q: want usage (USAGE_THRESHOLD) or end (SUBSCRIPTION_END)", v)
	}
	return t, nil
}

// ---- list ---------------------------------------------------------------

// ListOptions are the inputs of `webhook list`.
type ListOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (*connect.Client, error)
	Printer func() (*output.Printer, error)

	ICCID string
}

// NewCmdList returns `connectctl webhook list`; runF replaces the run function in tests.
func NewCmdList(f *factory.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IOStreams, Client: f.Client, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:   "list ICCID",
		Short: "Show the webhooks registered for a SIM",
		Long: "Show the webhooks registered for a SIM: TYPE and URL. With -o json the answer is\n" +
			"the SIM's notification preferences, {\"notifications\": [{\"type\", \"webhook_url\"}]}.",
		Example: cmdutil.Examples(
			"Show the webhooks of a SIM", "connectctl webhook list 8944478600001000018",
			"Print them as the API's notification preferences", "connectctl webhook list 8944478600001000018 -o json",
		),
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			iccid, err := iccidArg(opts.IO, args, "list ICCID", false, false)
			if err != nil {
				return err
			}
			opts.ICCID = iccid
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runList(cmd.Context(), opts)
		},
	}
	return factory.SetColumns(cmd, Columns)
}

func runList(ctx context.Context, o *ListOptions) error {
	p, err := factory.PrinterFor(o.Printer, Columns)
	if err != nil {
		return err
	}
	client, err := o.Client()
	if err != nil {
		return err
	}
	prefs, err := client.GetSIMPreferences(ctx, o.ICCID)
	if err != nil {
		return fmt.Errorf("webhook list: %w", err)
	}
	if prefs.Notifications == nil {
		prefs.Notifications = []connect.NotificationPreference{}
	}
	// -o json, yaml, --jq and --template see the preferences object (the
	// shape docs/json.md documents); tables and NDJSON one webhook a row.
	if p.Structured() && p.Format() != output.NDJSON {
		return output.Item(p, prefs, nil)
	}
	_, err = output.List(p, cmdutil.Seq(prefs.Notifications), Columns, 0)
	return err
}

// ---- register -----------------------------------------------------------

// RegisterOptions are the inputs of `webhook register`.
type RegisterOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (*connect.Client, error)
	Printer func() (*output.Printer, error)

	ICCID          string
	Type           string
	URL            string
	IgnoreChecksum bool
}

// Registration is what `webhook register -o json` prints.
type Registration struct {
	ICCID      string `json:"iccid"`
	Type       string `json:"type"`
	WebhookURL string `json:"webhook_url"`
}

// NewCmdRegister returns `connectctl webhook register`; runF replaces the run function in tests.
func NewCmdRegister(f *factory.Factory, runF func(context.Context, *RegisterOptions) error) *cobra.Command {
	opts := &RegisterOptions{IO: f.IOStreams, Client: f.Client, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:   "register ICCID --type usage|end --url URL",
		Short: "Register the webhook of one notification type for a SIM",
		Long: "Register the URL the API POSTs a notification type to for a SIM, replacing any\n" +
			"URL registered for that type. The URL must be https (http only to this machine).\n" +
			"The API signs nothing: protect the receiver, e.g. with a secret path token.",
		Example: cmdutil.Examples(
			"Send a SIM's 80 % usage alerts to your receiver", "connectctl webhook register 8944478600001000018 --type usage --url https://hooks.example.com/esim/s3cr3t",
			"Send its end-of-plan notices there too", "connectctl webhook register 8944478600001000018 --type end --url https://hooks.example.com/esim/s3cr3t",
		),
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			iccid, err := iccidArg(opts.IO, args, "register ICCID --type usage|end --url URL", true, opts.IgnoreChecksum)
			if err != nil {
				return err
			}
			opts.ICCID = iccid
			if opts.Type, err = typeFlag(opts.Type); err != nil {
				return err
			}
			if strings.TrimSpace(opts.URL) == "" {
				return cmdutil.FlagErrorf("--url is required: the https:// URL the API will POST notifications to")
			}
			opts.URL = strings.TrimSpace(opts.URL)
			if err := validate.WebhookURL(opts.URL); err != nil {
				return cmdutil.FlagErrorf("--url: %v", err)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runRegister(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Type, "type", "", typeFlagHelp)
	fl.StringVar(&opts.URL, "url", "", "The https:// URL the API will POST notifications to")
	cmdutil.AddIgnoreChecksumFlag(cmd, &opts.IgnoreChecksum)
	_ = cmd.RegisterFlagCompletionFunc("type", completeTypes)
	return cmd
}

func runRegister(ctx context.Context, o *RegisterOptions) error {
	p, err := o.Printer()
	if err != nil {
		return err
	}
	client, err := o.Client()
	if err != nil {
		return err
	}
	if err := client.RegisterNotification(ctx, o.ICCID, o.Type, o.URL); err != nil {
		return fmt.Errorf("webhook register: %w", err)
	}
	if p.Structured() {
		return output.Item(p, Registration{ICCID: o.ICCID, Type: o.Type, WebhookURL: o.URL}, nil)
	}
	fmt.Fprintf(o.IO.ErrOut, "Registered the %s webhook of SIM %s: %s\n", o.Type, o.ICCID, o.URL)
	return nil
}

// ---- unregister ---------------------------------------------------------

// UnregisterOptions are the inputs of `webhook unregister`.
type UnregisterOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (*connect.Client, error)
	Printer func() (*output.Printer, error)

	ICCID          string
	Type           string
	IgnoreChecksum bool
}

// NewCmdUnregister returns `connectctl webhook unregister`; runF replaces the run function in tests.
func NewCmdUnregister(f *factory.Factory, runF func(context.Context, *UnregisterOptions) error) *cobra.Command {
	opts := &UnregisterOptions{IO: f.IOStreams, Client: f.Client, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:   "unregister ICCID --type usage|end",
		Short: "Remove the webhook of one notification type from a SIM",
		Long: "Remove the webhook of one notification type from a SIM. Removing a type that has\n" +
			"no webhook is not an error.",
		Example: cmdutil.Examples(
			"Stop a SIM's end-of-plan notices", "connectctl webhook unregister 8944478600001000018 --type end",
			"Stop its usage alerts", "connectctl webhook unregister 8944478600001000018 --type usage",
		),
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			iccid, err := iccidArg(opts.IO, args, "unregister ICCID --type usage|end", true, opts.IgnoreChecksum)
			if err != nil {
				return err
			}
			opts.ICCID = iccid
			if opts.Type, err = typeFlag(opts.Type); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runUnregister(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Type, "type", "", typeFlagHelp)
	cmdutil.AddIgnoreChecksumFlag(cmd, &opts.IgnoreChecksum)
	_ = cmd.RegisterFlagCompletionFunc("type", completeTypes)
	return cmd
}

func runUnregister(ctx context.Context, o *UnregisterOptions) error {
	if _, err := o.Printer(); err != nil {
		return err // a bad -o, --jq or --template is a usage error even here
	}
	client, err := o.Client()
	if err != nil {
		return err
	}
	// The API answers a DELETE of a type that was never registered as a
	// success: look first, so the user learns that nothing was there.
	prefs, err := client.GetSIMPreferences(ctx, o.ICCID)
	if err != nil {
		return fmt.Errorf("webhook unregister: %w", err)
	}
	var url string
	var others []string
	for _, n := range prefs.Notifications {
		if connect.NormalizeNotificationType(n.Type) == connect.NormalizeNotificationType(o.Type) {
			url = n.WebhookURL
		} else {
			others = append(others, n.Type)
		}
	}
	if url == "" {
		registered := "none"
		if len(others) > 0 {
			registered = strings.Join(others, ", ")
		}
		return &cmdutil.ExitError{Code: cmdutil.ExitNotFound, Err: fmt.Errorf(
			"webhook unregister: SIM %s has no %s webhook registered (registered: %s); nothing was changed", o.ICCID, o.Type, registered)}
	}
	if err := client.UnregisterNotification(ctx, o.ICCID, o.Type); err != nil {
		return fmt.Errorf("webhook unregister: %w", err)
	}
	fmt.Fprintf(o.IO.ErrOut, "Unregistered the %s webhook of SIM %s (it went to %s)\n", o.Type, o.ICCID, url)
	return nil
}
