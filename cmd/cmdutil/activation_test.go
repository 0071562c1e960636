package cmdutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/lpa"
)

func TestRenderQR(t *testing.T) {
	code := lpa.MustParse("LPA:1$rsp.truphone.com$0F-OSNCM-7O4TFA")
	tests := []struct {
		name               string
		stdoutTTY          bool
		qr, structured, al bool
		want               string // "out", "err" or ""
	}{
		{name: "table on a terminal: stdout", stdoutTTY: true, want: "out"},
		{name: "table in a pipe: nothing", want: ""},
		{name: "table in a pipe with --qr: stdout", qr: true, want: "out"},
		{name: "json: nothing", structured: true, stdoutTTY: true, want: ""},
		{name: "json with --qr: stderr", structured: true, qr: true, want: "err"},
		{name: "always (sim qr) in a pipe: stdout", al: true, want: "out"},
		{name: "always with json: stderr", al: true, structured: true, want: "err"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			ios.SetTTY(false, tt.stdoutTTY, false)
			if err := RenderQR(ios, code, QRDisplay{QR: tt.qr}, tt.structured, tt.al); err != nil {
				t.Fatal(err)
			}
			drawn := func(s string) bool {
				return strings.ContainsAny(s, "█▀▄") && strings.HasSuffix(s, code.String()+"\n")
			}
			if got := drawn(out.String()); got != (tt.want == "out") {
				t.Errorf("stdout drawn = %v:\n%s", got, out.String())
			}
			if got := drawn(errOut.String()); got != (tt.want == "err") {
				t.Errorf("stderr drawn = %v:\n%s", got, errOut.String())
			}
		})
	}
	t.Run("png", func(t *testing.T) {
		ios, _, _, errOut := iostreams.Test()
		path := filepath.Join(t.TempDir(), "code.png")
		if err := RenderQR(ios, code, QRDisplay{PNG: path}, false, false); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(path); err != nil || st.Size() == 0 || !strings.Contains(errOut.String(), path) {
			t.Fatalf("png: %v %q", err, errOut.String())
		}
	})
	t.Run("png to a folder is a usage error", func(t *testing.T) {
		d := QRDisplay{PNG: "out/", pngFlag: "png"}
		if err := d.Validate(); err == nil || ExitCodeFor(err) != ExitUsage || !strings.Contains(err.Error(), "--png") {
			t.Fatalf("%v", err)
		}
	})
}

func TestActivationFields(t *testing.T) {
	f := ActivationFields(lpa.MustParse("1$rsp.truphone.com$0F-OSNCM-7O4TFA"))
	if f[0].Label != "ACTIVATION_CODE" || f[0].Value != "LPA:1$rsp.truphone.com$0F-OSNCM-7O4TFA" || f[1].Label != "IOS_INSTALL_URL" ||
		f[1].Value != "https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=LPA%3A1%24rsp.truphone.com%240F-OSNCM-7O4TFA" {
		t.Fatalf("%q", f)
	}
}

// An explicit --qr=false beats the terminal default (order get, order wait,
// order new --wait and sim get all bind --qr through BindFlags).
func TestRenderQRExplicitOffOnTerminal(t *testing.T) {
	code := lpa.MustParse("LPA:1$rsp.truphone.com$0F-OSNCM-7O4TFA")
	for _, tt := range []struct {
		args  []string
		drawn bool
	}{
		{nil, true},
		{[]string{"--qr"}, true},
		{[]string{"--qr=true"}, true},
		{[]string{"--qr=false"}, false},
	} {
		var d QRDisplay
		cmd := &cobra.Command{Use: "get"}
		d.BindFlags(cmd, true, "qr-png")
		if err := cmd.ParseFlags(tt.args); err != nil {
			t.Fatal(err)
		}
		ios, _, out, _ := iostreams.Test()
		ios.SetTTY(true, true, true)
		ios.SetNoColor(true)
		if err := RenderQR(ios, code, d, false, false); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(out.String(), "█"); got != tt.drawn {
			t.Errorf("%v on a terminal: QR drawn = %v, want %v", tt.args, got, tt.drawn)
		}
	}
}
