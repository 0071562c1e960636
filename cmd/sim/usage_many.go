package sim

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/output"

	"github.com/connectctl/connectctl/internal/lazy"
)

// defaultUsageConcurrency is how many SIMs' subscriptions `sim usage --all`
// fetches at once; the client's pacer holds them under the quota.
const defaultUsageConcurrency = 8

// maxICCIDFile bounds --iccid-file.
const maxICCIDFile = 64 << 20

// UsageOptions are the inputs of `sim usage`: one SIM (GetOptions), or many.
type UsageOptions struct {
	GetOptions
	All         bool
	ICCIDFile   string
	Over        float64
	Expiring    string
	Concurrency int
	Now         func() time.Time

	overSet bool
	within  time.Duration // --expiring; 0 when not given
	iccids  []string      // from --iccid-file
}

func (o *UsageOptions) many() bool { return o.All || o.ICCIDFile != "" }

// validate checks the flags before anything is read or sent.
func (o *UsageOptions) validate(cmd *cobra.Command) error {
	fl := cmd.Flags()
	o.overSet = fl.Changed("over")
	switch {
	case o.All && o.ICCIDFile != "":
		return cmdutil.FlagErrorf("--all and --iccid-file do not go together: pick one")
	case !o.many():
		for _, name := range []string{"over", "expiring", "concurrency"} {
			if fl.Changed(name) {
				return cmdutil.FlagErrorf("--%s goes with --all or --iccid-file (many SIMs); for one SIM, see its percent_used and nearest_expiry", name)
			}
		}
		return nil
	case math.IsNaN(o.Over) || o.Over < 0 || o.Over >= 100:
		return cmdutil.FlagErrorf("--over %v: want a share used from 0 to 99.9 (SIMs more than that %% used)", o.Over)
	case o.Concurrency < 1 || o.Concurrency > 64:
		return cmdutil.FlagErrorf("--concurrency %d: want 1 to 64", o.Concurrency)
	}
	if fl.Changed("expiring") {
		d, err := ParseWithin(o.Expiring)
		if err != nil {
			return cmdutil.FlagErrorf("--expiring %q: %v", o.Expiring, err)
		}
		o.within = d
	}
	return nil
}

var withinRE = lazy.Value[*regexp.Regexp]{New: func() *regexp.Regexp { return regexp.MustCompile(`^(\d+)([dw])$`) }}

// ParseWithin reads a positive duration ahead: a Go duration (36h, 90m) or
// whole days and weeks (7d, 2w).
func ParseWithin(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	if m := withinRE.Get().FindStringSubmatch(in); m != nil {
		n, err := strconv.Atoi(m[1])
		days := map[string]int{"d": 1, "w": 7}[m[2]]
		if err != nil || n <= 0 || n > 100*365/days {
			return 0, errors.New("want a positive duration of at most 100 years")
		}
		return time.Duration(n*days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(in)
	if err != nil || d <= 0 {
		return 0, errors.New("want a positive duration such as 48h, 7d or 2w (units: s, m, h, d, w)")
	}
	return d, nil
}

// keep reports whether u passes the --over and --expiring filters.
func (o *UsageOptions) keep(u Usage, now time.Time) bool {
	if o.overSet && !u.UsedOver(o.Over) {
		return false
	}
	if o.within > 0 && !u.ExpiresWithin(now, o.within) {
		return false
	}
	return true
}

// UsedOver reports whether more than pct percent of the SIM's plans is used.
func (u Usage) UsedOver(pct float64) bool { return u.PercentUsed > pct }

// ExpiresWithin reports whether the SIM's nearest plan expiry is at most d
// after now.
func (u Usage) ExpiresWithin(now time.Time, d time.Duration) bool {
	return u.NearestExpiry != nil && !u.NearestExpiry.After(now.Add(d))
}

// readICCIDFile reads the ICCIDs of --iccid-file (or stdin for -): the first
// field (blanks, commas or tabs end it) of each line; blank lines, #
// comments and an "iccid" header skipped; duplicates dropped. Each is
// checked as `sim usage ICCID` checks it, before anything is sent.
func readICCIDFile(ios *iostreams.IOStreams, name string) ([]string, error) {
	var r io.Reader = ios.In
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, cmdutil.FlagErrorf("--iccid-file: %v", err)
		}
		defer f.Close()
		r = f
	}
	sc := bufio.NewScanner(io.LimitReader(r, maxICCIDFile))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	seen := map[string]bool{}
	var out []string
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		field, _, _ := strings.Cut(strings.NewReplacer(",", " ", "\t", " ", ";", " ").Replace(line), " ")
		field = strings.Trim(field, `"`)
		if field == "" || strings.HasPrefix(field, "#") || (len(out) == 0 && strings.EqualFold(field, "iccid")) {
			continue
		}
		iccid, err := cmdutil.ICCIDArg(ios.ErrOut, fmt.Sprintf("--iccid-file %s line %d", name, n), field, false, false)
		if err != nil {
			return nil, err
		}
		if !seen[iccid] {
			seen[iccid] = true
			out = append(out, iccid)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, cmdutil.FlagErrorf("--iccid-file %s: %v", name, err)
	}
	if len(out) == 0 {
		return nil, cmdutil.FlagErrorf("--iccid-file %s: no ICCIDs in it", name)
	}
	return out, nil
}

// UsageResult is one SIM's usage, or why it could not be read.
type UsageResult struct {
	ICCID string
	Usage Usage
	Err   error
}

// UsageFetch bounds FetchUsages.
type UsageFetch struct {
	// Concurrency is how many SIMs are read at once (default 8); the
	// client's pacer holds them under the quota.
	Concurrency int
	// MaxSubscriptions > 0 reads at most that many subscriptions a SIM:
	// with connect.DefaultPageSize, one request a SIM.
	MaxSubscriptions int
}

// FetchUsages reads the usage of each SIM ids yields, f.Concurrency at a
// time under the client's pacer, and sends one result a SIM on the channel
// as the answers arrive. The channel closes when every SIM is read or ctx
// ends; then listErr tells whether ids failed.
func FetchUsages(ctx context.Context, client *connect.Client, ids iter.Seq2[string, error], f UsageFetch) (results <-chan UsageResult, listErr func() error) {
	workers := f.Concurrency
	if workers <= 0 {
		workers = defaultUsageConcurrency
	}
	queue := make(chan string)
	var idsErr error // written before fed closes
	fed := make(chan struct{})
	go func() {
		defer close(fed)
		defer close(queue)
		for id, err := range ids {
			if err != nil {
				idsErr = err
				return
			}
			select {
			case queue <- id:
			case <-ctx.Done():
				return
			}
		}
	}()

	out := make(chan UsageResult)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range queue {
				r := UsageResult{ICCID: id}
				var list []connect.Subscription
				if list, r.Err = collectSubscriptions(client.ListSIMSubscriptions(ctx, id), f.MaxSubscriptions); r.Err == nil {
					r.Usage = SumUsage(id, list)
				}
				select {
				case out <- r:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(out); close(done) }()
	return out, func() error { <-done; <-fed; return idsErr }
}

// collectSubscriptions gathers up to max subscriptions (every one when max
// is 0), stopping before the next page is asked for.
func collectSubscriptions(seq iter.Seq2[connect.Subscription, error], max int) ([]connect.Subscription, error) {
	var list []connect.Subscription
	for s, err := range seq {
		if err != nil {
			return nil, err
		}
		list = append(list, s)
		if max > 0 && len(list) >= max {
			break
		}
	}
	return list, nil
}

// runUsageMany fetches the subscriptions of many SIMs, o.Concurrency at a
// time under the client's pacer, and streams one row a SIM as the answers
// arrive.
func runUsageMany(ctx context.Context, o *UsageOptions) error {
	client, err := o.Client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	ids := func(yield func(string, error) bool) {
		if !o.All {
			for _, id := range o.iccids {
				if !yield(id, nil) {
					return
				}
			}
			return
		}
		for ref, err := range client.ListSIMs(ctx) {
			if !yield(ref.ID, err) || err != nil {
				return
			}
		}
	}
	results, listErrOf := FetchUsages(ctx, client, ids, UsageFetch{Concurrency: o.Concurrency})

	stream := output.NewStream(o.Printer, usageColumns)
	var read, shown, failed int
	var firstErr, writeErr error
	for r := range results {
		if writeErr != nil || ctx.Err() != nil {
			continue // draining after a stop
		}
		if r.Err != nil {
			if connect.IsNotFound(r.Err) {
				fmt.Fprintf(o.IO.ErrOut, "warning: SIM %s: not found (deleted meanwhile, or not this account's); skipped\n", r.ICCID)
				continue
			}
			failed++
			if firstErr == nil {
				firstErr = r.Err
			}
			fmt.Fprintf(o.IO.ErrOut, "error: SIM %s: %v\n", r.ICCID, r.Err)
			if cmdutil.ExitCodeFor(r.Err) == cmdutil.ExitAuth {
				cancel() // every other SIM would fail the same way
			}
			continue
		}
		read++
		if !o.keep(r.Usage, o.Now()) {
			continue
		}
		shown++
		if err := stream.Write(r.Usage); err != nil {
			writeErr = err
			cancel()
		}
	}
	if err := stream.Close(); err != nil && writeErr == nil {
		writeErr = err
	}
	listErr := listErrOf()
	switch {
	case writeErr != nil:
		return writeErr
	case listErr != nil:
		return fmt.Errorf("sim usage --all: list SIMs: %w", listErr)
	case firstErr != nil && cmdutil.ExitCodeFor(firstErr) == cmdutil.ExitAuth:
		return fmt.Errorf("sim usage: %w", firstErr)
	}
	if o.overSet || o.within > 0 {
		fmt.Fprintf(o.IO.ErrOut, "%s shown of %s read.\n", output.Plural(shown, "SIM"), output.Plural(read, "SIM"))
	}
	if failed > 0 {
		return fmt.Errorf("sim usage: %d of %d SIMs could not be read (see above); the first: %w", failed, failed+read, firstErr)
	}
	return nil
}
