package order

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/bulk"
	"github.com/connectctl/connectctl/internal/config"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/journal"
	"github.com/connectctl/connectctl/internal/orderfile"
	"github.com/connectctl/connectctl/internal/output"
)

// BulkOptions are the flags of `order new --from-file` and `order topup
// --from-file`.
type BulkOptions struct {
	File        string
	SkipInvalid bool
	Concurrency int
	Force       bool
	Batch       string
}

// DefaultConcurrency keeps enough orders in flight to use a 1,000 a minute
// quota at the API's usual latency; the limiter does the rest.
const DefaultConcurrency = 8

// maxListedProblems bounds the rows listed by name in messages.
const maxListedProblems = 20

// bindFlags binds --from-file (what describes one row's order) and the
// flags that go with it.
func (b *BulkOptions) bindFlags(cmd *cobra.Command, fromFile string) {
	fl := cmd.Flags()
	fl.StringVar(&b.File, "from-file", "", fromFile)
	fl.BoolVar(&b.SkipInvalid, "skip-invalid", false, "With --from-file: order the valid rows even when some rows are invalid")
	fl.IntVar(&b.Concurrency, "concurrency", DefaultConcurrency, "With --from-file: orders in flight at once (paced to the API's quota)")
	fl.BoolVar(&b.Force, "force", false, "With --from-file: order every row again, even rows the journal shows as ordered")
	fl.StringVar(&b.Batch, "batch", "", "With --from-file: name the batch in the journal (default: the file's absolute path); keep it stable across CI workspaces")
}

// bulkOnlyFlags make sense only with --from-file; perRowFlags (of `order
// new`) only without.
var (
	bulkOnlyFlags = []string{"skip-invalid", "concurrency", "force", "batch"}
	perRowFlags   = []string{"device-id", "qr", "qr-png", "invert"}
	// defaultFlags fill the cells a row leaves empty.
	defaultFlags = []string{"product", "email", "country", "device-type", "device-model", "device-make", "eid",
		"first-name", "last-name", "residence", "activation-date", "price", "currency",
		"subscriber-id", "address-line1", "address-line2", "city", "postal-code", "state", "address-country", "purchase-location"}
	// topUpDefaultFlags fill the cells a top-up row leaves empty.
	topUpDefaultFlags = []string{"product", "activation-date", "price", "currency"}
)

// checkBulkFlags refuses flag combinations that cannot mean anything;
// perRow are the flags that describe one order only.
func checkBulkFlags(cmd *cobra.Command, b *BulkOptions, perRow []string) error {
	fl := cmd.Flags()
	if b.File == "" {
		for _, n := range bulkOnlyFlags {
			if fl.Changed(n) {
				return cmdutil.FlagErrorf("--%s goes with --from-file", n)
			}
		}
		return nil
	}
	for _, n := range perRow {
		if fl.Changed(n) {
			return cmdutil.FlagErrorf("--%s does not go with --from-file: put a device-id column in the file; activation codes are in the results", n)
		}
	}
	if b.Concurrency < 1 || b.Concurrency > 64 {
		return cmdutil.FlagErrorf("--concurrency %d: want 1 to 64", b.Concurrency)
	}
	if strings.TrimSpace(b.Batch) == "" && fl.Changed("batch") {
		return cmdutil.FlagErrorf("--batch: want a name, e.g. conference-2026")
	}
	return nil
}

// ResultColumns are the table and CSV columns of bulk results.
func ResultColumns() []output.Column[bulk.Result] {
	return []output.Column[bulk.Result]{
		{Name: "row", Width: 4, Value: func(r bulk.Result) string { return fmt.Sprint(r.Row) }},
		{Name: "result", Kind: output.KindStatus, Width: 9, Value: func(r bulk.Result) string { return string(r.Result) }},
		{Name: "order_id", Aliases: []string{"order"}, Width: 36, Value: func(r bulk.Result) string { return r.OrderID }},
		{Name: "status", Kind: output.KindStatus, Width: 10, Value: func(r bulk.Result) string { return r.Status }},
		{Name: "iccid", Width: 19, Value: func(r bulk.Result) string { return r.ICCID }},
		{Name: "activation_code", Width: 38, Value: func(r bulk.Result) string { return r.ActivationCode }},
		{Name: "error", Value: func(r bulk.Result) string { return r.Error }},
		{Name: "line", Wide: true, Value: func(r bulk.Result) string { return fmt.Sprint(r.Line) }},
		{Name: "email", Wide: true, Value: func(r bulk.Result) string { return r.Email }},
	}
}

// TopUpResultColumns are the columns of bulk top-up results: a top-up has
// no activation code, its new subscriptions instead (with --wait).
func TopUpResultColumns() []output.Column[bulk.Result] {
	return []output.Column[bulk.Result]{
		{Name: "row", Width: 4, Value: func(r bulk.Result) string { return fmt.Sprint(r.Row) }},
		{Name: "result", Kind: output.KindStatus, Width: 9, Value: func(r bulk.Result) string { return string(r.Result) }},
		{Name: "iccid", Width: 19, Value: func(r bulk.Result) string { return r.ICCID }},
		{Name: "order_id", Aliases: []string{"order"}, Width: 36, Value: func(r bulk.Result) string { return r.OrderID }},
		{Name: "status", Kind: output.KindStatus, Width: 10, Value: func(r bulk.Result) string { return r.Status }},
		{Name: "subscription_ids", Aliases: []string{"subscriptions"}, Value: func(r bulk.Result) string { return strings.Join(r.SubscriptionIDs, " ") }},
		{Name: "error", Value: func(r bulk.Result) string { return r.Error }},
		{Name: "line", Wide: true, Value: func(r bulk.Result) string { return fmt.Sprint(r.Line) }},
	}
}

// bulkJob is one run over a file, of new orders or of top-ups: the two
// differ only in how a row is read and checked and how results are shown.
type bulkJob struct {
	io      *iostreams.IOStreams
	opts    *BulkOptions
	wait    *WaitOptions
	now     func() time.Time
	printer func() (*output.Printer, error)
	client  func() (*connect.Client, error)
	jl      Journaling
	command string // for errors: "order new --from-file"
	kind    orderfile.Kind
	// check validates a row, the defaults filling its empty cells.
	check   func(orderfile.Row) (connect.OrderInput, []orderfile.RowError)
	columns []output.Column[bulk.Result]
}

// runBulk orders one eSIM per row of the file.
func runBulk(ctx context.Context, o *NewOptions, cmd *cobra.Command) error {
	defaults, err := bulkDefaults(cmd, o)
	if err != nil {
		return err
	}
	now := o.Now()
	return (&bulkJob{io: o.IO, opts: &o.Bulk, wait: &o.Wait, now: o.Now, printer: o.Printer, client: o.Client, jl: o.Journaling,
		command: "order new --from-file", kind: orderfile.NewESIM, columns: ResultColumns(),
		check: func(row orderfile.Row) (connect.OrderInput, []orderfile.RowError) {
			return orderfile.CheckFor(row, defaults, now, o.IgnoreChecksum, o.edition)
		}}).run(ctx)
}

// run checks every row, then places the orders of the valid ones.
func (job *bulkJob) run(ctx context.Context) error {
	b := job.opts
	io := job.io
	data, batch, err := readBulkFile(io.In, b.File)
	if err != nil {
		return err
	}
	if b.Batch != "" {
		batch = "batch:" + strings.TrimSpace(b.Batch)
	}
	rows, bad, err := orderfile.ReadKind(bytes.NewReader(data), job.kind)
	if err != nil {
		return cmdutil.FlagErrorf("--from-file %s: %v", b.File, err)
	}
	var orders []bulk.Order
	var invalid []bulk.Result
	for _, e := range bad {
		invalid = append(invalid, bulk.Result{Row: e.Row, Line: e.Line, Result: bulk.Invalid, Error: e.Error()})
	}
	for _, row := range rows {
		in, errs := job.check(row)
		if len(errs) > 0 {
			msgs := make([]string, len(errs))
			for i, e := range errs {
				msgs[i] = e.Error()
			}
			invalid = append(invalid, bulk.Result{Row: row.Number, Line: row.Line, Email: row.Fields["email"], ICCID: row.Fields["iccid"],
				Result: bulk.Invalid, Error: strings.Join(msgs, "; ")})
			continue
		}
		orders = append(orders, bulk.Order{Row: row.Number, Line: row.Line, Input: in})
	}
	sortResults(invalid)
	if len(invalid) > 0 && !b.SkipInvalid {
		for i, r := range invalid {
			if i == maxListedProblems {
				fmt.Fprintf(io.ErrOut, "… and %d more invalid rows\n", len(invalid)-i)
				break
			}
			fmt.Fprintln(io.ErrOut, r.Error)
		}
		return cmdutil.FlagErrorf("%s: %d of %d rows are invalid; nothing was sent. Fix them, or order the valid rows with --skip-invalid",
			b.File, len(invalid), len(invalid)+len(orders))
	}
	if len(orders) == 0 && len(invalid) == 0 {
		return cmdutil.FlagErrorf("%s: no rows to order", b.File)
	}

	p, err := factory.PrinterFor(job.printer, job.columns)
	if err != nil {
		return err
	}
	scope, err := job.jl.Scope()
	if err != nil {
		return err
	}
	scope.Batch = batch
	jpath, err := job.jl.JournalPath()
	if err != nil {
		return fmt.Errorf("order journal: %w", err)
	}
	history, err := journal.Load(jpath)
	if err != nil {
		return fmt.Errorf("order journal %s: %w", jpath, err)
	}
	jr, err := journal.Open(jpath)
	if err != nil {
		return fmt.Errorf("order journal: %w", err)
	}
	defer jr.Close()
	unlock, err := jr.LockBatch(batch)
	if err != nil {
		if errors.Is(err, journal.ErrBusy) {
			return &cmdutil.ExitError{Code: cmdutil.ExitUnexpected, Err: fmt.Errorf("%s: another connectctl run is ordering this file right now; wait for it to end (running both could order twice)", b.File)}
		}
		return fmt.Errorf("order journal: %w", err)
	}
	defer unlock()
	client, err := job.client()
	if err != nil {
		return err
	}

	stream := output.NewStream(p, job.columns)
	progress := io.StartProgress("Ordering", len(orders)+len(invalid))
	r := &bulk.Runner{
		API: client, Journal: jr, History: history, Scope: scope,
		Concurrency: b.Concurrency, Wait: job.wait.Wait, WaitTimeout: job.wait.Timeout, PollInterval: job.wait.PollInterval,
		Force: b.Force, Now: job.now, CorrelationID: job.jl.correlationID(),
		Emit: func(res bulk.Result) {
			progress.Above(func() {
				if err := stream.Write(res); err != nil {
					fmt.Fprintf(io.ErrOut, "writing the result of row %d: %v\n", res.Row, err)
				}
			})
			progress.Add(res.OK())
		},
		Logf: func(format string, args ...any) {
			progress.Above(func() { fmt.Fprintf(io.ErrOut, format+"\n", args...) })
		},
	}
	summary, runErr := r.Run(ctx, orders, invalid)
	progress.Stop()
	if err := stream.Close(); err != nil && runErr == nil {
		runErr = err
	}
	printSummary(io.ErrOut, summary, jpath)
	switch {
	case summary.Interrupted:
		return &cmdutil.ExitError{Code: cmdutil.ExitInterrupted, Silent: true, Err: ctx.Err()}
	case runErr != nil:
		return fmt.Errorf("%s: %w", job.command, runErr)
	case summary.ExitCode() != 0:
		return &cmdutil.ExitError{Code: summary.ExitCode(), Silent: true, Err: errors.New("some rows did not succeed")}
	}
	return nil
}

// bulkDefaults gathers what fills empty cells: the flags given with
// --from-file, then the profile's defaults. A bad flag value is a usage
// error before the file is even read.
func bulkDefaults(cmd *cobra.Command, o *NewOptions) (orderfile.Row, error) {
	d := flagDefaults(cmd, defaultFlags, o.Plans.Products)
	if o.Defaults != nil && (d.Fields["country"] == "" || d.Fields["device-type"] == "") {
		pd, err := o.Defaults()
		if err != nil {
			return d, err
		}
		for k, v := range map[string]string{"country": pd.Country, "device-type": pd.DeviceType} {
			if d.Fields[k] == "" && v != "" {
				d.Fields[k] = v
			}
		}
	}
	_, errs := orderfile.CheckFor(d, orderfile.Row{}, o.Now(), o.IgnoreChecksum, o.edition)
	return d, defaultsError(d, errs)
}

// flagDefaults are the values of the flags among names given on the
// command line, as a row; products are --product's.
func flagDefaults(cmd *cobra.Command, names []string, products []string) orderfile.Row {
	d := orderfile.Row{Fields: map[string]string{}}
	fl := cmd.Flags()
	for _, name := range names {
		if !fl.Changed(name) {
			continue
		}
		if name == "product" {
			d.Products = append(d.Products, products...)
			continue
		}
		d.Fields[name] = fl.Lookup(name).Value.String()
	}
	return d
}

// defaultsError reports the problems of the defaults checked as a row of
// their own; complaints about values they do not have are the rows'
// business.
func defaultsError(d orderfile.Row, errs []orderfile.RowError) error {
	for _, e := range errs {
		present := d.Fields[e.Field] != "" || (e.Field == "product" && len(d.Products) > 0)
		if e.Field != "" && present {
			return cmdutil.FlagErrorf("--%s (a default for every row): %s", e.Field, e.Msg)
		}
	}
	return nil
}

// readBulkFile reads the file (or stdin) whole and names its identity in
// the journal: the absolute path, or for stdin a digest of the content.
func readBulkFile(stdin io.Reader, name string) ([]byte, string, error) {
	const maxFile = 64 << 20
	var r io.Reader
	batch := ""
	if name == "-" {
		r = stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, "", cmdutil.FlagErrorf("--from-file: %v", err)
		}
		defer f.Close()
		r = f
		abs, err := filepath.Abs(name)
		if err != nil {
			return nil, "", cmdutil.FlagErrorf("--from-file %s: %v", name, err)
		}
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			abs = real
		}
		batch = "file:" + abs
	}
	data, err := io.ReadAll(io.LimitReader(r, maxFile+1))
	if err != nil {
		return nil, "", cmdutil.FlagErrorf("--from-file %s: %v", name, err)
	}
	if len(data) > maxFile {
		return nil, "", cmdutil.FlagErrorf("--from-file %s: larger than %d MiB; split it", name, maxFile>>20)
	}
	if batch == "" {
		sum := sha256.Sum256(data)
		batch = "stdin:" + hex.EncodeToString(sum[:16])
	}
	return data, batch, nil
}

// printSummary tells, on stderr, how the run went and what to do next.
func printSummary(w io.Writer, s bulk.Summary, journalPath string) {
	var parts []string
	for _, oc := range []bulk.Outcome{bulk.Ordered, bulk.Skipped, bulk.Recovered, bulk.Failed, bulk.Pending,
		bulk.Refused, bulk.Unknown, bulk.Invalid, bulk.Error} {
		if n := s.Counts[oc]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, oc))
		}
	}
	if s.NotSent > 0 {
		parts = append(parts, fmt.Sprintf("%d not sent", s.NotSent))
	}
	fmt.Fprintf(w, "%s: %s.\n", output.Plural(s.Rows, "row"), strings.Join(parts, ", "))
	if len(s.Problems) > 0 {
		fmt.Fprintf(w, "%s did not succeed:\n", output.Plural(len(s.Problems), "row"))
		for i, p := range s.Problems {
			if i == maxListedProblems {
				fmt.Fprintf(w, "  … and %d more (see the results)\n", len(s.Problems)-i)
				break
			}
			fmt.Fprintf(w, "  row %d (line %d): %s: %s\n", p.Row, p.Line, p.Result, p.Error)
		}
	}
	if s.ExitCode() == 6 || s.Interrupted {
		fmt.Fprintf(w, "Re-run the same command to finish: rows already ordered are skipped, and rows whose outcome is unknown are looked up before anything is ordered again (journal: %s).\n", journalPath)
	}
}

func sortResults(rs []bulk.Result) {
	slices.SortStableFunc(rs, func(a, b bulk.Result) int { return a.Row - b.Row })
}

// bulkRetry lets a bulk run retry an order the API refused with 429 (it
// did no work) and ride out longer rate-limit waits.
func bulkRetry(p connect.RetryPolicy) connect.RetryPolicy {
	p.RetryPOSTOn429 = true
	p.MaxAttempts = max(p.MaxAttempts, 6)
	p.MaxElapsed = max(p.MaxElapsed, 3*time.Minute)
	return p
}

// scopeFromSettings names the profile, API and client of the settings.
func scopeFromSettings(s *config.Settings) bulk.Scope {
	return bulk.Scope{Target: strings.TrimRight(s.Profile.BaseURL, "/"), ClientID: s.ClientID, Profile: s.Profile.Name}
}
