// Package order implements `connectctl order`: place eSIM orders and top-ups,
// follow them to completion and hand over their activation codes.
package order

import (
	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/factory"
)

// Short is `connectctl order`'s summary; the root's help lists it without
// building the command (issue 13).
const Short = "Place eSIM orders and top-ups and follow them to completion"

// NewCmdOrder returns `connectctl order`.
func NewCmdOrder(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "order <command>",
		Short: Short,
	}
	cmd.AddCommand(NewCmdNew(f, nil))
	cmd.AddCommand(NewCmdTopUp(f, nil))
	cmd.AddCommand(NewCmdGet(f, nil))
	cmd.AddCommand(NewCmdWait(f, nil))
	cmd.AddCommand(NewCmdList(f, nil))
	cmd.AddCommand(NewCmdHistory(f, nil))
	return cmd
}
