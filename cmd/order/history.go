package order

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/journal"
	"github.com/connectctl/connectctl/internal/output"
)

// AttemptStatuses are the journal statuses `order history --status` takes.
var AttemptStatuses = []string{
	string(journal.Sending), string(journal.Accepted), string(journal.Failed), string(journal.Unknown),
}

// staleSending is how long a sending attempt may go without a record before
// `--status unknown` counts it as unknown: its run was killed.
const staleSending = time.Minute

// HistoryOptions are the inputs of `order history`.
type HistoryOptions struct {
	IO          *iostreams.IOStreams
	Printer     func() (*output.Printer, error)
	Now         func() time.Time
	JournalPath func() (string, error)

	Range  cmdutil.TimeRange
	Status string
	Limit  cmdutil.ListLimit

	status journal.Status
}

// NewCmdHistory returns `connectctl order history`; runF replaces the run
// function in tests.
func NewCmdHistory(f *factory.Factory, runF func(context.Context, *HistoryOptions) error) *cobra.Command {
	return newCmdHistory(f, &HistoryOptions{IO: f.IOStreams, Printer: f.Printer, Now: time.Now,
		JournalPath: journal.DefaultPath}, runF)
}

func newCmdHistory(_ *factory.Factory, opts *HistoryOptions, runF func(context.Context, *HistoryOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "history [--since TIME] [--until TIME] [--status S] [--limit N | --all]",
		Short: "List the order attempts of this machine, newest first",
		Long: "List the order journal, newest first: every order this machine tried to\n" +
			"place, with order new or order topup, one by one or from a bulk file. Shows\n" +
			"the first 30 unless --limit or --all says otherwise.\n\n" +
			"Each attempt is written to the journal, and synced to disk, before the order\n" +
			"is sent, and completed with the outcome after, so an order id is never lost\n" +
			"and re-running a bulk file never orders a row twice. The journal is a JSON\n" +
			"Lines file: $CONNECTCTL_JOURNAL if set, else connectctl/orders.jsonl in\n" +
			"$XDG_STATE_HOME, by default ~/.local/state/connectctl/orders.jsonl\n" +
			"(%LocalAppData%\\connectctl\\orders.jsonl on Windows). It names customers\n" +
			"(e-mail, device) but never holds activation codes or secrets.\n\n" +
			"STATUS is one of:\n" +
			"  sending   written before the request; no outcome yet\n" +
			"  accepted  the API accepted the order: ORDER is its id\n" +
			"  failed    no order was created: refused, never sent, or proven absent\n" +
			"  unknown   sent, but no answer came (timeout, dropped connection, 5xx)\n\n" +
			"An unknown attempt may or may not have created an order. Check with\n" +
			"`connectctl order list --since <its STARTED time>` and look for its e-mail\n" +
			"and products. Re-running the same bulk file settles its unknown rows itself.\n" +
			"--status unknown also lists sending attempts with no record for over a\n" +
			"minute: the run that made them was killed, so their outcome is unknown too.\n\n" +
			"--since and --until match when the attempt started and take an RFC 3339\n" +
			"time (2024-10-17T09:30:00Z), a date (2024-10-17, midnight local time) or a\n" +
			"duration back from now (15m, 48h, 7d, 2w).",
		Example: cmdutil.Examples(
			"List the attempts whose outcome is unknown", "connectctl order history --status unknown",
			"Show the last day's attempts as JSON", "connectctl order history --since 24h -o json",
			"List every attempt that failed", "connectctl order history --status failed --all",
		),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.validate(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runHistory(opts)
		},
	}
	fl := cmd.Flags()
	opts.Range.Bind(cmd, "attempts", false)
	fl.StringVar(&opts.Status, "status", "", "Only attempts with this status: "+strings.Join(AttemptStatuses, ", ")+
		" (unknown includes sending attempts of a killed run)")
	opts.Limit.BindFlags(cmd, "attempts")
	return factory.SetColumns(cmd, HistoryColumns())
}

func (o *HistoryOptions) validate(cmd *cobra.Command) error {
	if cmd.Flags().Changed("status") {
		s, err := parseAttemptStatus(o.Status)
		if err != nil {
			return err
		}
		o.status = s
	}
	if err := o.Range.Parse(cmd, o.Now(), nil); err != nil {
		return err
	}
	return o.Limit.Validate()
}

func parseAttemptStatus(s string) (journal.Status, error) {
	in := strings.ToLower(strings.TrimSpace(s))
	if slices.Contains(AttemptStatuses, in) {
		return journal.Status(in), nil
	}
	return "", cmdutil.FlagErrorf("--status %q: want one of %s (any case)", s, strings.Join(AttemptStatuses, ", "))
}

// HistoryColumns are the table columns of `order history`.
func HistoryColumns() []output.Column[journal.Attempt] {
	type A = journal.Attempt
	return []output.Column[A]{
		{Name: "started", Kind: output.KindTime, Value: func(a A) string { return rfc3339(a.Started) }},
		{Name: "status", Kind: output.KindStatus, Value: func(a A) string { return string(a.Status) }},
		{Name: "order_id", Aliases: []string{"order"}, Value: func(a A) string { return a.OrderID }},
		{Name: "batch", Value: batchCell},
		{Name: "email", Value: func(a A) string { return a.Email }},
		{Name: "products", Value: func(a A) string { return strings.Join(a.Products, ",") }},
		{Name: "error", Value: func(a A) string { return clip(a.Error, 80) }},
		{Name: "attempt", Wide: true, Value: func(a A) string { return a.ID }},
		{Name: "order_status", Kind: output.KindStatus, Wide: true, Value: func(a A) string { return a.OrderStatus }},
		{Name: "device_id", Aliases: []string{"device"}, Wide: true, Value: func(a A) string { return a.DeviceID }},
		{Name: "correlation_id", Aliases: []string{"correlation"}, Wide: true, Value: func(a A) string { return a.CorrelationID }},
		{Name: "profile", Wide: true, Value: func(a A) string { return a.Profile }},
		{Name: "target", Wide: true, Value: func(a A) string { return a.Target }},
		{Name: "resolution", Wide: true, Value: func(a A) string { return a.Resolution }},
		{Name: "operation", Wide: true, Value: func(a A) string { return a.Operation }}, // NEW_ESIM or TOPUP
		{Name: "iccid", Wide: true, Value: func(a A) string { return a.ICCID }},
		{Name: "subscription_ids", Wide: true, Value: func(a A) string { return strings.Join(a.SubscriptionIDs, ",") }},
	}
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// batchCell is "<batch>:<line>" for a bulk row, the batch shortened for the
// table: a file's base name rather than its absolute path.
func batchCell(a journal.Attempt) string {
	if a.Batch == "" {
		return ""
	}
	b := a.Batch
	if rest, ok := strings.CutPrefix(b, "file:"); ok {
		b = rest
	}
	if i := strings.LastIndexAny(b, `/\`); i >= 0 && i < len(b)-1 && !strings.HasPrefix(a.Batch, "batch:") {
		b = b[i+1:]
	}
	switch {
	case a.Line > 0:
		return b + ":" + strconv.Itoa(a.Line)
	case a.Row > 0:
		return b + ":" + strconv.Itoa(a.Row)
	}
	return b
}

// clip cuts s to n runes for a table cell; structured output has it whole.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// matches reports whether a passes the filters. A sending attempt with no
// record for staleSending counts as unknown: its run is gone.
func (o *HistoryOptions) matches(a journal.Attempt, now time.Time) bool {
	if !o.Range.From.IsZero() && a.Started.Before(o.Range.From) {
		return false
	}
	if !o.Range.To.IsZero() && !a.Started.Before(o.Range.To) {
		return false
	}
	switch o.status {
	case "", a.Status:
		return true
	case journal.Unknown:
		return a.Status == journal.Sending && now.Sub(a.Updated) > staleSending
	}
	return false
}

func runHistory(o *HistoryOptions) error {
	cols := HistoryColumns()
	p, err := factory.PrinterFor(o.Printer, cols)
	if err != nil {
		return err
	}
	path, err := o.JournalPath()
	if err != nil {
		return err
	}
	all, err := journal.Load(path)
	if err != nil {
		return err
	}
	now := o.Now()
	var shown []journal.Attempt
	for _, a := range slices.Backward(all) {
		if o.matches(a, now) {
			shown = append(shown, a)
		}
	}
	// Newest first; among equal start times, the later in the file first.
	slices.SortStableFunc(shown, func(a, b journal.Attempt) int { return b.Started.Compare(a.Started) })

	if len(shown) == 0 && !p.Structured() {
		if len(all) == 0 {
			fmt.Fprintf(o.IO.ErrOut, "No order attempts in the journal (%s).\n", path)
		} else {
			fmt.Fprintf(o.IO.ErrOut, "No order attempts match in the journal (%s): %d in all.\n", path, len(all))
		}
		return nil
	}
	more := false
	seq := cmdutil.Take(cmdutil.Seq(shown), o.Limit.N(), &more)
	if _, err := output.List(p, seq, cols, 0); err != nil {
		return fmt.Errorf("order history: %w", err)
	}
	cmdutil.NoteMore(o.IO.ErrOut, more, o.Limit.N(), "attempts")
	return nil
}

// OpenAttempts are the attempts of all sent to target (an API base URL)
// with clientID whose outcome the journal does not know: sending (a run in
// progress, or killed) or unknown; newest first.
func OpenAttempts(all []journal.Attempt, target, clientID string) []journal.Attempt {
	target = strings.TrimRight(target, "/")
	var open []journal.Attempt
	for _, a := range slices.Backward(all) {
		if a.Target == target && a.ClientID == clientID && (a.Status == journal.Sending || a.Status == journal.Unknown) {
			open = append(open, a)
		}
	}
	slices.SortStableFunc(open, func(a, b journal.Attempt) int { return b.Started.Compare(a.Started) })
	return open
}
