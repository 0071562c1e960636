package webhook

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/validate"
	"github.com/connectctl/connectctl/internal/webhook"
)

// ListenOptions are the inputs of `webhook listen`.
type ListenOptions struct {
	IO          *iostreams.IOStreams
	Addr        string
	AllowRemote bool
	ForwardTo   string

	// Ready, if set, is called with the full listener URL once it accepts
	// connections (tests).
	Ready func(url string)
}

// NewCmdListen returns `connectctl webhook listen`; runF replaces the run function in tests.
func NewCmdListen(f *factory.Factory, runF func(context.Context, *ListenOptions) error) *cobra.Command {
	opts := &ListenOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "listen [--addr 127.0.0.1:8787] [--forward-to URL]",
		Short: "Receive notifications on a local HTTP endpoint",
		Long: "Serve a local HTTP endpoint for the API's notifications until interrupted.\n\n" +
			"At start it prints its URL on stderr: http://ADDR/TOKEN, where TOKEN is a fresh\n" +
			"random secret, since the API signs nothing and only whoever holds the URL may\n" +
			"post. Register that URL with `connectctl webhook register`.\n\n" +
			"Each valid notification is printed on stdout as one JSON line\n" +
			"{\"id\",\"type\",\"iccid\",\"subscription_id\",\"threshold\"} and answered 204; a\n" +
			"retried id is answered but not printed again. Anything else is refused: 404 on\n" +
			"another path, 405 for another method, 413 over 64 KiB, 400 when the body is not\n" +
			"a notification. Logs go to stderr.\n\n" +
			"--forward-to relays each event (POST, JSON) to a URL in the background and logs\n" +
			"the relay's status.",
		Example: cmdutil.Examples(
			"Receive notifications on this machine and print them", "connectctl webhook listen",
			"Listen on a free port and relay each event to your service", "connectctl webhook listen --addr 127.0.0.1:0 --forward-to https://hooks.example.com/esim",
			"Print the ICCID of every plan that ends", "connectctl webhook listen | jq -r 'select(.type == \"SUBSCRIPTION_END\") | .iccid'",
		),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runListen(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Addr, "addr", "127.0.0.1:8787", "Address to listen on (port 0 picks a free one)")
	fl.BoolVar(&opts.AllowRemote, "allow-remote", false, "Allow listening on a non-loopback address")
	fl.StringVar(&opts.ForwardTo, "forward-to", "", "Relay each event to this https:// URL (http only to this machine)")
	return cmd
}

func (o *ListenOptions) validate() error {
	if err := cmdutil.CheckListenAddr(o.Addr, o.AllowRemote, "127.0.0.1:8787"); err != nil {
		return err
	}
	o.ForwardTo = strings.TrimSpace(o.ForwardTo)
	if o.ForwardTo != "" {
		if err := validate.WebhookURL(o.ForwardTo); err != nil {
			return cmdutil.FlagErrorf("--forward-to: %v", err)
		}
	}
	return nil
}

func runListen(ctx context.Context, o *ListenOptions) error {
	token, err := webhook.NewToken()
	if err != nil {
		return err
	}
	var fwd *webhook.Forwarder
	var enq webhook.Enqueuer
	if o.ForwardTo != "" {
		fwd = webhook.NewForwarder(o.ForwardTo, webhook.ForwarderOptions{Log: o.IO.ErrOut})
		enq = fwd
	}
	h, err := webhook.New(webhook.Options{Token: token, Out: o.IO.Out, Log: o.IO.ErrOut, Forward: enq})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		if fwd != nil {
			_ = fwd.Close(context.Background())
		}
		return fmt.Errorf("webhook listen: listen on %s: %w", o.Addr, err)
	}
	hs := webhook.NewServer(h)
	url := fmt.Sprintf("http://%s/%s", ln.Addr(), token)
	// stdout carries events only; the URL (a secret) goes to stderr.
	fmt.Fprintf(o.IO.ErrOut, "Listening on %s\n", url)
	fmt.Fprintf(o.IO.ErrOut, "Register it: connectctl webhook register ICCID --type usage|end --url %s\n", url)
	if fwd != nil {
		fmt.Fprintf(o.IO.ErrOut, "Forwarding events to %s\n", o.ForwardTo)
	}
	fmt.Fprintln(o.IO.ErrOut, "Events print on stdout, one JSON line each; Ctrl-C stops.")

	if o.Ready != nil {
		o.Ready(url)
	}
	var serveErr error
	if err := cmdutil.Serve(ctx, hs, ln); err != nil {
		serveErr = fmt.Errorf("webhook listen: %w", err)
	}
	if fwd != nil {
		drainCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := fwd.Close(drainCtx); err != nil {
			fmt.Fprintln(o.IO.ErrOut, "webhook listen: gave up relaying the queued events")
		}
		cancel()
	}
	if serveErr == nil {
		fmt.Fprintln(o.IO.ErrOut, "webhook listen: stopped")
	}
	return serveErr
}
