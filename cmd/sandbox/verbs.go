package sandbox

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/output"

	"github.com/connectctl/connectctl/internal/lazy"
)

// The verbs that drive a running sandbox through its admin endpoints, so
// demos and tests need no curl: usage, fault add|list|clear, sims, stats.

// adminOptions are what every verb shares.
type adminOptions struct {
	IO      *iostreams.IOStreams
	Printer *output.Printer
	Admin   func(context.Context) (*adminClient, error)
}

func newAdminOptions(f *factory.Factory) adminOptions {
	return adminOptions{IO: f.IOStreams, Admin: func(ctx context.Context) (*adminClient, error) { return newAdminClient(ctx, f) }}
}

const adminLong = "\n\nIt talks to the sandbox at the current profile's base URL (the built-in\n" +
	"sandbox profile: http://127.0.0.1:7787; CONNECTCTL_BASE_URL overrides it) and\n" +
	"refuses (exit 2) a profile that is not a sandbox: an https URL or the real\n" +
	"API is refused before anything is sent, any other URL must answer\n" +
	"GET /_sandbox/health as a sandbox does. See docs/sandbox.md."

// ---- usage ----

// UsageOptions are the inputs of `sandbox usage`.
type UsageOptions struct {
	adminOptions
	ICCID   string
	Bytes   string
	Percent float64

	bytes int64
}

// UsageResult is the sandbox's answer to a usage report.
type UsageResult struct {
	ICCID         string `json:"iccid"`
	Requested     int64  `json:"requested"`
	Consumed      int64  `json:"consumed"`
	Unconsumed    int64  `json:"unconsumed"`
	Subscriptions []struct {
		ID             string `json:"id"`
		Status         string `json:"status"`
		Used           int64  `json:"used"`
		InitialBalance string `json:"initialBalance"`
		SpentBalance   string `json:"spentBalance"`
	} `json:"subscriptions"`
	Notifications []struct {
		Type           string `json:"type"`
		SubscriptionID string `json:"subscription_id"`
		WebhookURL     string `json:"webhook_url,omitempty"`
		Delivery       string `json:"delivery"`
		HTTPStatus     int    `json:"http_status,omitempty"`
		Error          string `json:"error,omitempty"`
	} `json:"notifications"`
}

var usageColumns = []output.Column[UsageResult]{
	{Name: "iccid", Value: func(u UsageResult) string { return u.ICCID }},
	{Name: "consumed", Value: func(u UsageResult) string { return output.Bytes(u.Consumed) }},
	{Name: "unconsumed", Value: func(u UsageResult) string { return output.Bytes(u.Unconsumed) }},
	{Name: "subscriptions", Value: func(u UsageResult) string {
		parts := make([]string, 0, len(u.Subscriptions))
		for _, s := range u.Subscriptions {
			parts = append(parts, fmt.Sprintf("%s %s (%s used)", shortID(s.ID), s.Status, output.Bytes(s.Used)))
		}
		return strings.Join(parts, ", ")
	}},
	{Name: "notifications", Value: func(u UsageResult) string {
		parts := make([]string, 0, len(u.Notifications))
		for _, n := range u.Notifications {
			parts = append(parts, n.Type+" "+n.Delivery)
		}
		return strings.Join(parts, ", ")
	}},
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12] + "…"
	}
	return id
}

// NewCmdUsage returns `connectctl sandbox usage ICCID`.
func NewCmdUsage(f *factory.Factory, runF func(context.Context, *UsageOptions) error) *cobra.Command {
	opts := &UsageOptions{adminOptions: newAdminOptions(f)}
	if runF == nil {
		runF = runUsage
	}
	cmd := &cobra.Command{
		Use:   "usage ICCID (--bytes SIZE | --percent P)",
		Short: "Consume data on a sandbox SIM, firing its usage webhooks",
		Long: "Consume data on a sandbox SIM's ACTIVE subscriptions, oldest first, as a\n" +
			"device would. Crossing 80 % of a plan POSTs USAGE_THRESHOLD to the SIM's\n" +
			"webhook; using it up marks it DEPLETED and POSTs SUBSCRIPTION_END. The answer\n" +
			"lists the plans touched and each notification's delivery.\n\n" +
			"--bytes takes bytes or a size in binary units as the API's plans (900MB,\n" +
			"1.5GB; 1 GB = 1073741824 bytes); --percent a share of the SIM's ACTIVE\n" +
			"plans' data taken together (85 on a fresh 1 GB plan: 85 % used)." + adminLong,
		Example: cmdutil.Examples(
			"Use 85 % of a SIM's plan (fires its usage webhook)", "connectctl sandbox usage 8944478600001000018 --percent 85",
			"Use 900 MB of data", "connectctl sandbox usage 8944478600001000018 --bytes 900MB",
			"Use it all up and see how the notifications went", "connectctl sandbox usage \"$ICCID\" --percent 100 -o json --jq '.notifications[].delivery'",
		),
		Args: cmdutil.ExactArgs("ICCID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Printer, err = factory.PrinterFor(f.Printer, usageColumns); err != nil {
				return err
			}
			if opts.ICCID, err = cmdutil.ICCIDArg(opts.IO.ErrOut, "ICCID", args[0], false, false); err != nil {
				return err
			}
			bytesSet, pctSet := cmd.Flags().Changed("bytes"), cmd.Flags().Changed("percent")
			switch {
			case bytesSet == pctSet:
				return cmdutil.FlagErrorf("give one of --bytes SIZE or --percent P")
			case bytesSet:
				if opts.bytes, err = ParseSize(opts.Bytes); err != nil {
					return cmdutil.FlagErrorf("--bytes %q: %v", opts.Bytes, err)
				}
			case math.IsNaN(opts.Percent) || opts.Percent <= 0 || opts.Percent > 100:
				return cmdutil.FlagErrorf("--percent %v: want a share above 0 and at most 100", opts.Percent)
			}
			return runF(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Bytes, "bytes", "", "Data to consume: bytes, or a size such as 900MB or 1.5GB (binary units)")
	cmd.Flags().Float64Var(&opts.Percent, "percent", 0, "Data to consume as a share (0-100] of the SIM's ACTIVE plans' data")
	return factory.SetColumns(cmd, usageColumns)
}

func runUsage(ctx context.Context, o *UsageOptions) error {
	c, err := o.Admin(ctx)
	if err != nil {
		return err
	}
	body := map[string]any{"iccid": o.ICCID}
	if o.bytes > 0 {
		body["bytes"] = o.bytes
	} else {
		body["percent"] = o.Percent
	}
	var res UsageResult
	if err := c.call(ctx, http.MethodPost, "/_sandbox/usage", body, &res); err != nil {
		return fmt.Errorf("sandbox usage: %w", err)
	}
	if err := output.Item(o.Printer, res, usageColumns); err != nil {
		return err
	}
	if res.Unconsumed > 0 {
		fmt.Fprintf(o.IO.ErrOut, "%s not consumed: the SIM's ACTIVE plans had no more data.\n", output.Bytes(res.Unconsumed))
	}
	return nil
}

var sizeRE = lazy.Value[*regexp.Regexp]{New: func() *regexp.Regexp {
	return regexp.MustCompile(`^(?i)\s*([0-9]+(?:\.[0-9]+)?)\s*(b|kb|kib|mb|mib|gb|gib|tb|tib)?\s*$`)
}}

// ParseSize reads a positive byte count: an integer, or a number with a
// binary unit (KB, MB, GB, TB; KiB... too): 1.5GB = 1610612736.
func ParseSize(s string) (int64, error) {
	m := sizeRE.Get().FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("want a number of bytes or a size such as 900MB or 1.5GB")
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, err
	}
	exp := map[string]float64{"": 0, "b": 0, "kb": 1, "kib": 1, "mb": 2, "mib": 2, "gb": 3, "gib": 3, "tb": 4, "tib": 4}[strings.ToLower(m[2])]
	b := math.Round(v * math.Pow(1024, exp))
	if b < 1 || b > 1<<53 {
		return 0, fmt.Errorf("want at least 1 byte and at most 8 PB")
	}
	return int64(b), nil
}

// ---- fault add|list|clear ----

// Fault is one queued deterministic fault, as the sandbox lists it.
type Fault struct {
	Method string `json:"method,omitempty"`
	Path   string `json:"path,omitempty"`
	Status int    `json:"status,omitempty"`
	Count  int    `json:"count"`
	After  bool   `json:"after,omitempty"`
	Drop   bool   `json:"drop,omitempty"`
	Bare   bool   `json:"bare,omitempty"`
	Delay  string `json:"delay,omitempty"`
}

var faultColumns = []output.Column[Fault]{
	{Name: "method", Value: func(f Fault) string { return orAny(f.Method) }},
	{Name: "path", Value: func(f Fault) string { return orAny(f.Path) }},
	{Name: "answer", Derived: true, Value: faultAnswer},
	{Name: "after", Value: func(f Fault) string {
		if f.After {
			return "after the work"
		}
		return "before the work"
	}},
	{Name: "delay", Value: func(f Fault) string { return f.Delay }},
	{Name: "count", Value: func(f Fault) string { return strconv.Itoa(f.Count) }},
}

func orAny(s string) string {
	if s == "" {
		return "any"
	}
	return s
}

func faultAnswer(f Fault) string {
	switch {
	case f.Drop:
		return "connection dropped"
	case f.Status == 0:
		return "the real answer, late"
	case f.Bare:
		return strconv.Itoa(f.Status) + " bare (no Retry-After)"
	}
	return strconv.Itoa(f.Status) + " " + http.StatusText(f.Status)
}

// NewCmdFault returns `connectctl sandbox fault`.
func NewCmdFault(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "fault <command>",
		Aliases: []string{"faults"},
		Short:   "Queue deterministic faults: error statuses, bare 429s, dropped connections, delays",
		Example: cmdutil.Examples(
			"Answer the next order with a 503 after placing it", "connectctl sandbox fault add --method POST --path /v1/order --status 503 --after",
			"List the queued faults", "connectctl sandbox fault list",
			"Drop every queued fault", "connectctl sandbox fault clear",
		),
	}
	cmdutil.GroupArgs(cmd)
	cmd.AddCommand(NewCmdFaultAdd(f, nil))
	cmd.AddCommand(NewCmdFaultList(f, nil))
	cmd.AddCommand(NewCmdFaultClear(f, nil))
	return cmd
}

// FaultAddOptions are the inputs of `sandbox fault add`.
type FaultAddOptions struct {
	adminOptions
	Fault Fault
	delay time.Duration
}

var methodRE = lazy.Value[*regexp.Regexp]{New: func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z]+$`) }}

// NewCmdFaultAdd returns `connectctl sandbox fault add`.
func NewCmdFaultAdd(f *factory.Factory, runF func(context.Context, *FaultAddOptions) error) *cobra.Command {
	opts := &FaultAddOptions{adminOptions: newAdminOptions(f)}
	if runF == nil {
		runF = runFaultAdd
	}
	var delay time.Duration
	cmd := &cobra.Command{
		Use:   "add [--method M] [--path PREFIX] (--status N [--bare] | --drop | --delay D) [--after] [--count N]",
		Short: "Queue a fault for the next matching requests",
		Long: "Queue a fault for the next --count requests whose method is --method (any\n" +
			"when not given) and whose path starts with --path (any when not given):\n" +
			"/v1/... and the token endpoint take faults, the admin endpoints never do.\n\n" +
			"  --status N    answer N (400-599) the way a real deployment shows it: 500 a\n" +
			"                v1 INTERNAL_ERROR, 502 a proxy's HTML page, 503 an empty body\n" +
			"                with Retry-After, 504 an RFC 7807 problem, 429 the rate-limit body\n" +
			"  --bare        with 429 (the default status then): no Retry-After, no\n" +
			"                rate-limit headers, as some gateways answer\n" +
			"  --drop        close the connection with no answer\n" +
			"  --delay D     hold the answer back D (up to 10m); alone, the real answer\n" +
			"                comes late (a slow backend, for --timeout)\n" +
			"  --after       do the work first, then lose its answer to the fault: an\n" +
			"                order made so exists although the client saw a failure\n\n" +
			"Faults are used first queued, first used. With no --status, --drop or\n" +
			"--delay, the fault is a 500." + adminLong,
		Example: cmdutil.Examples(
			"Answer the next order with a 503 after placing it", "connectctl sandbox fault add --method POST --path /v1/order --status 503 --after",
			"Three bare 429s (no rate-limit headers) on the SIM endpoints", "connectctl sandbox fault add --path /v1/sim --bare --count 3",
			"Slow the catalogue down by 5 seconds", "connectctl sandbox fault add --path /v1/products --delay 5s",
			"Drop the connection after placing the next order", "connectctl sandbox fault add --method POST --path /v1/order --drop --after",
		),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Printer, err = factory.PrinterFor(f.Printer, faultColumns); err != nil {
				return err
			}
			if cmd.Flags().Changed("delay") {
				opts.delay = delay
			}
			if err := opts.validate(cmd.Flags().Changed("delay")); err != nil {
				return err
			}
			return runF(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Fault.Method, "method", "", "HTTP method to match (any when not given)")
	fl.StringVar(&opts.Fault.Path, "path", "", "Path prefix to match, such as /v1/order (any when not given)")
	fl.IntVar(&opts.Fault.Status, "status", 0, "Status to answer, 400-599 (default 500 unless --drop, --delay or --bare)")
	fl.IntVar(&opts.Fault.Count, "count", 1, "How many matching requests meet the fault")
	fl.BoolVar(&opts.Fault.After, "after", false, "Do the work first, then answer the fault instead of the result")
	fl.BoolVar(&opts.Fault.Drop, "drop", false, "Close the connection with no answer")
	fl.BoolVar(&opts.Fault.Bare, "bare", false, "A 429 without Retry-After or rate-limit headers (implies --status 429)")
	fl.DurationVar(&delay, "delay", 0, "Hold the answer back this long (up to 10m)")
	return factory.SetColumns(cmd, faultColumns)
}

func (o *FaultAddOptions) validate(delaySet bool) error {
	fl := &o.Fault
	fl.Method = strings.ToUpper(strings.TrimSpace(fl.Method))
	switch {
	case fl.Method != "" && !methodRE.Get().MatchString(fl.Method):
		return cmdutil.FlagErrorf("--method %q: want an HTTP method such as GET or POST", fl.Method)
	case fl.Path != "" && !strings.HasPrefix(fl.Path, "/"):
		return cmdutil.FlagErrorf("--path %q: want a path prefix starting with /, such as /v1/order", fl.Path)
	case strings.HasPrefix(fl.Path, "/_sandbox"):
		return cmdutil.FlagErrorf("--path %q: the admin endpoints take no faults", fl.Path)
	case fl.Count < 1:
		return cmdutil.FlagErrorf("--count %d: want 1 or more", fl.Count)
	case delaySet && (o.delay <= 0 || o.delay > 10*time.Minute):
		return cmdutil.FlagErrorf("--delay %v: want a duration from 1ms to 10m, such as 3s", o.delay)
	case fl.Drop && fl.Status != 0:
		return cmdutil.FlagErrorf("--drop answers nothing: give --drop or --status, not both")
	case fl.Drop && fl.Bare:
		return cmdutil.FlagErrorf("--bare is a kind of 429: give --drop or --bare, not both")
	case fl.Bare && fl.Status != 0 && fl.Status != http.StatusTooManyRequests:
		return cmdutil.FlagErrorf("--bare applies to 429 only, not --status %d", fl.Status)
	case fl.Status != 0 && (fl.Status < 400 || fl.Status > 599):
		return cmdutil.FlagErrorf("--status %d: want a 4xx or 5xx status", fl.Status)
	}
	if fl.Bare {
		fl.Status = http.StatusTooManyRequests
	}
	if o.delay > 0 {
		fl.Delay = o.delay.String()
	}
	if fl.Status == 0 && !fl.Drop && o.delay == 0 {
		fl.Status = http.StatusInternalServerError
	}
	return nil
}

func runFaultAdd(ctx context.Context, o *FaultAddOptions) error {
	c, err := o.Admin(ctx)
	if err != nil {
		return err
	}
	var res struct {
		Fault  Fault `json:"fault"`
		Queued int   `json:"queued"`
	}
	if err := c.call(ctx, http.MethodPost, "/_sandbox/faults", o.Fault, &res); err != nil {
		return fmt.Errorf("sandbox fault add: %w", err)
	}
	if o.Printer.Structured() && o.Printer.Format() != output.CSV {
		return output.Item(o.Printer, res, nil)
	}
	if err := output.Item(o.Printer, res.Fault, faultColumns); err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "Queued; %s in all.\n", output.Plural(res.Queued, "fault use"))
	return nil
}

// FaultListOptions are the inputs of `sandbox fault list` and `clear`.
type FaultListOptions struct{ adminOptions }

// NewCmdFaultList returns `connectctl sandbox fault list`.
func NewCmdFaultList(f *factory.Factory, runF func(context.Context, *FaultListOptions) error) *cobra.Command {
	opts := &FaultListOptions{newAdminOptions(f)}
	if runF == nil {
		runF = runFaultList
	}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the queued faults, first used first",
		Long:  "List the queued faults, first used first, with the uses each has left." + adminLong,
		Example: cmdutil.Examples(
			"List the queued faults", "connectctl sandbox fault list",
			"How many faulty answers are left", "connectctl sandbox fault list -o json --jq 'map(.count) | add'",
		),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Printer, err = factory.PrinterFor(f.Printer, faultColumns); err != nil {
				return err
			}
			return runF(cmd.Context(), opts)
		},
	}
	return factory.SetColumns(cmd, faultColumns)
}

func runFaultList(ctx context.Context, o *FaultListOptions) error {
	c, err := o.Admin(ctx)
	if err != nil {
		return err
	}
	var res struct {
		Faults []Fault `json:"faults"`
	}
	if err := c.call(ctx, http.MethodGet, "/_sandbox/faults", nil, &res); err != nil {
		return fmt.Errorf("sandbox fault list: %w", err)
	}
	_, err = output.List(o.Printer, cmdutil.Seq(res.Faults), faultColumns, 0)
	return err
}

// NewCmdFaultClear returns `connectctl sandbox fault clear`.
func NewCmdFaultClear(f *factory.Factory, runF func(context.Context, *FaultListOptions) error) *cobra.Command {
	opts := &FaultListOptions{newAdminOptions(f)}
	if runF == nil {
		runF = runFaultClear
	}
	return &cobra.Command{
		Use:   "clear",
		Short: "Drop every queued fault",
		Long:  "Drop every queued fault; -o json prints {\"cleared\": N}." + adminLong,
		Example: cmdutil.Examples(
			"Drop every queued fault", "connectctl sandbox fault clear",
			"How many were cleared", "connectctl sandbox fault clear -o json --jq .cleared",
		),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Printer, err = f.Printer(); err != nil {
				return err
			}
			return runF(cmd.Context(), opts)
		},
	}
}

func runFaultClear(ctx context.Context, o *FaultListOptions) error {
	c, err := o.Admin(ctx)
	if err != nil {
		return err
	}
	var res struct {
		Cleared int `json:"cleared"`
	}
	if err := c.call(ctx, http.MethodDelete, "/_sandbox/faults", nil, &res); err != nil {
		return fmt.Errorf("sandbox fault clear: %w", err)
	}
	if o.Printer.Structured() {
		return output.Item(o.Printer, res, nil)
	}
	fmt.Fprintf(o.IO.ErrOut, "Cleared %s.\n", output.Plural(res.Cleared, "queued fault"))
	return nil
}

// ---- sims ----

// SIMsOptions are the inputs of `sandbox sims`.
type SIMsOptions struct {
	adminOptions
	Count    int
	ClientID string
}

type createdSIM struct {
	ICCID string `json:"iccid"`
}

var createdColumns = []output.Column[createdSIM]{
	{Name: "iccid", Value: func(s createdSIM) string { return s.ICCID }},
}

// NewCmdSIMs returns `connectctl sandbox sims`.
func NewCmdSIMs(f *factory.Factory, runF func(context.Context, *SIMsOptions) error) *cobra.Command {
	opts := &SIMsOptions{adminOptions: newAdminOptions(f)}
	if runF == nil {
		runF = runSIMs
	}
	cmd := &cobra.Command{
		Use:   "sims --count N [--client-id ID]",
		Short: "Create SIMs without subscriptions at once, for large lists",
		Long: "Create COUNT (1-100000) SIMs without subscriptions, profile state Released,\n" +
			"for a client of the sandbox (default sandbox), at once: large lists for\n" +
			"benchmarks and paging tests, with no orders. Prints their ICCIDs, one a\n" +
			"line; -o json prints {\"client_id\", \"created\", \"iccids\"}." + adminLong,
		Example: cmdutil.Examples(
			"Make 1,000 SIMs for the sandbox client", "connectctl sandbox sims --count 1000",
			"Make SIMs for another client", "connectctl sandbox sims --count 3 --client-id reseller2",
			"Print the new ICCIDs", "connectctl sandbox sims --count 50 -o json --jq '.iccids[]'",
		),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Printer, err = factory.PrinterFor(f.Printer, createdColumns); err != nil {
				return err
			}
			if !cmd.Flags().Changed("count") {
				return cmdutil.FlagErrorf("--count N is required: how many SIMs to create (1-100000)")
			}
			if opts.Count < 1 || opts.Count > 100000 {
				return cmdutil.FlagErrorf("--count %d: want 1 to 100000", opts.Count)
			}
			return runF(cmd.Context(), opts)
		},
	}
	cmd.Flags().IntVar(&opts.Count, "count", 0, "How many SIMs to create (1-100000)")
	cmd.Flags().StringVar(&opts.ClientID, "client-id", "", "The sandbox client that owns them (default sandbox)")
	return factory.SetColumns(cmd, createdColumns)
}

func runSIMs(ctx context.Context, o *SIMsOptions) error {
	c, err := o.Admin(ctx)
	if err != nil {
		return err
	}
	var res struct {
		ClientID string   `json:"client_id"`
		Created  int      `json:"created"`
		ICCIDs   []string `json:"iccids"`
	}
	body := map[string]any{"count": o.Count}
	if o.ClientID != "" {
		body["client_id"] = o.ClientID
	}
	if err := c.call(ctx, http.MethodPost, "/_sandbox/sims", body, &res); err != nil {
		return fmt.Errorf("sandbox sims: %w", err)
	}
	if o.Printer.Structured() && o.Printer.Format() != output.CSV {
		return output.Item(o.Printer, res, nil)
	}
	rows := make([]createdSIM, len(res.ICCIDs))
	for i, id := range res.ICCIDs {
		rows[i] = createdSIM{ICCID: id}
	}
	if _, err := output.List(o.Printer, cmdutil.Seq(rows), createdColumns, 0); err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "Created %s for client %s.\n", output.Plural(res.Created, "SIM"), res.ClientID)
	return nil
}

// ---- stats ----

// Stats are the sandbox's counters.
type Stats struct {
	TokenRequests        int            `json:"token_requests"`
	TokenRequestsByGrant map[string]int `json:"token_requests_by_grant"`
	Requests             map[string]int `json:"requests"`
	Orders               int            `json:"orders"`
	SIMs                 int            `json:"sims"`
	Subscriptions        int            `json:"subscriptions"`
}

func (s Stats) apiRequests() int {
	n := 0
	for _, c := range s.Requests {
		n += c
	}
	return n
}

var statsColumns = []output.Column[Stats]{
	{Name: "token_requests", Value: func(s Stats) string { return strconv.Itoa(s.TokenRequests) }},
	{Name: "requests", Value: func(s Stats) string { return strconv.Itoa(s.apiRequests()) }},
	{Name: "orders", Value: func(s Stats) string { return strconv.Itoa(s.Orders) }},
	{Name: "sims", Value: func(s Stats) string { return strconv.Itoa(s.SIMs) }},
	{Name: "subscriptions", Value: func(s Stats) string { return strconv.Itoa(s.Subscriptions) }},
}

// StatsOptions are the inputs of `sandbox stats`.
type StatsOptions struct{ adminOptions }

// NewCmdStats returns `connectctl sandbox stats`.
func NewCmdStats(f *factory.Factory, runF func(context.Context, *StatsOptions) error) *cobra.Command {
	opts := &StatsOptions{newAdminOptions(f)}
	if runF == nil {
		runF = runStats
	}
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Show the sandbox's counters: token and API requests, orders, SIMs",
		Long: "Show the sandbox's counters: token requests (by grant), /v1 requests (on a\n" +
			"terminal also by route template, such as GET /v1/sim/{iccid}; faulted and\n" +
			"unauthenticated ones included), orders, SIMs and subscriptions. -o json\n" +
			"prints them as the sandbox does: {\"token_requests\", \"token_requests_by_grant\",\n" +
			"\"requests\", \"orders\", \"sims\", \"subscriptions\"}." + adminLong,
		Example: cmdutil.Examples(
			"What the sandbox has served", "connectctl sandbox stats",
			"How many subscription reads it saw", "connectctl sandbox stats -o json --jq '.requests[\"GET /v1/sim/{iccid}/subscriptions\"]'",
		),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Printer, err = factory.PrinterFor(f.Printer, statsColumns); err != nil {
				return err
			}
			return runF(cmd.Context(), opts)
		},
	}
	return factory.SetColumns(cmd, statsColumns)
}

func runStats(ctx context.Context, o *StatsOptions) error {
	c, err := o.Admin(ctx)
	if err != nil {
		return err
	}
	var st Stats
	if err := c.call(ctx, http.MethodGet, "/_sandbox/stats", nil, &st); err != nil {
		return fmt.Errorf("sandbox stats: %w", err)
	}
	if err := output.Item(o.Printer, st, statsColumns); err != nil {
		return err
	}
	if o.Printer.Structured() || !o.IO.IsStdoutTTY() || len(st.Requests) == 0 {
		return nil
	}
	routes := make([]string, 0, len(st.Requests))
	width := 0
	for r := range st.Requests {
		routes = append(routes, r)
		width = max(width, len(r))
	}
	sort.Strings(routes)
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-*s  %s\n", width, "ROUTE", "REQUESTS")
	for _, r := range routes {
		fmt.Fprintf(&b, "%-*s  %d\n", width, r, st.Requests[r])
	}
	_, err = fmt.Fprint(o.IO.Out, b.String())
	return err
}
