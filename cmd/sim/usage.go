package sim

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/cmd/subs"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/output"
)

// NewCmdSubs returns `connectctl sim subs ICCID`; runF replaces the run function in tests.
func NewCmdSubs(f *factory.Factory, runF func(context.Context, *GetOptions) error) *cobra.Command {
	opts := &GetOptions{IO: f.IOStreams, Client: f.Client}
	if runF == nil {
		runF = runSubs
	}
	cols := subs.Columns(false)
	return factory.SetColumns(&cobra.Command{
		Use: "subs ICCID",
		Example: cmdutil.Examples(
			"List every plan a SIM ever had", "connectctl sim subs 8944478600000205337",
			"Show more columns", "connectctl sim subs 8944478600000205337 --columns product,status,used,left,total,expires,id",
			"Print the ids of its ACTIVE plans", "connectctl sim subs 8944478600000205337 --jq '.[] | select(.status == \"ACTIVE\") | .id'",
		),
		Short: "List every subscription ever on a SIM",
		Long: "List every subscription ever on a SIM, oldest first: product, status\n" +
			"(ACTIVE, PENDING, DEPLETED, EXPIRED), data used and left, expiry. Tables show\n" +
			"sizes for people (1.2 GB); -o json the byte counts. More columns:\n" +
			"--columns product,status,used,left,total,expires,activated,id.",
		Args: cmdutil.ExactArgs("ICCID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := prepare(f, opts, cols, args[0]); err != nil {
				return err
			}
			return runF(cmd.Context(), opts)
		},
	}, cols)
}

func runSubs(ctx context.Context, o *GetOptions) error {
	client, err := o.Client()
	if err != nil {
		return err
	}
	if _, err := output.List(o.Printer, client.ListSIMSubscriptions(ctx, o.ICCID), subs.Columns(false), 0); err != nil {
		return fmt.Errorf("sim subs: %w", err)
	}
	return nil
}

// Usage is a SIM's balance: the sums over its ACTIVE subscriptions (PENDING
// ones have not started; DEPLETED and EXPIRED ones are over). Byte counts
// are integers; nearest_expiry is the earliest end of an ACTIVE
// subscription, null when there is none.
type Usage struct {
	ICCID         string     `json:"iccid"`
	Subscriptions int        `json:"subscriptions"` // ACTIVE ones
	InitialBytes  int64      `json:"initial_bytes"`
	SpentBytes    int64      `json:"spent_bytes"`
	LeftBytes     int64      `json:"left_bytes"`
	PercentUsed   float64    `json:"percent_used"` // spent / initial x 100, one decimal
	NearestExpiry *time.Time `json:"nearest_expiry"`
	// Counted says which plans the figures are of: ACTIVE ones, or, when no
	// plan is active, the DEPLETED ones (100 % used); "" when neither.
	Counted string `json:"counted"`

	pending  int // PENDING subscriptions left out, for a note
	depleted int // DEPLETED subscriptions counted when none is ACTIVE
}

// SumUsage computes a SIM's usage from its subscriptions.
func SumUsage(iccid string, list []connect.Subscription) Usage {
	u := Usage{ICCID: iccid}
	for _, s := range list {
		switch s.Status {
		case connect.SubscriptionPending:
			u.pending++
			continue
		case connect.SubscriptionActive:
		default:
			continue
		}
		u.Subscriptions++
		u.InitialBytes += s.InitialBalance
		u.SpentBytes += s.SpentBalance
		if !s.ExpirationDate.IsZero() && (u.NearestExpiry == nil || s.ExpirationDate.Before(*u.NearestExpiry)) {
			t := s.ExpirationDate.UTC()
			u.NearestExpiry = &t
		}
	}
	u.LeftBytes = connect.Balance(list)
	if u.Subscriptions > 0 {
		u.Counted = connect.SubscriptionActive
	} else {
		// A SIM whose data is used up has no ACTIVE plan: it is 100 % used,
		// not 0 %, so "more than 80 % used" finds it.
		for _, s := range list {
			if s.Status == connect.SubscriptionDepleted {
				u.depleted++
				u.InitialBytes += s.InitialBalance
				u.SpentBytes += max(s.SpentBalance, s.InitialBalance)
			}
		}
		if u.depleted > 0 {
			u.Counted, u.PercentUsed = connect.SubscriptionDepleted, 100
			return u
		}
	}
	if u.InitialBytes > 0 {
		u.PercentUsed = math.Round(float64(u.SpentBytes)/float64(u.InitialBytes)*1000) / 10
	}
	return u
}

// usageColumns; the widths keep the rows of many SIMs aligned on a
// terminal, where a stream fixes them before the first row.
var usageColumns = []output.Column[Usage]{
	{Name: "iccid", Width: 20, Value: func(u Usage) string { return u.ICCID }},
	{Name: "subscriptions", Value: func(u Usage) string { return strconv.Itoa(u.Subscriptions) }},
	{Name: "initial_bytes", Width: 9, Aliases: []string{"total"}, Value: func(u Usage) string { return output.Bytes(u.InitialBytes) }},
	{Name: "spent_bytes", Width: 9, Aliases: []string{"used"}, Value: func(u Usage) string { return output.Bytes(u.SpentBytes) }},
	{Name: "left_bytes", Width: 9, Aliases: []string{"left"}, Value: func(u Usage) string { return output.Bytes(u.LeftBytes) }},
	{Name: "percent_used", Aliases: []string{"percent"}, Value: func(u Usage) string {
		return strconv.FormatFloat(u.PercentUsed, 'f', -1, 64) + "%"
	}},
	{Name: "nearest_expiry", Width: 20, Aliases: []string{"expires"}, Kind: output.KindTime, Value: func(u Usage) string {
		if u.NearestExpiry == nil {
			return ""
		}
		return subs.FormatTime(*u.NearestExpiry)
	}},
	{Name: "counted", Value: func(u Usage) string { return u.Counted }},
}

// NewCmdUsage returns `connectctl sim usage ICCID` (or --all, or
// --iccid-file); runF replaces the run function in tests.
func NewCmdUsage(f *factory.Factory, runF func(context.Context, *UsageOptions) error) *cobra.Command {
	opts := &UsageOptions{GetOptions: GetOptions{IO: f.IOStreams, Client: f.Client}, Now: time.Now}
	if runF == nil {
		runF = func(ctx context.Context, o *UsageOptions) error {
			if o.many() {
				return runUsageMany(ctx, o)
			}
			return runUsage(ctx, &o.GetOptions)
		}
	}
	cmd := &cobra.Command{
		Use:   "usage (ICCID | --all | --iccid-file FILE) [--over PERCENT] [--expiring DURATION]",
		Short: "Show SIMs' balance: total, used, left, % used, nearest expiry",
		Long: "Show a SIM's balance, summed over its ACTIVE subscriptions (PENDING ones have\n" +
			"not started, DEPLETED and EXPIRED ones are over): data in total, used and\n" +
			"left, the share used, and the nearest expiry. With no ACTIVE plan, the\n" +
			"DEPLETED ones are counted, as 100% used; \"counted\" says which were. Tables show sizes for people\n" +
			"(1.2 GB, binary units as the API's plans: 1 GB = 1073741824 bytes); -o json\n" +
			"shows byte counts:\n" +
			"  {\"iccid\", \"subscriptions\", \"initial_bytes\", \"spent_bytes\", \"left_bytes\",\n" +
			"   \"percent_used\", \"nearest_expiry\", \"counted\"}\n\n" +
			"Many SIMs at once: --all (every SIM of the account) or --iccid-file FILE (one\n" +
			"ICCID a line, the first field of a line; blank lines, # comments and an\n" +
			"\"iccid\" header are skipped; - reads stdin; every ICCID is checked before\n" +
			"anything is sent). Their subscriptions are fetched --concurrency at a time\n" +
			"(one request a SIM, plus the SIM list's pages with --all), paced to the\n" +
			"API's rate limit, and one row a SIM streams out as each answer arrives, in\n" +
			"that order: a table (tab-separated in a pipe), a JSON array with -o json,\n" +
			"one object a line with -o ndjson. --over and --expiring keep only the SIMs\n" +
			"more than PERCENT used, or whose nearest expiry is within DURATION; given\n" +
			"both, a SIM must meet both. A SIM that cannot be read is reported on stderr and the others\n" +
			"still shown; the exit code is then that of the first failure.",
		Example: cmdutil.Examples(
			"Show a SIM's data balance", "connectctl sim usage 8944478600000205337",
			"Every SIM more than 80 % used", "connectctl sim usage --all --over 80",
			"The ICCIDs of SIMs whose plan ends within a week", "connectctl sim usage --all --expiring 7d -o ndjson --jq .iccid",
			"The SIMs listed in a file, as JSON", "connectctl sim usage --iccid-file sims.txt -o json",
		),
		Args: func(cmd *cobra.Command, args []string) error {
			if opts.All || opts.ICCIDFile != "" {
				return cmdutil.NoArgs(cmd, args)
			}
			return cmdutil.ExactArgs("ICCID")(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.validate(cmd); err != nil {
				return err
			}
			if !opts.many() {
				if err := prepare(f, &opts.GetOptions, usageColumns, args[0]); err != nil {
					return err
				}
				return runF(cmd.Context(), opts)
			}
			var err error
			if opts.Printer, err = factory.PrinterFor(f.Printer, usageColumns); err != nil {
				return err
			}
			if opts.ICCIDFile != "" {
				if opts.iccids, err = readICCIDFile(opts.IO, opts.ICCIDFile); err != nil {
					return err
				}
			}
			return runF(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.All, "all", false, "Every SIM of the account")
	fl.StringVar(&opts.ICCIDFile, "iccid-file", "", "The SIMs listed in FILE, one ICCID a line (- for stdin)")
	fl.Float64Var(&opts.Over, "over", 0, "With many SIMs: only those more than PERCENT used")
	fl.StringVar(&opts.Expiring, "expiring", "", "With many SIMs: only those whose nearest expiry is within DURATION (48h, 7d, 2w)")
	fl.IntVar(&opts.Concurrency, "concurrency", defaultUsageConcurrency, "With many SIMs: subscription requests in flight at once (paced to the API's quota)")
	return factory.SetColumns(cmd, usageColumns)
}

func runUsage(ctx context.Context, o *GetOptions) error {
	client, err := o.Client()
	if err != nil {
		return err
	}
	list, err := connect.Collect(client.ListSIMSubscriptions(ctx, o.ICCID))
	if err != nil {
		return fmt.Errorf("sim usage: %w", err)
	}
	u := SumUsage(o.ICCID, list)
	if err := output.Item(o.Printer, u, usageColumns); err != nil {
		return err
	}
	if u.depleted > 0 {
		fmt.Fprintf(o.IO.ErrOut, "No ACTIVE plan: counted the %d DEPLETED subscription(s), used up, as 100%% used (see `connectctl sim subs %s`).\n",
			u.depleted, o.ICCID)
	}
	if u.pending > 0 {
		fmt.Fprintf(o.IO.ErrOut, "Not counted: %d PENDING subscription(s), not started yet (see `connectctl sim subs %s`).\n",
			u.pending, o.ICCID)
	}
	return nil
}
