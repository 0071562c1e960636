package cmdutil

import (
	"fmt"
	"io"
	"iter"

	"github.com/spf13/cobra"
)

// DefaultLimit is how many items a list shows without --limit or --all, as
// gh's list commands do.
const DefaultLimit = 30

// ListLimit is the --limit N | --all pair of list commands.
type ListLimit struct {
	Limit int
	All   bool

	cmd  *cobra.Command
	noun string
}

// BindFlags binds --limit/-L and --all; noun names the items in help and
// messages ("SIMs").
func (l *ListLimit) BindFlags(cmd *cobra.Command, noun string) {
	l.cmd, l.noun = cmd, noun
	cmd.Flags().IntVarP(&l.Limit, "limit", "L", DefaultLimit, fmt.Sprintf("Show at most this many %s", noun))
	cmd.Flags().BoolVar(&l.All, "all", false, fmt.Sprintf("Show every %s (no --limit)", singular(noun)))
}

func singular(noun string) string {
	if n := len(noun); n > 1 && noun[n-1] == 's' {
		return noun[:n-1]
	}
	return noun
}

// Validate refuses --limit with --all and a limit below 1.
func (l *ListLimit) Validate() error {
	if l.All && l.cmd != nil && l.cmd.Flags().Changed("limit") {
		return FlagErrorf("--limit %d and --all do not go together: pick one", l.Limit)
	}
	if !l.All && l.Limit < 1 {
		noun := l.noun
		if noun == "" {
			noun = "items"
		}
		return FlagErrorf("--limit %d: want a positive number of %s, or --all for every one", l.Limit, noun)
	}
	return nil
}

// N is the limit to apply: 0 with --all.
func (l *ListLimit) N() int {
	if l.All {
		return 0
	}
	return l.Limit
}

// Take yields at most n items of seq (all when n is 0). Once n items are out
// it looks at one more (seldom a request: pages hold 40) and sets *more when
// there is one, so the command can say the list was cut.
func Take[T any](seq iter.Seq2[T, error], n int, more *bool) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		i := 0
		for it, err := range seq {
			if n > 0 && i >= n {
				// An error fetching the item past the limit does not spoil
				// the list asked for.
				*more = err == nil
				return
			}
			if err != nil {
				yield(it, err)
				return
			}
			i++
			if !yield(it, nil) {
				return
			}
		}
	}
}

// NoteMore tells the user on stderr that a list stopped at its limit.
func NoteMore(w io.Writer, more bool, n int, noun string) {
	if more {
		fmt.Fprintf(w, "Showing the first %d %s; there are more: use --limit N or --all.\n", n, noun)
	}
}

// Seq yields the items of a list already in memory, for output.List.
func Seq[T any](items []T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, it := range items {
			if !yield(it, nil) {
				return
			}
		}
	}
}
