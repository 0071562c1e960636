// Package sandbox implements `connectctl sandbox serve`, a local simulator of
// the Connect API for demos, scripts and end-to-end tests.
package sandbox

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/sandbox"
)

// Short is `connectctl sandbox`'s summary; the root's help lists it without
// building the command (issue 13).
const Short = "Run a local simulator of the Connect API, and drive it: usage, faults, SIMs, stats"

// NewCmdSandbox returns `connectctl sandbox`.
func NewCmdSandbox(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox <command>",
		Short: Short,
		Example: "  connectctl sandbox serve &\n" +
			"  connectctl sandbox usage 8944478600001000018 --percent 85\n" +
			"  connectctl sandbox fault add --path /v1/products --status 503\n" +
			"  connectctl sandbox stats",
	}
	cmd.AddCommand(NewCmdServe(f, nil))
	cmd.AddCommand(NewCmdUsage(f, nil))
	cmd.AddCommand(NewCmdFault(f))
	cmd.AddCommand(NewCmdSIMs(f, nil))
	cmd.AddCommand(NewCmdStats(f, nil))
	return cmd
}

// ServeOptions are the inputs of `sandbox serve`.
type ServeOptions struct {
	IO          *iostreams.IOStreams
	Addr        string
	AllowRemote bool
	Clients     []string
	Config      sandbox.Config
}

// NewCmdServe returns `connectctl sandbox serve`; runF replaces the run
// function in tests.
func NewCmdServe(f *factory.Factory, runF func(context.Context, *ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{IO: f.IOStreams, Config: sandbox.DefaultConfig()}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the simulated Connect API until interrupted",
		Long: "Serve a faithful simulator of the Connect API: OAuth2 token endpoint, orders,\n" +
			"SIMs, subscriptions, webhooks, rate limits and both error models.\n\n" +
			"The first line on stdout is the base URL it listens on; logs go to stderr.\n" +
			"The built-in client is sandbox/sandbox. See docs/sandbox.md.",
		Example: cmdutil.Examples(
			"Serve the simulator at http://127.0.0.1:7787 (the sandbox profile's URL)", "connectctl sandbox serve",
			"Serve on a free port, keep state in a file, complete orders at once", "connectctl sandbox serve --addr 127.0.0.1:0 --state /tmp/sandbox.json --order-delay 0",
			"Rehearse failures: 10 % of requests meet a 5xx or a dropped connection", "connectctl sandbox serve --fail-rate 0.1 --latency 200ms",
		),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runServe(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Addr, "addr", "127.0.0.1:7787", "Address to listen on (port 0 picks a free one)")
	fl.BoolVar(&opts.AllowRemote, "allow-remote", false, "Allow listening on a non-loopback address")
	fl.StringVar(&opts.Config.StateFile, "state", "", "Persist state to this file (atomic writes) so restarts keep it")
	fl.DurationVar(&opts.Config.TokenTTL, "token-ttl", opts.Config.TokenTTL, "Access token lifetime")
	fl.IntVar(&opts.Config.RateLimit, "rate-limit", opts.Config.RateLimit, "Requests a minute per client per endpoint (0: no limit)")
	fl.DurationVar(&opts.Config.OrderDelay, "order-delay", opts.Config.OrderDelay, "Time from ACCEPTED to COMPLETED")
	fl.StringVar(&opts.Config.Edition, "edition", sandbox.EditionV1, "API edition to serve: v1 (amounts in major units, 3.53) or 2024 (integers of the smallest unit, 353)")
	fl.Float64Var(&opts.Config.FailRate, "fail-rate", 0, "Share (0..1) of API requests meeting a random 5xx or dropped connection, before or after the work: a failed order may still have been placed")
	fl.DurationVar(&opts.Config.Latency, "latency", 0, "Delay added before every answer")
	// Tests shorten the window so a 429 clears in seconds, not a minute.
	fl.DurationVar(&opts.Config.RateWindow, "rate-window", 0, "Rate limit window (default one minute)")
	_ = fl.MarkHidden("rate-window")
	fl.StringArrayVar(&opts.Clients, "client", nil, "Extra OAuth2 client as ID:SECRET[:ROLE] (repeatable; ROLE RESELLER or ACCOUNT_MANAGER)")
	return cmd
}

func (o *ServeOptions) validate() error {
	if err := cmdutil.CheckListenAddr(o.Addr, o.AllowRemote, "127.0.0.1:7787"); err != nil {
		return err
	}
	if o.Config.FailRate < 0 || o.Config.FailRate > 1 {
		return cmdutil.FlagErrorf("--fail-rate %v: want a share between 0 and 1", o.Config.FailRate)
	}
	if o.Config.TokenTTL <= 0 {
		return cmdutil.FlagErrorf("--token-ttl %v: want a positive duration", o.Config.TokenTTL)
	}
	if o.Config.RateLimit < 0 {
		return cmdutil.FlagErrorf("--rate-limit %d: want 0 (no limit) or more", o.Config.RateLimit)
	}
	if e := o.Config.Edition; e != sandbox.EditionV1 && e != sandbox.Edition2024 {
		return cmdutil.FlagErrorf("--edition %q: want v1 or 2024", e)
	}
	if o.Config.OrderDelay < 0 || o.Config.Latency < 0 {
		return cmdutil.FlagErrorf("--order-delay and --latency must not be negative")
	}
	o.Config.Clients = o.Config.Clients[:0]
	for _, c := range o.Clients {
		cred, err := parseClient(c)
		if err != nil {
			return err
		}
		o.Config.Clients = append(o.Config.Clients, cred)
	}
	return nil
}

func parseClient(s string) (sandbox.ClientCredential, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return sandbox.ClientCredential{}, cmdutil.FlagErrorf("--client %q: want ID:SECRET or ID:SECRET:ROLE", s)
	}
	cred := sandbox.ClientCredential{ID: parts[0], Secret: parts[1], Role: sandbox.RoleReseller}
	if len(parts) == 3 {
		switch r := sandbox.Role(strings.ToUpper(parts[2])); r {
		case sandbox.RoleReseller, sandbox.RoleAccountManager:
			cred.Role = r
		default:
			return cred, cmdutil.FlagErrorf("--client %q: role %q: want RESELLER or ACCOUNT_MANAGER", s, parts[2])
		}
	}
	return cred, nil
}

func runServe(ctx context.Context, o *ServeOptions) error {
	o.Config.Log = o.IO.ErrOut
	srv, err := sandbox.New(o.Config)
	if err != nil {
		return err
	}
	defer srv.Close()

	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("sandbox: listen on %s: %w", o.Addr, err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	// The first line is the contract with scripts and tests: the base URL.
	fmt.Fprintf(o.IO.Out, "http://%s\n", ln.Addr())
	fmt.Fprintf(o.IO.ErrOut, "sandbox: serving the Connect API on http://%s (client sandbox/sandbox); Ctrl-C stops it\n", ln.Addr())

	if err := cmdutil.Serve(ctx, hs, ln); err != nil {
		return err
	}
	fmt.Fprintln(o.IO.ErrOut, "sandbox: stopped")
	return nil
}
