// Package status implements `connectctl status`: one screen for the current
// profile — who am I, is the API reachable and how fast, the rate-limit
// budget, orders still open (journal and API) and SIMs that need attention —
// in a bounded number of requests.
package status

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	authCmd "github.com/connectctl/connectctl/cmd/auth"
	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	orderCmd "github.com/connectctl/connectctl/cmd/order"
	simCmd "github.com/connectctl/connectctl/cmd/sim"
	"github.com/connectctl/connectctl/internal/config"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/journal"
)

// Defaults of the flags.
const (
	defaultMaxSIMs  = 50
	defaultOver     = 80
	defaultExpiring = "7d"
	maxMaxSIMs      = 1000
)

// openStatuses are the order statuses that are not final: one first page
// of each is read.
var openStatuses = []string{connect.OrderStatusAccepted, connect.OrderStatusFulfilling}

// MaxRequests is the most API requests status sends with --max-sims n: one
// first page of orders per open status (the first is the probe), the pages
// of the SIM list that hold n SIMs, and one page of subscriptions per SIM.
func MaxRequests(n int) int {
	pages := (n + connect.DefaultPageSize - 1) / connect.DefaultPageSize
	return len(openStatuses) + pages + n
}

// Options are the inputs of `connectctl status`.
type Options struct {
	IO          *iostreams.IOStreams
	Factory     *factory.Factory
	JournalPath func() (string, error)
	Now         func() time.Time

	MaxSIMs  int
	Over     float64
	Expiring string

	within time.Duration
}

// Report is what status shows; -o json prints it as is.
type Report struct {
	Profile        string         `json:"profile"`
	ProfileSource  string         `json:"profile_source"`
	BaseURL        string         `json:"base_url"`
	APIEdition     string         `json:"api_edition"`
	ClientID       string         `json:"client_id"`
	ClientIDSource string         `json:"client_id_source"`
	SecretSource   string         `json:"secret_source"`
	SecretProblem  string         `json:"secret_problem,omitempty"`
	Token          Token          `json:"token"`
	API            API            `json:"api"`
	OpenOrders     OpenOrders     `json:"open_orders"`
	AttentionSIMs  []simCmd.Usage `json:"attention_sims"`
	SIMs           SIMScan        `json:"sims"`
}

// Token is the profile's access token as the cache holds it.
type Token struct {
	ExpiresAt *time.Time `json:"expires_at"`
	Valid     bool       `json:"valid"`
	// Fetched: no valid token was cached, and status fetched one.
	Fetched bool `json:"fetched"`
}

// API is what the probe found: reachable, how fast, and the quota left.
type API struct {
	Reachable bool               `json:"reachable"`
	LatencyMS *int64             `json:"latency_ms"`
	RateLimit *connect.RateLimit `json:"rate_limit"`
	Error     string             `json:"error,omitempty"`
	// MaxRequests is the bound status keeps to (see its help).
	MaxRequests int `json:"max_requests"`
}

// OpenOrders are the orders whose end is not known yet.
type OpenOrders struct {
	Journal      []journal.Attempt `json:"journal"`
	API          []connect.Order   `json:"api"`
	JournalError string            `json:"journal_error,omitempty"`
	APIError     string            `json:"api_error,omitempty"`
}

// SIMScan says how the attention SIMs were looked for.
type SIMScan struct {
	Examined int `json:"examined"`
	Max      int `json:"max"`
	// LimitReached: Max SIMs were examined; the account may have more.
	LimitReached   bool    `json:"limit_reached"`
	OverPercent    float64 `json:"over_percent"`
	ExpiringWithin string  `json:"expiring_within"`
	Failed         int     `json:"failed"`
	Error          string  `json:"error,omitempty"`
}

// Short is `connectctl status`'s summary; the root's help lists it without
// building the command (issue 13).
const Short = "Show the profile, the API's health, open orders and SIMs that need attention"

// NewCmdStatus returns `connectctl status`; runF replaces the run function in tests.
func NewCmdStatus(f *factory.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Factory: f, JournalPath: journal.DefaultPath, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "status [--max-sims N] [--over P] [--expiring D]",
		Short: Short,
		Long: "One screen for the current profile:\n\n" +
			"  - who am I: profile, base URL, API edition, client id, where the secret\n" +
			"    comes from, and until when the cached access token is valid;\n" +
			"  - whether the API answers, how fast (one first page of open orders,\n" +
			"    timed), and the rate-limit budget that answer announced;\n" +
			"  - orders still open: journal attempts of this profile's API and client\n" +
			"    whose outcome is unknown (see order history), and the first page of\n" +
			"    the API's ACCEPTED and FULFILLING orders;\n" +
			"  - SIMs whose active plans are over --over percent used or expire\n" +
			"    within --expiring, among the first --max-sims SIMs (as sim usage\n" +
			"    --all reads them, under the client's pacer; the first " + strconv.Itoa(connect.DefaultPageSize) + "\n" +
			"    subscriptions of each SIM are read).\n\n" +
			"Bounded in requests: at most 2 + ceil(N/" + strconv.Itoa(connect.DefaultPageSize) + ") + N requests to the API for\n" +
			"--max-sims N (" + strconv.Itoa(MaxRequests(defaultMaxSIMs)) + " with the default " + strconv.Itoa(defaultMaxSIMs) + "), and one to the token endpoint\n" +
			"when no valid token is cached. None is retried; only a request answered\n" +
			"401 goes once more, with a new token, as every command does.\n\n" +
			"When the API cannot be reached, the local parts are still shown, with\n" +
			"reachable: false and the error, and status exits 6 (3 when the\n" +
			"credentials are refused or missing). A failure after the probe exits\n" +
			"with its code too, after the screen.",
		Example: cmdutil.Examples(
			"Check the current profile at a glance", "connectctl status",
			"Look at up to 200 SIMs, those over 90 % used or expiring within 3 days", "connectctl status --max-sims 200 --over 90 --expiring 3d",
			"Check from a script whether the API is reachable", "connectctl status --max-sims 0 -o json --jq .api.reachable",
		),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&opts.MaxSIMs, "max-sims", defaultMaxSIMs, "Examine at most `N` SIMs for usage and expiry (0 to skip; at most 1000)")
	fl.Float64Var(&opts.Over, "over", defaultOver, "List SIMs more than `P` percent used")
	fl.StringVar(&opts.Expiring, "expiring", defaultExpiring, "List SIMs with a plan expiring within `D` (48h, 7d, 2w)")
	return factory.SetColumns(cmd, Columns())
}

func (o *Options) validate() error {
	if o.MaxSIMs < 0 || o.MaxSIMs > maxMaxSIMs {
		return cmdutil.FlagErrorf("--max-sims %d: want 0 to %d", o.MaxSIMs, maxMaxSIMs)
	}
	if math.IsNaN(o.Over) || o.Over < 0 || o.Over >= 100 {
		return cmdutil.FlagErrorf("--over %v: want a share used from 0 to 99.9 (SIMs more than that %% used)", o.Over)
	}
	d, err := simCmd.ParseWithin(o.Expiring)
	if err != nil {
		return cmdutil.FlagErrorf("--expiring %q: %v", o.Expiring, err)
	}
	o.within = d
	return nil
}

func run(ctx context.Context, o *Options) error {
	f := o.Factory
	p, err := factory.PrinterFor(f.Printer, Columns())
	if err != nil {
		return err
	}
	s, err := f.Settings()
	if err != nil {
		return err
	}
	rep := o.local(ctx, s)
	apiErr := o.remote(ctx, s, &rep)
	if err := render(o.IO, p, rep, o.Now(), len(f.Globals.Output.Columns) > 0); err != nil {
		return err
	}
	if apiErr == nil {
		return nil
	}
	code := cmdutil.ExitCodeFor(apiErr)
	if code == cmdutil.ExitUnexpected || code == cmdutil.ExitUsage {
		code = cmdutil.ExitServer // no answer: a network failure
	}
	if !rep.API.Reachable {
		return &cmdutil.ExitError{Code: code, Err: fmt.Errorf("status: the API at %s is not reachable: %w", rep.BaseURL, apiErr)}
	}
	return &cmdutil.ExitError{Code: code, Err: fmt.Errorf("status: %w", apiErr)}
}

// local fills what needs no request: who am I (as auth status tells it,
// without proving the secret) and the journal's open attempts.
func (o *Options) local(ctx context.Context, s *config.Settings) Report {
	st := authCmd.LocalStatus(ctx, o.Factory, s)
	rep := Report{Profile: st.Profile, ProfileSource: st.ProfileSource, BaseURL: st.BaseURL, APIEdition: s.APIEdition,
		ClientID: st.ClientID, ClientIDSource: st.ClientIDSource, SecretSource: st.SecretSource, SecretProblem: st.KeyringProblem,
		OpenOrders:    OpenOrders{Journal: []journal.Attempt{}, API: []connect.Order{}},
		AttentionSIMs: []simCmd.Usage{},
		SIMs:          SIMScan{Max: o.MaxSIMs, OverPercent: o.Over, ExpiringWithin: o.Expiring},
	}
	if rep.APIEdition == "" {
		rep.APIEdition = connect.EditionV1
	}
	rep.API.MaxRequests = MaxRequests(o.MaxSIMs)
	if st.CachedExpiresAt != nil {
		rep.Token.ExpiresAt = st.CachedExpiresAt
		rep.Token.Valid = st.CachedExpiresAt.After(o.Now())
	}
	all, err := func() ([]journal.Attempt, error) {
		path, err := o.JournalPath()
		if err != nil {
			return nil, err
		}
		return journal.Load(path)
	}()
	if err != nil {
		rep.OpenOrders.JournalError = err.Error()
	}
	rep.OpenOrders.Journal = append(rep.OpenOrders.Journal, orderCmd.OpenAttempts(all, s.Profile.BaseURL, s.ClientID)...)
	return rep
}

// remote probes the API and reads open orders and SIM usage, keeping to
// MaxRequests. It returns the first failure; the report says what it saw.
func (o *Options) remote(ctx context.Context, s *config.Settings, rep *Report) error {
	f := o.Factory
	// No retries: the bound in the help is exact, and an unreachable API
	// is told at once rather than after a backoff.
	f.Retry = connect.RetryPolicy{MaxAttempts: 1, MaxElapsed: f.Globals.Timeout}
	fail := func(err error) error {
		rep.API.Error = err.Error()
		return err
	}
	// A token first, so the probe times the API rather than the token
	// endpoint; the client finds it in the cache.
	tokens, _, err := f.TokenSource()
	if err != nil {
		return fail(err)
	}
	if _, err := tokens.Token(ctx); err != nil {
		return fail(err)
	}
	if !rep.Token.Valid {
		if st := authCmd.LocalStatus(ctx, f, s); st.CachedExpiresAt != nil {
			rep.Token = Token{ExpiresAt: st.CachedExpiresAt, Valid: st.CachedExpiresAt.After(o.Now()), Fetched: true}
		}
	}
	client, err := f.Client()
	if err != nil {
		return fail(err)
	}

	var firstErr error
	note := func(err error) {
		if firstErr == nil {
			firstErr = err
		}
	}
	for i, st := range openStatuses {
		start := time.Now()
		orders, err := firstPage(client.ListOrders(ctx, connect.OrdersQuery{Status: st}))
		if i == 0 {
			if err != nil && !answered(err) {
				return fail(err)
			}
			rep.API.Reachable = true
			ms := time.Since(start).Milliseconds()
			rep.API.LatencyMS = &ms
			if rl, ok := client.LastRateLimit(); ok {
				rep.API.RateLimit = &rl
			}
			if err != nil && cmdutil.ExitCodeFor(err) == cmdutil.ExitAuth {
				// Every other request would be refused the same way.
				rep.API.Error = err.Error()
				return err
			}
		}
		if err != nil {
			rep.OpenOrders.APIError = err.Error()
			note(err)
			break
		}
		rep.OpenOrders.API = append(rep.OpenOrders.API, orders...)
	}
	slices.SortStableFunc(rep.OpenOrders.API, func(a, b connect.Order) int { return b.CreatedDate.Compare(a.CreatedDate) })

	if err := o.attentionSIMs(ctx, client, rep); err != nil {
		note(err)
	}
	return firstErr
}

// answered reports whether err came with an HTTP answer: the API is
// reachable even when it refused.
func answered(err error) bool {
	var ae *connect.APIError
	return errors.As(err, &ae) && ae.Status > 0
}

// firstPage reads one page of a list, stopping before the next is asked for.
func firstPage[T any](seq iter.Seq2[T, error]) ([]T, error) {
	out := []T{}
	for it, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, it)
		if len(out) >= connect.DefaultPageSize {
			break
		}
	}
	return out, nil
}

// attentionSIMs reads the usage of the first MaxSIMs SIMs, as sim usage
// --all does, and keeps those over --over percent used or expiring within
// --expiring.
func (o *Options) attentionSIMs(ctx context.Context, client *connect.Client, rep *Report) error {
	if o.MaxSIMs == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ids := func(yield func(string, error) bool) {
		n := 0
		for ref, err := range client.ListSIMs(ctx) {
			if err != nil {
				yield("", err)
				return
			}
			n++
			if !yield(ref.ID, nil) {
				return
			}
			if n == o.MaxSIMs {
				// Stop before the listing asks for another page: looking
				// for one more SIM could cost a request over the bound.
				rep.SIMs.LimitReached = true
				return
			}
		}
	}
	results, listErr := simCmd.FetchUsages(ctx, client, ids, simCmd.UsageFetch{MaxSubscriptions: connect.DefaultPageSize})
	var firstErr error
	now := o.Now()
	for r := range results {
		if r.Err != nil {
			if connect.IsNotFound(r.Err) {
				continue
			}
			rep.SIMs.Failed++
			if firstErr == nil {
				firstErr = fmt.Errorf("SIM %s: %w", r.ICCID, r.Err)
			}
			if cmdutil.ExitCodeFor(r.Err) == cmdutil.ExitAuth {
				cancel() // every other SIM would fail the same way
			}
			continue
		}
		rep.SIMs.Examined++
		if r.Usage.UsedOver(o.Over) || r.Usage.ExpiresWithin(now, o.within) {
			rep.AttentionSIMs = append(rep.AttentionSIMs, r.Usage)
		}
	}
	if err := listErr(); err != nil && firstErr == nil {
		firstErr = fmt.Errorf("list SIMs: %w", err)
	}
	slices.SortFunc(rep.AttentionSIMs, func(a, b simCmd.Usage) int {
		if a.PercentUsed != b.PercentUsed {
			return map[bool]int{true: -1, false: 1}[a.PercentUsed > b.PercentUsed]
		}
		return strings.Compare(a.ICCID, b.ICCID)
	})
	if firstErr != nil {
		rep.SIMs.Error = firstErr.Error()
	}
	return firstErr
}

// when is a time for people: local, with how far it is from now.
func when(t *time.Time, now time.Time) string {
	if t == nil {
		return ""
	}
	d := t.Sub(now).Round(time.Second)
	rel := "in " + d.String()
	if d < 0 {
		rel = (-d).String() + " ago"
	}
	return fmt.Sprintf("%s (%s)", t.Local().Format("2006-01-02 15:04:05"), rel)
}
