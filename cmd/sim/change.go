package sim

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/output"
)

// ChangeOptions are the inputs of `sim move` and `sim delete`.
type ChangeOptions struct {
	IO             *iostreams.IOStreams
	Client         func() (*connect.Client, error)
	Printer        *output.Printer
	ICCID          string
	EID            string
	IgnoreChecksum bool
	Yes            bool
}

// NewCmdMove returns `connectctl sim move ICCID --eid EID`; runF replaces the run function in tests.
func NewCmdMove(f *factory.Factory, runF func(context.Context, *ChangeOptions) error) *cobra.Command {
	opts := &ChangeOptions{IO: f.IOStreams, Client: f.Client}
	if runF == nil {
		runF = runMove
	}
	cmd := &cobra.Command{
		Use:   "move ICCID --eid EID",
		Short: "Bind a SIM profile to another device (EID)",
		Long: "Bind a SIM profile to another device's EID, so it can be installed there.\n" +
			"The API allows it only while the profile is Released or Unavailable (deleted\n" +
			"from the old device); an Installed or Downloaded one is refused (exit 5).\n" +
			"Afterwards the profile is Released: hand over its code with `connectctl sim qr`.\n" +
			"A wrong ICCID Luhn digit or EID check digits are refused before anything is\n" +
			"sent, unless --ignore-checksum. The API documents moving for eSIMs on Apple\n" +
			"devices only; connectctl says so on stderr before it sends the request.",
		Example: cmdutil.Examples(
			"Bind a Released profile to a new iPhone's EID", "connectctl sim move 8944478600000205337 --eid 89049032004008882600019002594762",
			"Then hand its activation code over", "connectctl sim qr 8944478600000205337",
		),
		Args: cmdutil.ExactArgs("ICCID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := f.Printer()
			if err != nil {
				return err
			}
			opts.Printer = p
			if opts.ICCID, err = cmdutil.ICCIDArg(opts.IO.ErrOut, "ICCID", args[0], true, opts.IgnoreChecksum); err != nil {
				return err
			}
			if !cmd.Flags().Changed("eid") {
				return cmdutil.FlagErrorf("--eid is required: the 32-digit EID of the device to move SIM %s to", opts.ICCID)
			}
			if opts.EID, err = cmdutil.EIDArg(opts.IO.ErrOut, "--eid", opts.EID, opts.IgnoreChecksum); err != nil {
				return err
			}
			return runF(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.EID, "eid", "", "EID (32 digits) of the device to bind the profile to")
	cmdutil.AddIgnoreChecksumFlag(cmd, &opts.IgnoreChecksum)
	return cmd
}

func runMove(ctx context.Context, o *ChangeOptions) error {
	client, err := o.Client()
	if err != nil {
		return err
	}
	// The v1 document: "eSIM + Apple devices only"; the API does not check.
	fmt.Fprintln(o.IO.ErrOut, "warning: the API allows moving a profile for eSIMs on Apple devices only")
	if err := client.ChangeEID(ctx, o.ICCID, o.EID); err != nil {
		return fmt.Errorf("sim move: %w", err)
	}
	fmt.Fprintf(o.IO.ErrOut, "SIM %s is now bound to EID %s. Install it on that device with its activation code: connectctl sim qr %s\n",
		o.ICCID, o.EID, o.ICCID)
	if o.Printer.Structured() {
		// Scripts get the SIM as it is now.
		s, err := client.GetSIM(ctx, o.ICCID)
		if err != nil {
			return fmt.Errorf("sim move: moved, but reading the SIM back failed: %w", err)
		}
		return output.Item(o.Printer, *s, simColumns)
	}
	return nil
}

// NewCmdDelete returns `connectctl sim delete ICCID`; runF replaces the run function in tests.
func NewCmdDelete(f *factory.Factory, runF func(context.Context, *ChangeOptions) error) *cobra.Command {
	opts := &ChangeOptions{IO: f.IOStreams, Client: f.Client}
	if runF == nil {
		runF = runDelete
	}
	cmd := &cobra.Command{
		Use:   "delete ICCID [--yes]",
		Short: "Cancel a never-installed SIM and its subscriptions (the refund path)",
		Long: "Cancel a SIM profile and every subscription on it: the refund path. The API\n" +
			"allows it only for a profile never downloaded or installed and with no data\n" +
			"used (else exit 5). It cannot be undone, so the command asks first; without a\n" +
			"terminal to ask on it refuses (exit 2) unless given --yes. A wrong ICCID Luhn\n" +
			"digit is refused unless --ignore-checksum.",
		Example: cmdutil.Examples(
			"Cancel a never-installed SIM and its plans (asks first)", "connectctl sim delete 8944478600000205337",
			"Cancel it from a script, with no question", "connectctl sim delete 8944478600000205337 --yes",
		),
		Args: cmdutil.ExactArgs("ICCID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := f.Printer(); err != nil {
				return err
			}
			var err error
			if opts.ICCID, err = cmdutil.ICCIDArg(opts.IO.ErrOut, "ICCID", args[0], true, opts.IgnoreChecksum); err != nil {
				return err
			}
			opts.Yes = f.Globals.Yes
			if err := Confirm(opts.IO, opts.Yes,
				fmt.Sprintf("Delete SIM %s and cancel its subscriptions? This cannot be undone.", opts.ICCID),
				fmt.Sprintf("SIM %s was not deleted", opts.ICCID)); err != nil {
				return err
			}
			return runF(cmd.Context(), opts)
		},
	}
	cmdutil.AddIgnoreChecksumFlag(cmd, &opts.IgnoreChecksum)
	return cmd
}

func runDelete(ctx context.Context, o *ChangeOptions) error {
	client, err := o.Client()
	if err != nil {
		return err
	}
	if err := client.DeleteSIM(ctx, o.ICCID); err != nil {
		return fmt.Errorf("sim delete: %w", err)
	}
	fmt.Fprintf(o.IO.ErrOut, "Deleted SIM %s and cancelled its subscriptions.\n", o.ICCID)
	return nil
}

// Confirm decides whether a destructive command may go ahead: -y/--yes says
// so; else a person at a terminal is asked (only y or yes goes ahead); else,
// with no one to ask, it refuses. Refusals are exit 2: nothing was sent.
func Confirm(ios *iostreams.IOStreams, yes bool, question, notDone string) error {
	if yes {
		return nil
	}
	if !ios.CanPrompt() {
		return cmdutil.FlagErrorf("%s: no terminal to confirm on; add --yes to go ahead", notDone)
	}
	fmt.Fprintf(ios.ErrOut, "%s [y/N] ", question)
	line, _ := bufio.NewReader(ios.In).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	fmt.Fprintf(ios.ErrOut, "Cancelled: %s.\n", notDone)
	return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Silent: true, Err: fmt.Errorf("cancelled: %s", notDone)}
}
