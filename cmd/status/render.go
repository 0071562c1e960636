package status

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	authCmd "github.com/connectctl/connectctl/cmd/auth"
	simCmd "github.com/connectctl/connectctl/cmd/sim"
	"github.com/connectctl/connectctl/cmd/subs"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/journal"
	"github.com/connectctl/connectctl/internal/output"
)

// sections are the blocks of the screen, each a list of columns named by
// the JSON keys they show; --columns and -o csv take them flat.
func sections(now time.Time) [][]output.Column[Report] {
	type R = Report
	return [][]output.Column[R]{
		{
			{Name: "profile", Value: func(r R) string { return fmt.Sprintf("%s (%s)", r.Profile, r.ProfileSource) }},
			{Name: "base_url", Value: func(r R) string { return r.BaseURL }},
			{Name: "api_edition", Aliases: []string{"edition"}, Value: func(r R) string { return r.APIEdition }},
			{Name: "client_id", Value: func(r R) string {
				if r.ClientID == "" {
					return "none"
				}
				return fmt.Sprintf("%s (%s)", r.ClientID, r.ClientIDSource)
			}},
			{Name: "secret_source", Aliases: []string{"secret"}, Value: func(r R) string {
				return authCmd.SecretSourceText(r.SecretSource, r.SecretProblem)
			}},
			{Name: "token", Value: func(r R) string { return tokenText(r.Token, now) }},
		},
		{
			{Name: "reachable", Value: func(r R) string {
				if !r.API.Reachable {
					return "no: " + r.API.Error
				}
				if r.API.Error != "" {
					return "yes, but: " + r.API.Error
				}
				return "yes"
			}},
			{Name: "latency_ms", Aliases: []string{"latency"}, Value: func(r R) string {
				if r.API.LatencyMS == nil {
					return ""
				}
				return strconv.FormatInt(*r.API.LatencyMS, 10) + " ms"
			}},
			{Name: "rate_limit", Value: func(r R) string { return rateLimitText(r.API.RateLimit, now) }},
			{Name: "max_requests", Value: func(r R) string { return strconv.Itoa(r.API.MaxRequests) }},
		},
		{
			{Name: "journal", Value: func(r R) string {
				if r.OpenOrders.JournalError != "" {
					return "unreadable: " + r.OpenOrders.JournalError
				}
				return output.Plural(len(r.OpenOrders.Journal), "attempt") + " with no known outcome"
			}},
			{Name: "api", Value: func(r R) string {
				switch {
				case !r.API.Reachable:
					return "not read"
				case r.OpenOrders.APIError != "":
					return fmt.Sprintf("%s ACCEPTED or FULFILLING; then: %s", output.Plural(len(r.OpenOrders.API), "order"), r.OpenOrders.APIError)
				}
				return output.Plural(len(r.OpenOrders.API), "order") + " ACCEPTED or FULFILLING (first page of each)"
			}},
		},
		{
			{Name: "attention_sims", Aliases: []string{"sims"}, Value: func(r R) string {
				if !r.API.Reachable {
					return "not read"
				}
				if r.SIMs.Max == 0 {
					return "not looked for (--max-sims 0)"
				}
				s := fmt.Sprintf("%d of %s examined over %s%% used or expiring within %s", len(r.AttentionSIMs),
					output.Plural(r.SIMs.Examined, "SIM"), strconv.FormatFloat(r.SIMs.OverPercent, 'f', -1, 64), r.SIMs.ExpiringWithin)
				if r.SIMs.LimitReached {
					s += fmt.Sprintf(" (the first %d; --max-sims for more)", r.SIMs.Max)
				}
				if r.SIMs.Error != "" {
					s += fmt.Sprintf("; %d could not be read: %s", r.SIMs.Failed, r.SIMs.Error)
				}
				return s
			}},
		},
	}
}

// Columns are the fields of status, flat: what --columns picks from.
func Columns() []output.Column[Report] {
	var all []output.Column[Report]
	for _, s := range sections(time.Now()) {
		all = append(all, s...)
	}
	return all
}

func tokenText(t Token, now time.Time) string {
	switch {
	case t.ExpiresAt == nil:
		return "none cached"
	case t.Fetched:
		return "fetched now, valid until " + when(t.ExpiresAt, now)
	case t.Valid:
		return "cached, valid until " + when(t.ExpiresAt, now)
	}
	return "cached, expired " + when(t.ExpiresAt, now)
}

func rateLimitText(rl *connect.RateLimit, now time.Time) string {
	if rl == nil {
		return "not announced"
	}
	s := fmt.Sprintf("%d", rl.Remaining)
	if rl.Limit > 0 {
		s += fmt.Sprintf(" of %d", rl.Limit)
	}
	s += " left on " + rl.Endpoint
	if !rl.Reset.IsZero() {
		s += ", window ends " + when(&rl.Reset, now)
	}
	return s
}

// itemFields are the lines under a section: one per open order and per
// SIM that needs attention.
func itemFields(i int, r Report) []output.Field {
	h := output.HeaderFor
	var out []output.Field
	switch i {
	case 2:
		for _, a := range r.OpenOrders.Journal {
			out = append(out, output.Field{Label: h("attempt"), Value: attemptText(a)})
		}
		for _, o := range r.OpenOrders.API {
			out = append(out, output.Field{Label: h("order"), Value: orderText(o)})
		}
	case 3:
		for _, u := range r.AttentionSIMs {
			out = append(out, output.Field{Label: h("iccid"), Value: usageText(u)})
		}
	}
	return out
}

func attemptText(a journal.Attempt) string {
	parts := []string{a.ID, string(a.Status), "started " + a.Started.UTC().Format(time.RFC3339)}
	if a.Operation != "" {
		parts = append(parts, a.Operation)
	}
	if a.Email != "" {
		parts = append(parts, a.Email)
	}
	if a.ICCID != "" {
		parts = append(parts, a.ICCID)
	}
	if len(a.Products) > 0 {
		parts = append(parts, strings.Join(a.Products, ","))
	}
	return strings.Join(parts, "  ")
}

func orderText(o connect.Order) string {
	parts := []string{o.ID, o.Status}
	if !o.CreatedDate.IsZero() {
		parts = append(parts, "created "+subs.FormatTime(o.CreatedDate))
	}
	if o.OperationType != "" {
		parts = append(parts, o.OperationType)
	}
	return strings.Join(parts, "  ")
}

func usageText(u simCmd.Usage) string {
	s := fmt.Sprintf("%s  %s%% used, %s left", u.ICCID, strconv.FormatFloat(u.PercentUsed, 'f', -1, 64), output.Bytes(u.LeftBytes))
	if u.NearestExpiry != nil {
		s += ", expires " + subs.FormatTime(*u.NearestExpiry)
	}
	return s
}

// render prints the report: as data with -o json|yaml, --jq or --template
// (and flat with --columns or -o csv), else the sections, blank lines
// between them.
func render(ios *iostreams.IOStreams, p *output.Printer, r Report, now time.Time, columns bool) error {
	if p.Structured() || columns {
		return output.Item(p, r, Columns())
	}
	for i, sec := range sections(now) {
		if i > 0 {
			fmt.Fprintln(ios.Out)
		}
		var fields []output.Field
		for _, c := range sec {
			fields = append(fields, output.Field{Label: c.Header(), Value: c.Value(r)})
		}
		fields = append(fields, itemFields(i, r)...)
		if err := output.Details(p, fields); err != nil {
			return err
		}
	}
	return nil
}
