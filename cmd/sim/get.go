package sim

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/lpa"
	"github.com/connectctl/connectctl/internal/output"
)

// getColumns are sim get's fields: the SIM's, plus the activation code as
// text and as the iPhone install link.
var getColumns = append(append([]output.Column[connect.SIM](nil), simColumns...),
	output.Column[connect.SIM]{Name: "activation_code", Aliases: []string{"activation-code"}, Derived: true, Value: func(s connect.SIM) string {
		if c, _, err := s.ActivationCode(); err == nil {
			return c.String()
		}
		return ""
	}},
	output.Column[connect.SIM]{Name: "ios_install_url", Aliases: []string{"ios-link"}, Derived: true, Value: func(s connect.SIM) string {
		if c, _, err := s.ActivationCode(); err == nil {
			return lpa.IOSInstallURL(c)
		}
		return ""
	}},
)

// GetOptions are the inputs of `sim get` and `sim qr`.
type GetOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (*connect.Client, error)
	Printer *output.Printer
	ICCID   string
	Display cmdutil.QRDisplay
}

// prepare readies a read-only command on one SIM (sim get, qr, subs, usage)
// before anything is sent: the printer, with --columns checked against cols;
// the QR code flags; the ICCID argument, whose wrong check digit is only
// warned about.
func prepare[T any](f *factory.Factory, opts *GetOptions, cols []output.Column[T], iccid string) error {
	var err error
	if opts.Printer, err = factory.PrinterFor(f.Printer, cols); err != nil {
		return err
	}
	if err := opts.Display.Validate(); err != nil {
		return err
	}
	opts.ICCID, err = cmdutil.ICCIDArg(opts.IO.ErrOut, "ICCID", iccid, false, false)
	return err
}

// NewCmdGet returns `connectctl sim get ICCID`; runF replaces the run function in tests.
func NewCmdGet(f *factory.Factory, runF func(context.Context, *GetOptions) error) *cobra.Command {
	opts := &GetOptions{IO: f.IOStreams, Client: f.Client}
	if runF == nil {
		runF = runGet
	}
	cmd := &cobra.Command{
		Use: "get ICCID [--qr] [--qr-png FILE]",
		Example: cmdutil.Examples(
			"Show a SIM and, on a terminal, its QR code", "connectctl sim get 8944478600000205337",
			"Show it without the QR code", "connectctl sim get 8944478600000205337 --qr=false",
			"Print the profile state (Released, Downloaded, Installed, Unavailable)", "connectctl sim get 8944478600000205337 --jq .status",
		),
		Short: "Show a SIM profile: state, EID, activation code",
		Long: "Show a SIM profile: its state (Released, Downloaded, Installed,\n" +
			"Unavailable), EID, and its activation code as text, as the iPhone install\n" +
			"link and, on a terminal or with --qr, as a QR code. With -o json the QR code\n" +
			"goes to stderr. The code and the link install the profile: treat them as\n" +
			"secrets.",
		Args: cmdutil.ExactArgs("ICCID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := prepare(f, opts, getColumns, args[0]); err != nil {
				return err
			}
			return runF(cmd.Context(), opts)
		},
	}
	opts.Display.BindFlags(cmd, true, "qr-png")
	return factory.SetColumns(cmd, getColumns)
}

// activationCode resolves a SIM's code, printing the API's inconsistencies
// as warnings. ok is false when there is no usable code.
func activationCode(io *iostreams.IOStreams, s *connect.SIM) (lpa.Code, error) {
	code, warnings, err := s.ActivationCode()
	for _, w := range warnings {
		fmt.Fprintln(io.ErrOut, "warning:", w)
	}
	return code, err
}

func runGet(ctx context.Context, o *GetOptions) error {
	client, err := o.Client()
	if err != nil {
		return err
	}
	s, err := client.GetSIM(ctx, o.ICCID)
	if err != nil {
		return fmt.Errorf("sim get: %w", err)
	}
	code, codeErr := activationCode(o.IO, s)
	if err := output.Item(o.Printer, *s, getColumns); err != nil {
		return err
	}
	wantQR := o.Display.QR || o.Display.PNG != ""
	switch {
	case codeErr == nil:
		return cmdutil.RenderQR(o.IO, code, o.Display, o.Printer.Structured(), false)
	case errors.Is(codeErr, connect.ErrNoLPA):
		if wantQR {
			fmt.Fprintf(o.IO.ErrOut, "warning: SIM %s has no activation code to draw\n", s.ICCID)
		}
	default:
		// A malformed code is reported, never drawn as a garbled QR.
		fmt.Fprintln(o.IO.ErrOut, "warning: the API's activation code is malformed:", codeErr)
	}
	return nil
}

// NewCmdQR returns `connectctl sim qr ICCID`; runF replaces the run function in tests.
func NewCmdQR(f *factory.Factory, runF func(context.Context, *GetOptions) error) *cobra.Command {
	opts := &GetOptions{IO: f.IOStreams, Client: f.Client}
	if runF == nil {
		runF = runQR
	}
	cmd := &cobra.Command{
		Use: "qr ICCID [--png FILE]",
		Example: cmdutil.Examples(
			"Show a SIM's QR code for the phone's camera", "connectctl sim qr 8944478600000205337",
			"Save it as a PNG", "connectctl sim qr 8944478600000205337 --png esim.png",
			"Print only the iOS install link", "connectctl sim qr 8944478600000205337 --jq .ios_install_url",
		),
		Short: "Show a SIM's activation code as a QR code, text and iPhone link",
		Long: "Show a SIM profile's activation code for handing over: as a QR code that a\n" +
			"phone's camera reads, as text (LPA:1$...) to type in, and as the link that\n" +
			"installs it on iOS 17.4 and later. --png also writes the QR code as a PNG.\n" +
			"With -o json stdout carries {iccid, activation_code, ios_install_url} and\n" +
			"the QR code goes to stderr. The code installs the profile: treat it as a secret.",
		Args: cmdutil.ExactArgs("ICCID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := prepare(f, opts, qrColumns, args[0]); err != nil {
				return err
			}
			return runF(cmd.Context(), opts)
		},
	}
	opts.Display.BindFlags(cmd, false, "png")
	return factory.SetColumns(cmd, qrColumns)
}

// QRCode is sim qr's structured output.
type QRCode struct {
	ICCID          string `json:"iccid"`
	ActivationCode string `json:"activation_code"`
	IOSInstallURL  string `json:"ios_install_url"`
}

var qrColumns = []output.Column[QRCode]{
	{Name: "iccid", Value: func(q QRCode) string { return q.ICCID }},
	{Name: "activation_code", Aliases: []string{"activation-code"}, Value: func(q QRCode) string { return q.ActivationCode }},
	{Name: "ios_install_url", Aliases: []string{"ios-link"}, Value: func(q QRCode) string { return q.IOSInstallURL }},
}

func runQR(ctx context.Context, o *GetOptions) error {
	client, err := o.Client()
	if err != nil {
		return err
	}
	s, err := client.GetSIM(ctx, o.ICCID)
	if err != nil {
		return fmt.Errorf("sim qr: %w", err)
	}
	code, err := activationCode(o.IO, s)
	if errors.Is(err, connect.ErrNoLPA) {
		return fmt.Errorf("sim qr: SIM %s has no activation code (no lpa_url or matching id in the API's answer)", s.ICCID)
	} else if err != nil {
		return fmt.Errorf("sim qr: the API's activation code for SIM %s is malformed: %w", s.ICCID, err)
	}
	q := QRCode{ICCID: s.ICCID, ActivationCode: code.String(), IOSInstallURL: lpa.IOSInstallURL(code)}
	if err := output.Item(o.Printer, q, qrColumns); err != nil {
		return err
	}
	return cmdutil.RenderQR(o.IO, code, o.Display, o.Printer.Structured(), true)
}
