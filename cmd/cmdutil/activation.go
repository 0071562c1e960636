package cmdutil

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/lpa"
	"github.com/connectctl/connectctl/internal/output"
	"github.com/connectctl/connectctl/internal/qr"
)

// QRDisplay chooses how an activation code is handed over as a QR code. Every
// command that shows an activation code (order new|get|wait, sim get, sim qr)
// shares it, so a code looks and scans the same everywhere.
type QRDisplay struct {
	QR     bool   // draw the QR code even where it is not drawn by default
	PNG    string // also write the QR code as a PNG to this file
	Invert bool   // draw for a dark terminal without colour

	pngFlag string // the flag name PNG came from, for messages
	// qrOff: --qr=false was given, which beats the terminal default.
	qrOff func() bool
}

// BindFlags binds --qr (unless qrFlag is false), the PNG flag (pngFlag:
// "qr-png", or "png" where the command is about the QR code itself) and
// --invert.
func (d *QRDisplay) BindFlags(cmd *cobra.Command, qrFlag bool, pngFlag string) {
	fl := cmd.Flags()
	if qrFlag {
		fl.BoolVar(&d.QR, "qr", false, "Show the activation code as a QR code (default on a terminal, --qr=false to leave it out; on stderr with -o json)")
		d.qrOff = func() bool { return fl.Changed("qr") && !d.QR }
	}
	d.pngFlag = pngFlag
	fl.StringVar(&d.PNG, pngFlag, "", "Also write the QR code as a PNG to this file")
	fl.BoolVar(&d.Invert, "invert", false, "Draw the QR code for a dark terminal without colour")
}

// Validate checks the flags before anything is sent.
func (d *QRDisplay) Validate() error {
	name := d.pngFlag
	if name == "" {
		name = "qr-png"
	}
	if d.PNG == "" {
		return nil
	}
	if strings.HasSuffix(d.PNG, "/") || strings.TrimSpace(d.PNG) == "" {
		return FlagErrorf("--%s %q: want a file name, not a folder", name, d.PNG)
	}
	if fi, err := os.Stat(d.PNG); err == nil && fi.IsDir() {
		return FlagErrorf("--%s %q: is a folder, want a file name", name, d.PNG)
	}
	// The PNG is written after the order is placed: a folder that is missing
	// or not writable is found now, before anything is sent.
	dir := filepath.Dir(d.PNG)
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return FlagErrorf("--%s %q: folder %s does not exist: create it or pick another file", name, d.PNG, dir)
	case !fi.IsDir():
		return FlagErrorf("--%s %q: %s is not a folder", name, d.PNG, dir)
	}
	f, err := os.CreateTemp(dir, ".connectctl-write-check-*")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the probe's own name means nothing to the user
		}
		return FlagErrorf("--%s %q: cannot write in folder %s: %v", name, d.PNG, dir, err)
	}
	_ = f.Close()
	_ = os.Remove(f.Name())
	return nil
}

// ActivationFields are the two lines a person copies from: the code as text
// and the iPhone install link, labelled as their JSON keys are (sim qr).
func ActivationFields(code lpa.Code) []output.Field {
	return []output.Field{
		{Label: output.HeaderFor("activation_code"), Value: code.String()},
		{Label: output.HeaderFor("ios_install_url"), Value: lpa.IOSInstallURL(code)},
	}
}

func (d QRDisplay) explicitlyOff() bool { return d.qrOff != nil && d.qrOff() }

// RenderQR draws code as a terminal QR code followed by the code as text, and
// writes the PNG if one was asked for. Where the QR code goes:
//
//   - stdout carries data for a program (structured): on stderr, and only
//     with --qr (or always);
//   - a table: on stdout, when stdout is a terminal, with --qr, or always.
//
// always is for commands whose purpose is the QR code (sim qr).
func RenderQR(ios *iostreams.IOStreams, code lpa.Code, d QRDisplay, structured, always bool) error {
	var w io.Writer
	color := ios.ColorEnabled()
	switch {
	case structured && (d.QR || always):
		w, color = ios.ErrOut, ios.IsStderrTTY() && color
	case !structured && (d.QR || always || (ios.IsStdoutTTY() && !d.explicitlyOff())):
		w = ios.Out
	}
	if w != nil {
		fmt.Fprintln(w)
		if err := qr.Terminal(w, code.String(), qr.Options{Color: color, Invert: d.Invert}); err != nil {
			return fmt.Errorf("drawing the QR code: %w", err)
		}
		fmt.Fprintln(w, code.String())
	}
	if d.PNG != "" {
		if err := qr.SavePNG(d.PNG, code.String()); err != nil {
			name := d.pngFlag
			if name == "" {
				name = "qr-png"
			}
			return fmt.Errorf("--%s: %w", name, err)
		}
		fmt.Fprintf(ios.ErrOut, "QR code written to %s\n", d.PNG)
	}
	return nil
}
