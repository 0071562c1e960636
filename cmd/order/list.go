package order

import (
	"context"
	"fmt"
	"iter"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/output"
	"github.com/connectctl/connectctl/internal/validate"
)

// Statuses are the order statuses --status takes (any case; the documents'
// FULFILING spelling too).
var Statuses = []string{
	connect.OrderStatusAccepted, connect.OrderStatusFulfilling,
	connect.OrderStatusCompleted, connect.OrderStatusFailed,
}

// ListOptions are the inputs of `order list`.
type ListOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (*connect.Client, error)
	Printer func() (*output.Printer, error)
	Now     func() time.Time

	Status string
	Since  string
	Until  string
	Limit  cmdutil.ListLimit

	query connect.OrdersQuery
}

// NewCmdList returns `connectctl order list`; runF replaces the run function in tests.
func NewCmdList(f *factory.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	return newCmdList(f, &ListOptions{IO: f.IOStreams, Client: f.Client, Printer: f.Printer, Now: time.Now}, runF)
}

func newCmdList(f *factory.Factory, opts *ListOptions, runF func(context.Context, *ListOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list [--status S] [--since TIME|DURATION] [--until TIME] [--limit N | --all]",
		Short: "List orders, newest first",
		Long: "List orders, the newest first. Shows the newest 30 unless --limit or --all\n" +
			"says otherwise, and says so on stderr when there are more.\n\n" +
			"--since and --until take an RFC 3339 time (2024-10-17T09:30:00Z) or a\n" +
			"duration back from now (15m, 2h, 7d, 2w).",
		Example: "  connectctl order list --status failed --since 24h\n" +
			"  connectctl order list --all -o ndjson",
		Aliases: []string{"ls"},
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
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
	fl.StringVar(&opts.Status, "status", "", "Only orders with this status: "+strings.Join(Statuses, ", "))
	fl.StringVar(&opts.Since, "since", "", "Only orders created at or after this RFC 3339 time, or this long ago (15m, 2h, 7d)")
	fl.StringVar(&opts.Until, "until", "", "Only orders created before this RFC 3339 time, or this long ago")
	opts.Limit.BindFlags(cmd, "orders")
	return cmd
}

func (o *ListOptions) validate(cmd *cobra.Command) error {
	if cmd.Flags().Changed("status") {
		s, err := ParseStatus(o.Status)
		if err != nil {
			return err
		}
		o.query.Status = s
	}
	now := o.Now()
	var err error
	if cmd.Flags().Changed("since") {
		if o.query.StartDate, err = ParseTimeOrAgo("--since", o.Since, now); err != nil {
			return err
		}
	}
	if cmd.Flags().Changed("until") {
		if o.query.EndDate, err = ParseTimeOrAgo("--until", o.Until, now); err != nil {
			return err
		}
	}
	if !o.query.StartDate.IsZero() && !o.query.EndDate.IsZero() && !o.query.StartDate.Before(o.query.EndDate) {
		return cmdutil.FlagErrorf("--since %s is not before --until %s: want a time range that is not empty", o.Since, o.Until)
	}
	return o.Limit.Validate()
}

// ParseStatus validates --status: one of Statuses, any case, FULFILING
// accepted for FULFILLING.
func ParseStatus(s string) (string, error) {
	up := connect.NormalizeOrderStatus(strings.ToUpper(strings.TrimSpace(s)))
	for _, st := range Statuses {
		if up == st {
			return st, nil
		}
	}
	return "", cmdutil.FlagErrorf("--status %q: want one of %s (any case)", s, strings.Join(Statuses, ", "))
}

var agoRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d+)([dw])$`) })

// ParseTimeOrAgo reads an RFC 3339 time or a positive duration back from now:
// a Go duration (90s, 15m, 1h30m) or whole days and weeks (7d, 2w).
func ParseTimeOrAgo(flag, s string, now time.Time) (time.Time, error) {
	in := strings.TrimSpace(s)
	want := "want an RFC 3339 time such as 2024-10-17T09:30:00Z or a duration back from now such as 15m, 2h or 7d"
	if in == "" {
		return time.Time{}, cmdutil.FlagErrorf("%s %q: empty, %s", flag, s, want)
	}
	if m := agoRE().FindStringSubmatch(in); m != nil {
		n, err := strconv.Atoi(m[1])
		days := map[string]int{"d": 1, "w": 7}[m[2]]
		if err != nil || n <= 0 || n > 100*365/days {
			return time.Time{}, cmdutil.FlagErrorf("%s %q: want a positive duration of at most 100 years", flag, s)
		}
		return now.AddDate(0, 0, -n*days), nil
	}
	if d, err := time.ParseDuration(in); err == nil {
		if d <= 0 {
			return time.Time{}, cmdutil.FlagErrorf("%s %q: want a positive duration back from now such as 15m", flag, s)
		}
		return now.Add(-d), nil
	}
	if len(in) > 0 && in[0] >= '0' && in[0] <= '9' && !strings.Contains(in, "-") {
		// Looks like a duration with a unit Go does not know (15 min, 3mo).
		return time.Time{}, cmdutil.FlagErrorf("%s %q: not a duration, %s (units: s, m, h, d, w)", flag, s, want)
	}
	t, err := validate.RFC3339(in)
	if err != nil {
		return time.Time{}, cmdutil.FlagErrorf("%s: %v, or a duration back from now such as 15m, 2h or 7d", flag, err)
	}
	return t, nil
}

func runList(ctx context.Context, o *ListOptions) error {
	cols := Columns()
	p, err := factory.PrinterFor(o.Printer, cols)
	if err != nil {
		return err
	}
	client, err := o.Client()
	if err != nil {
		return err
	}
	orders, more, err := newestFirst(client.ListOrders(ctx, o.query), o.Limit.N())
	if err != nil {
		return fmt.Errorf("order list: %w", err)
	}
	if _, err := output.List(p, cmdutil.Seq(orders), cols, 0); err != nil {
		return fmt.Errorf("order list: %w", err)
	}
	cmdutil.NoteMore(o.IO.ErrOut, more, o.Limit.N(), "orders")
	return nil
}

// newestFirst reads every order (the API has no sort order and lists the
// oldest first) and returns the newest n (all when n is 0), newest first;
// more says some were left out. An order without a creation date sorts by
// its place in the API's list.
func newestFirst(seq iter.Seq2[connect.Order, error], n int) ([]connect.Order, bool, error) {
	var all []connect.Order
	for o, err := range seq {
		if err != nil {
			return nil, false, err
		}
		all = append(all, o)
	}
	slices.Reverse(all)
	slices.SortStableFunc(all, func(a, b connect.Order) int { return b.CreatedDate.Compare(a.CreatedDate) })
	if n > 0 && len(all) > n {
		return all[:n], true, nil
	}
	return all, false, nil
}
