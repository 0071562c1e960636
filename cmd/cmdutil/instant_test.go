package cmdutil

import (
	"testing"

	"github.com/spf13/cobra"
)

func TestIsInstant(t *testing.T) {
	root := &cobra.Command{Use: "connectctl"}
	version := &cobra.Command{Use: "version", Run: func(*cobra.Command, []string) {}}
	MarkInstant(version)
	completion := &cobra.Command{Use: "completion"}
	bash := &cobra.Command{Use: "bash", Run: func(*cobra.Command, []string) {}}
	completion.AddCommand(bash)
	MarkInstant(completion)
	order := &cobra.Command{Use: "order"}
	orderNew := &cobra.Command{Use: "new", Run: func(*cobra.Command, []string) {}}
	orderHelp := &cobra.Command{Use: "help", Run: func(*cobra.Command, []string) {}} // not Cobra's
	order.AddCommand(orderNew, orderHelp)
	root.AddCommand(version, completion, order)
	root.InitDefaultHelpCmd()
	help, _, err := root.Find([]string{"help"})
	if err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		cmd  *cobra.Command
		want bool
	}{
		{version, true},
		{bash, true}, // below a marked command
		{help, true},
		{order, false},
		{orderNew, false},
		{orderHelp, false},
		{root, false},
	} {
		if got := IsInstant(tt.cmd); got != tt.want {
			t.Errorf("IsInstant(%q) = %v, want %v", tt.cmd.CommandPath(), got, tt.want)
		}
	}
}
