// Package sim implements `connectctl sim`: the SIM profiles bought, their
// details and activation codes, their subscriptions and balance, and the two
// changes the API allows (bind to another device, delete for a refund).
package sim

import (
	"context"
	"fmt"
	"io"
	"iter"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/cmd/subs"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/output"
)

// Short is `connectctl sim`'s summary; the root's help lists it without
// building the command (issue 13).
const Short = "Inspect SIM profiles, their activation codes, plans and balance"

// NewCmdSIM returns `connectctl sim`.
func NewCmdSIM(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "sim <command>",
		Aliases: []string{"sims"},
		Short:   Short,
	}
	cmdutil.GroupArgs(cmd)
	cmd.AddCommand(NewCmdList(f, nil))
	cmd.AddCommand(NewCmdGet(f, nil))
	cmd.AddCommand(NewCmdQR(f, nil))
	cmd.AddCommand(NewCmdSubs(f, nil))
	cmd.AddCommand(NewCmdUsage(f, nil))
	cmd.AddCommand(NewCmdMove(f, nil))
	cmd.AddCommand(NewCmdDelete(f, nil))
	return cmd
}

// simColumns are the table columns of a SIM.
var simColumns = []output.Column[connect.SIM]{
	{Name: "iccid", Value: func(s connect.SIM) string { return s.ICCID }},
	{Name: "status", Aliases: []string{"state"}, Kind: output.KindStatus, Value: func(s connect.SIM) string { return s.Status }},
	{Name: "eid", Value: func(s connect.SIM) string { return s.EID }},
	{Name: "last_modified", Aliases: []string{"modified"}, Kind: output.KindTime, Value: func(s connect.SIM) string { return subs.FormatTime(s.LastModified) }},
	{Name: "matching_id", Aliases: []string{"matching-id", "matchingId"}, Wide: true, Value: func(s connect.SIM) string { return s.MatchingID }},
}

// detailWorkers is how many SIM details sim list fetches at once: enough to
// hide latency, few enough to stay far from the per-endpoint rate limit
// (the client also paces itself by the rate-limit headers).
const detailWorkers = 4

// ListOptions are the inputs of `sim list`.
type ListOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (*connect.Client, error)
	Printer *output.Printer
	Limit   cmdutil.ListLimit

	// IDsOnly: the output needs nothing but the ICCID (--columns iccid in
	// a table), so no details are fetched.
	IDsOnly bool
}

// NewCmdList returns `connectctl sim list`; runF replaces the run function in tests.
func NewCmdList(f *factory.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IOStreams, Client: f.Client}
	cmd := &cobra.Command{
		Use:   "list [--limit N | --all]",
		Short: "List the SIM profiles bought, oldest first",
		Long: "List the SIM profiles bought, oldest first: ICCID, profile state, EID.\n\n" +
			"The API lists only ICCIDs, so each SIM's details cost one more request. They\n" +
			"are fetched as the list streams, 4 at a time, in order, for every output\n" +
			"format: -o json and -o ndjson print the full SIM as `sim get` does. The\n" +
			"exception: a table of nothing but ICCIDs (--columns iccid) needs no details\n" +
			"and costs only the list's pages. Shows the first 30 SIMs unless --limit or\n" +
			"--all says otherwise; --all on thousands of SIMs is paced to stay within the\n" +
			"API's rate limit.",
		Example: cmdutil.Examples(
			"List the first 30 SIMs", "connectctl sim list",
			"Print every ICCID, fast: no detail requests", "connectctl sim list --all --columns iccid --no-headers",
			"List the ICCIDs of the profiles not yet installed", "connectctl sim list --all -o ndjson --jq 'select(.status == \"Released\") | .iccid'",
		),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Printer, err = factory.PrinterFor(f.Printer, simColumns); err != nil {
				return err
			}
			if err := opts.Limit.Validate(); err != nil {
				return err
			}
			opts.IDsOnly = !opts.Printer.Structured() && onlyICCID(f.Globals.Output.Columns)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runList(cmd.Context(), opts)
		},
	}
	opts.Limit.BindFlags(cmd, "SIMs")
	return factory.SetColumns(cmd, simColumns)
}

// onlyICCID reports whether --columns names the ICCID and nothing else.
func onlyICCID(cols []string) bool {
	n := 0
	for _, c := range cols {
		switch strings.ToLower(strings.TrimSpace(c)) {
		case "":
		case "iccid":
			n++
		default:
			return false
		}
	}
	return n > 0
}

func runList(ctx context.Context, o *ListOptions) error {
	client, err := o.Client()
	if err != nil {
		return err
	}
	more := false
	refs := cmdutil.Take(client.ListSIMs(ctx), o.Limit.N(), &more)
	var sims iter.Seq2[connect.SIM, error]
	if o.IDsOnly {
		sims = func(yield func(connect.SIM, error) bool) {
			for ref, err := range refs {
				if !yield(connect.SIM{ICCID: ref.ID}, err) || err != nil {
					return
				}
			}
		}
	} else {
		sims = withDetails(ctx, refs, detailWorkers, client.GetSIM, o.IO.ErrOut)
	}
	if _, err := output.List(o.Printer, sims, simColumns, 0); err != nil {
		return fmt.Errorf("sim list: %w", err)
	}
	cmdutil.NoteMore(o.IO.ErrOut, more, o.Limit.N(), "SIMs")
	return nil
}

// withDetails turns SIM references into SIM details, with up to workers
// requests in flight, yielding in the list's order as soon as each next one
// is there. A SIM that is gone by the time its details are asked for
// (deleted meanwhile: 404) is skipped with a warning; any other failure ends
// the list after the SIMs before it.
func withDetails(ctx context.Context, refs iter.Seq2[connect.SIMRef, error], workers int,
	get func(context.Context, string) (*connect.SIM, error), warn io.Writer) iter.Seq2[connect.SIM, error] {
	type result struct {
		iccid string
		sim   *connect.SIM
		err   error
	}
	return func(yield func(connect.SIM, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		defer func() {
			cancel() // stop what is in flight when the consumer stops early
			wg.Wait()
		}()
		var pending []chan result
		emit := func() bool {
			r := <-pending[0]
			pending = pending[1:]
			if r.err != nil {
				if connect.IsNotFound(r.err) {
					fmt.Fprintf(warn, "warning: SIM %s was listed but is gone now (deleted meanwhile?); skipped\n", r.iccid)
					return true
				}
				yield(connect.SIM{}, r.err)
				return false
			}
			return yield(*r.sim, nil)
		}
		for ref, err := range refs {
			if err != nil {
				for len(pending) > 0 {
					if !emit() {
						return
					}
				}
				yield(connect.SIM{}, err)
				return
			}
			ch := make(chan result, 1)
			wg.Add(1)
			go func(iccid string) {
				defer wg.Done()
				s, err := get(ctx, iccid)
				ch <- result{iccid: iccid, sim: s, err: err}
			}(ref.ID)
			pending = append(pending, ch)
			if len(pending) >= workers && !emit() {
				return
			}
		}
		for len(pending) > 0 {
			if !emit() {
				return
			}
		}
	}
}
