package order

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/output"
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
	Range  cmdutil.TimeRange
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
			"--since and --until (aliases --after and --before) take an RFC 3339 time\n" +
			"(2024-10-17T09:30:00Z, fractions of a second kept), a date (2024-10-17,\n" +
			"midnight local time) or a duration back from now (15m, 48h, 7d, 2w).",
		Example: cmdutil.Examples(
			"List the orders that failed in the last day", "connectctl order list --status failed --since 24h",
			"List the orders of a date range", "connectctl order list --since 2026-12-01 --until 2026-12-05",
			"Export every order as JSON lines", "connectctl order list --all -o ndjson",
		),
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
	opts.Range.Bind(cmd, "orders", false)
	opts.Limit.BindFlags(cmd, "orders")
	return factory.SetColumns(cmd, Columns())
}

func (o *ListOptions) validate(cmd *cobra.Command) error {
	if cmd.Flags().Changed("status") {
		s, err := ParseStatus(o.Status)
		if err != nil {
			return err
		}
		o.query.Status = s
	}
	if err := o.Range.Parse(cmd, o.Now(), nil); err != nil {
		return err
	}
	o.query.StartDate, o.query.EndDate = o.Range.From, o.Range.To
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

func runList(ctx context.Context, o *ListOptions) error {
	cols := listColumns()
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

// listColumns are Columns marked for a table on a terminal: the status
// column coloured, the time columns relative ("3 minutes ago"). They are
// picked by name here, not in Columns, whose definitions order get shares.
func listColumns() []output.Column[connect.Order] {
	cols := Columns()
	for i, c := range cols {
		switch name := strings.ToLower(c.Name); {
		case strings.Contains(name, "status"):
			cols[i].Kind = output.KindStatus
		case strings.Contains(name, "created"), strings.Contains(name, "date"):
			cols[i].Kind = output.KindTime
		}
	}
	return cols
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
