package order

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/lpa"
	"github.com/connectctl/connectctl/internal/qr"
)

// DisplayOptions choose how an order's activation code is handed over.
type DisplayOptions struct {
	QR     bool
	QRPNG  string
	Invert bool
}

func (d *DisplayOptions) bindFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&d.QR, "qr", false, "Show the activation code as a QR code (default on a terminal)")
	fl.StringVar(&d.QRPNG, "qr-png", "", "Also write the QR code as a PNG to this file")
	fl.BoolVar(&d.Invert, "invert", false, "Draw the QR code for a dark terminal without colour")
}

func (d *DisplayOptions) validate() error {
	if d.QRPNG != "" && strings.HasSuffix(d.QRPNG, "/") {
		return cmdutil.FlagErrorf("--qr-png %q: want a file name, not a folder", d.QRPNG)
	}
	return nil
}

// show prints an order for a person: its fields, and once COMPLETED the
// activation code as text, as the iPhone install link and as a QR code.
func show(io *iostreams.IOStreams, o *connect.Order, d *DisplayOptions) error {
	tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Order:\t%s\n", o.ID)
	fmt.Fprintf(tw, "Status:\t%s\n", o.Status)
	if o.Error != "" {
		fmt.Fprintf(tw, "Error:\t%s\n", o.Error)
	}
	var code lpa.Code
	var hasCode bool
	if out := o.Output; out != nil {
		if out.ICCID != "" {
			fmt.Fprintf(tw, "ICCID:\t%s\n", out.ICCID)
		}
		if out.SubscriptionID != "" {
			fmt.Fprintf(tw, "Subscription:\t%s\n", out.SubscriptionID)
		}
		c, warnings, err := out.ActivationCode()
		for _, w := range warnings {
			fmt.Fprintln(io.ErrOut, "warning:", w)
		}
		if err == nil {
			code, hasCode = c, true
			fmt.Fprintf(tw, "Activation code:\t%s\n", c.String())
			fmt.Fprintf(tw, "iPhone install link:\t%s\n", lpa.IOSInstallURL(c))
		} else if out.MatchingID != "" || out.LPAURL != "" {
			// A malformed code is reported, never drawn as a garbled QR.
			fmt.Fprintln(io.ErrOut, "warning: the API's activation code is malformed:", err)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !hasCode {
		return nil
	}
	if d.QR || io.IsStdoutTTY() {
		fmt.Fprintln(io.Out)
		if err := qr.Terminal(io.Out, code.String(), qr.Options{Color: io.ColorEnabled(), Invert: d.Invert}); err != nil {
			return fmt.Errorf("drawing the QR code: %w", err)
		}
		fmt.Fprintln(io.Out, code.String())
	}
	if d.QRPNG != "" {
		if err := qr.SavePNG(d.QRPNG, code.String()); err != nil {
			return fmt.Errorf("--qr-png: %w", err)
		}
		fmt.Fprintf(io.ErrOut, "QR code written to %s\n", d.QRPNG)
	}
	return nil
}
