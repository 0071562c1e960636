package cmdutil

import (
	"slices"
	"testing"

	"github.com/spf13/cobra"
)

func TestSuggestions(t *testing.T) {
	group := &cobra.Command{Use: "order"}
	for _, sub := range []*cobra.Command{
		{Use: "new", SuggestFor: []string{"create"}, Run: func(*cobra.Command, []string) {}},
		{Use: "get", Run: func(*cobra.Command, []string) {}},
		{Use: "list", Aliases: []string{"ls"}, Run: func(*cobra.Command, []string) {}},
		{Use: "history", Run: func(*cobra.Command, []string) {}},
	} {
		group.AddCommand(sub)
	}
	for _, tc := range []struct {
		typed string
		want  []string
	}{
		{"lst", []string{"list"}},   // 1 edit; get is 2
		{"craete", []string{"new"}}, // by SuggestFor "create"
		{"hist", []string{"history"}},
		{"gte", []string{"get"}},
		{"zzzzzz", nil},
	} {
		if got := suggestions(group, tc.typed); !slices.Equal(got, tc.want) {
			t.Errorf("suggestions(%q) = %v, want %v", tc.typed, got, tc.want)
		}
	}
}
