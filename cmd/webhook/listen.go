package webhook

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/connect"
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

	// Client is used only with --register, so that plain listening needs
	// no credentials.
	Client         func() (*connect.Client, error)
	Register       []string // --register ICCIDs as typed
	Types          []string // --type values as typed; none means both
	PublicURL      string
	IgnoreChecksum bool
	Profile        string // --profile, repeated in the clean-up commands

	iccids []string // checked ICCIDs, in order, without repeats
	types  []string // API names of the types to register

	// Ready, if set, is called with the full listener URL once it accepts
	// connections (tests).
	Ready func(url string)
}

// NewCmdListen returns `connectctl webhook listen`; runF replaces the run function in tests.
func NewCmdListen(f *factory.Factory, runF func(context.Context, *ListenOptions) error) *cobra.Command {
	opts := &ListenOptions{IO: f.IOStreams, Client: f.Client}
	cmd := &cobra.Command{
		Use:   "listen [--addr 127.0.0.1:8787] [--forward-to URL] [--register ICCID,... [--type usage|end] [--public-url URL]]",
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
			"the relay's status.\n\n" +
			"--register ICCID[,ICCID...] (repeatable) registers the listener for those SIMs\n" +
			"once it accepts connections, for each --type (usage, end, or both: the default),\n" +
			"and unregisters exactly those on exit: at the end, on Ctrl-C or SIGTERM, or when\n" +
			"a registration fails part-way. It needs the profile's credentials; without it,\n" +
			"listen needs none. ICCIDs are checked first, as by `webhook register` (a bad one\n" +
			"exits 2 with nothing sent). A SIM that already has a webhook of a type is refused\n" +
			"(exit 5) before anything is registered, since registering would replace it and\n" +
			"the exit would delete it. Each registration, SIM and type (the API gives no other\n" +
			"id), is printed on stderr. The URL registered is the listener's own (right for\n" +
			"the sandbox), or with --public-url (an https tunnel to this machine, e.g.\n" +
			"https://abc.ngrok.app, when the API cannot reach it) PUBLIC_URL/TOKEN: the tunnel\n" +
			"must pass the path on unchanged, so the secret token is still required.\n\n" +
			"At exit a webhook that no longer points to this listener is left alone.\n" +
			"Unregistering is bounded by 10 s; if it fails, the exit is non-zero (the failed\n" +
			"request's code, 130 after Ctrl-C) and stderr lists the `connectctl webhook\n" +
			"unregister` commands that finish the clean-up. A failed registration exits with\n" +
			"its API error's code.",
		Example: cmdutil.Examples(
			"Receive notifications on this machine and print them", "connectctl webhook listen",
			"Listen on a free port and relay each event to your service", "connectctl webhook listen --addr 127.0.0.1:0 --forward-to https://hooks.example.com/esim",
			"Print the ICCID of every plan that ends", "connectctl webhook listen | jq -r 'select(.type == \"SUBSCRIPTION_END\") | .iccid'",
			"Register for two SIMs' usage alerts through a tunnel until Ctrl-C", "connectctl webhook listen --register 8944478600001000018,8944478600000205337 --type usage --public-url https://abc.ngrok.app",
		),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Profile = f.Globals.Profile
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
	fl.StringSliceVar(&opts.Register, "register", nil, "Register the listener for the SIM `ICCID` while it runs (repeatable or comma-separated)")
	fl.StringSliceVar(&opts.Types, "type", nil, "With --register: notification `TYPE`, usage or end (repeatable or comma-separated; default both)")
	fl.StringVar(&opts.PublicURL, "public-url", "", "With --register: register `URL`/TOKEN, a tunnel to the listener, instead of its local URL")
	cmdutil.AddIgnoreChecksumFlag(cmd, &opts.IgnoreChecksum)
	_ = cmd.RegisterFlagCompletionFunc("type", completeTypes)
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
	return o.validateRegister()
}

// validateRegister checks --register, --type and --public-url.
func (o *ListenOptions) validateRegister() error {
	o.PublicURL = strings.TrimSpace(o.PublicURL)
	if len(o.Register) == 0 {
		switch {
		case len(o.Types) > 0:
			return cmdutil.FlagErrorf("--type needs --register ICCID")
		case o.PublicURL != "":
			return cmdutil.FlagErrorf("--public-url needs --register ICCID")
		}
		return nil
	}
	o.iccids, o.types = nil, nil
	for _, v := range o.Register {
		if strings.TrimSpace(v) == "" {
			return cmdutil.FlagErrorf("--register: empty ICCID in %q", strings.Join(o.Register, ","))
		}
		iccid, err := cmdutil.ICCIDArg(o.IO.ErrOut, "--register", strings.TrimSpace(v), true, o.IgnoreChecksum)
		if err != nil {
			return err
		}
		if !slices.Contains(o.iccids, iccid) {
			o.iccids = append(o.iccids, iccid)
		}
	}
	types := o.Types
	if len(types) == 0 {
		types = []string{"usage", "end"}
	}
	for _, v := range types {
		t, err := typeFlag(v)
		if err != nil {
			return err
		}
		if !slices.Contains(o.types, t) {
			o.types = append(o.types, t)
		}
	}
	if o.PublicURL != "" {
		if err := validate.WebhookURL(o.PublicURL); err != nil {
			return cmdutil.FlagErrorf("--public-url: %v", err)
		}
		// The token is appended as the last path segment: a query or
		// fragment would end up before it.
		if u, err := url.Parse(o.PublicURL); err != nil || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(o.PublicURL, "?") {
			return cmdutil.FlagErrorf("--public-url %q: want a URL without query or fragment; the listener's token is appended as its last path segment", o.PublicURL)
		}
	}
	return nil
}

// publicURL is --public-url with the token appended as the last path segment.
func publicURL(base, token string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	// Keep the path as typed (escapes included); the token is URL-safe.
	ep := strings.TrimSuffix(u.EscapedPath(), "/") + "/" + token
	if u.Path, err = url.PathUnescape(ep); err != nil {
		return "", err
	}
	u.RawPath = ep
	return u.String(), nil
}

func runListen(ctx context.Context, o *ListenOptions) error {
	var client *connect.Client
	if len(o.iccids) > 0 {
		// Credentials are checked before the listener starts.
		c, err := o.Client()
		if err != nil {
			return err
		}
		client = c
	}
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
	localURL := fmt.Sprintf("http://%s/%s", ln.Addr(), token)
	// stdout carries events only; the URL (a secret) goes to stderr.
	fmt.Fprintf(o.IO.ErrOut, "Listening on %s\n", localURL)
	if len(o.iccids) == 0 {
		fmt.Fprintf(o.IO.ErrOut, "Register it: connectctl webhook register ICCID --type usage|end --url %s\n", localURL)
	}
	if fwd != nil {
		fmt.Fprintf(o.IO.ErrOut, "Forwarding events to %s\n", o.ForwardTo)
	}

	// Serve first, so that the listener answers as soon as it is registered.
	serveCtx, stopServe := context.WithCancel(ctx)
	defer stopServe()
	served := make(chan error, 1)
	go func() { served <- cmdutil.Serve(serveCtx, hs, ln) }()

	var reg *registrar
	var runErr error
	if len(o.iccids) > 0 {
		target := localURL
		if o.PublicURL != "" {
			if target, err = publicURL(o.PublicURL, token); err != nil {
				runErr = err
			}
		}
		if runErr == nil {
			reg = &registrar{o: o, client: client, url: target}
			runErr = reg.registerAll(ctx)
		}
		if runErr != nil {
			stopServe()
		}
	}
	if runErr == nil {
		fmt.Fprintln(o.IO.ErrOut, "Events print on stdout, one JSON line each; Ctrl-C stops.")
		if o.Ready != nil {
			o.Ready(localURL)
		}
	}
	if err := <-served; err != nil && runErr == nil {
		runErr = fmt.Errorf("webhook listen: %w", err)
	}
	if reg != nil {
		if err := reg.unregisterAll(); err != nil {
			if runErr == nil {
				runErr = err
			} else {
				// The first failure sets the exit code; the clean-up
				// commands must still be shown.
				fmt.Fprintln(o.IO.ErrOut, "error:", err)
			}
		}
	}
	if fwd != nil {
		drainCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := fwd.Close(drainCtx); err != nil {
			fmt.Fprintln(o.IO.ErrOut, "webhook listen: gave up relaying the queued events")
		}
		cancel()
	}
	if runErr == nil {
		fmt.Fprintln(o.IO.ErrOut, "webhook listen: stopped")
	}
	return runErr
}

// cleanupTimeout bounds unregistering at exit; it runs on a fresh context
// since the command's own is cancelled by Ctrl-C.
const cleanupTimeout = 10 * time.Second

// registration is one webhook this run registered: the API identifies it by
// SIM and type only.
type registration struct{ iccid, typ string }

// registrar registers the listener's URL and undoes exactly that.
type registrar struct {
	o      *ListenOptions
	client *connect.Client
	url    string
	done   []registration
}

// registerAll refuses SIMs that already have a webhook of a requested type,
// then registers the URL for every SIM and type; a failure part-way returns
// the API's error (its exit code) and leaves r.done for the clean-up.
func (r *registrar) registerAll(ctx context.Context) error {
	for _, iccid := range r.o.iccids {
		prefs, err := r.client.GetSIMPreferences(ctx, iccid)
		if err != nil {
			return fmt.Errorf("webhook listen: read the webhooks of SIM %s: %w", iccid, err)
		}
		for _, n := range prefs.Notifications {
			if slices.Contains(r.o.types, connect.NormalizeNotificationType(n.Type)) && n.WebhookURL != "" {
				return &cmdutil.ExitError{Code: cmdutil.ExitRefused, Err: fmt.Errorf(
					"webhook listen: SIM %s already has a %s webhook (to %s); registering would replace it and the exit would delete it; "+
						"nothing was registered. Remove it first (connectctl webhook unregister %s --type %s%s) or leave out that SIM or type",
					iccid, n.Type, urlHost(n.WebhookURL), iccid, typeWord(n.Type), r.profileFlag())}
			}
		}
	}
	for _, iccid := range r.o.iccids {
		for _, typ := range r.o.types {
			if err := r.client.RegisterNotification(ctx, iccid, typ, r.url); err != nil {
				// The outcome of a failed POST may be unknown: clean it up too.
				r.done = append(r.done, registration{iccid, typ})
				return fmt.Errorf("webhook listen: register the %s webhook of SIM %s: %w", typ, iccid, err)
			}
			r.done = append(r.done, registration{iccid, typ})
			fmt.Fprintf(r.o.IO.ErrOut, "Registered %s %s -> %s (unregistered on exit)\n", iccid, typ, r.url)
		}
	}
	return nil
}

// unregisterAll removes what this run registered, newest first, on a fresh
// bounded context. A webhook that now points elsewhere is left alone.
func (r *registrar) unregisterAll() error {
	if len(r.done) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	var failed []registration
	var firstErr error
	prefs := map[string]connect.Preferences{}
	for i := len(r.done) - 1; i >= 0; i-- {
		g := r.done[i]
		p, ok := prefs[g.iccid]
		if !ok {
			got, err := r.client.GetSIMPreferences(ctx, g.iccid)
			if err != nil {
				failed, firstErr = append(failed, g), cmp(firstErr, err)
				continue
			}
			p = *got
			prefs[g.iccid] = p
		}
		current := ""
		for _, n := range p.Notifications {
			if connect.NormalizeNotificationType(n.Type) == g.typ {
				current = n.WebhookURL
			}
		}
		switch current {
		case "":
			fmt.Fprintf(r.o.IO.ErrOut, "Unregistered %s %s (not registered: nothing to remove)\n", g.iccid, g.typ)
			continue
		case r.url:
		default:
			fmt.Fprintf(r.o.IO.ErrOut, "Left %s %s alone: it now points to %s, not this listener\n", g.iccid, g.typ, urlHost(current))
			continue
		}
		if err := r.client.UnregisterNotification(ctx, g.iccid, g.typ); err != nil {
			failed, firstErr = append(failed, g), cmp(firstErr, err)
			continue
		}
		fmt.Fprintf(r.o.IO.ErrOut, "Unregistered %s %s\n", g.iccid, g.typ)
	}
	if len(failed) == 0 {
		return nil
	}
	var cmds strings.Builder
	for i := len(failed) - 1; i >= 0; i-- {
		fmt.Fprintf(&cmds, "\n  connectctl webhook unregister %s --type %s%s", failed[i].iccid, typeWord(failed[i].typ), r.profileFlag())
	}
	code := cmdutil.ExitCodeFor(firstErr)
	if code == cmdutil.ExitOK {
		code = cmdutil.ExitUnexpected
	}
	return &cmdutil.ExitError{Code: code, Err: fmt.Errorf(
		"webhook listen: could not unregister %d webhook(s) this run registered: %w\nremove them with:%s", len(failed), firstErr, cmds.String())}
}

func (r *registrar) profileFlag() string {
	if r.o.Profile == "" {
		return ""
	}
	return " --profile " + r.o.Profile
}

func cmp(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// typeWord is the --type word for an API notification type.
func typeWord(t string) string {
	if connect.NormalizeNotificationType(t) == connect.NotificationUsageThreshold {
		return "usage"
	}
	return "end"
}

// urlHost shows where another webhook points without its path, which may
// hold that receiver's secret.
func urlHost(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "another URL"
	}
	return u.Scheme + "://" + u.Host + "/..."
}
