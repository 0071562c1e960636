package cmdutil

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/internal/validate"
)

// TimeRange is the --since/--until filter every time-filtered list shares,
// with --after/--before (the API's names) as aliases.
type TimeRange struct {
	Since, Until string
	// From and To are the parsed bounds; zero when not given.
	From, To time.Time
}

// Bind adds --since and --until (and the aliases --after and --before,
// hidden unless showAliases) to cmd; what names the listed things.
func (r *TimeRange) Bind(cmd *cobra.Command, what string, showAliases bool) {
	fl := cmd.Flags()
	fl.StringVar(&r.Since, "since", "", fmt.Sprintf("Only %s created at or after `TIME`: %s", what, validate.TimeFilterHelp))
	fl.StringVar(&r.Until, "until", "", fmt.Sprintf("Only %s created before `TIME` (the same forms as --since)", what))
	fl.StringVar(&r.Since, "after", "", "Alias of --since (the API's name)")
	fl.StringVar(&r.Until, "before", "", "Alias of --until (the API's name)")
	if !showAliases {
		_ = fl.MarkHidden("after")
		_ = fl.MarkHidden("before")
	}
}

// Parse reads the bounds given on cmd at now (a plain date is midnight in
// loc; nil means local time). Errors are usage errors naming the flag as
// typed.
func (r *TimeRange) Parse(cmd *cobra.Command, now time.Time, loc *time.Location) error {
	r.From, r.To = time.Time{}, time.Time{}
	var sinceName, untilName string
	for _, pair := range [][2]string{{"since", "after"}, {"until", "before"}} {
		a, b := cmd.Flags().Lookup(pair[0]), cmd.Flags().Lookup(pair[1])
		if a.Changed && b.Changed {
			return FlagErrorf("--%s and --%s are the same filter: give one of them", pair[0], pair[1])
		}
		name := ""
		switch {
		case a.Changed:
			name = pair[0]
		case b.Changed:
			name = pair[1]
		default:
			continue
		}
		t, err := validate.TimeFilter(a.Value.String(), now, loc)
		if err != nil {
			var ve *validate.Error
			if errors.As(err, &ve) {
				return FlagErrorf("--%s %q: %s", name, ve.Value, ve.Reason)
			}
			return FlagErrorf("--%s: %v", name, err)
		}
		if pair[0] == "since" {
			r.From, sinceName = t, name
		} else {
			r.To, untilName = t, name
		}
	}
	if !r.From.IsZero() && !r.To.IsZero() && !r.From.Before(r.To) {
		return FlagErrorf("--%s %s is not before --%s %s: the time range is empty; swap them?", sinceName, r.Since, untilName, r.Until)
	}
	return nil
}
