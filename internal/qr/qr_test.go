package qr_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/connectctl/connectctl/internal/qr"
	"github.com/connectctl/connectctl/internal/qr/qrtest"
	rscqr "rsc.io/qr"
)

// codes are rendered and scanned back by every scanning test.
var codes = []struct{ name, text string }{
	{"sample-O-17QF0", "LPA:1$rsp.truphone.com$O-17QF0-MJVBIN"},
	{"sample-5C-M1OIY", "LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1"},
	{"sample-6C-DA326D", "LPA:1$rsp.truphone.com$6C-DA326D-K86D"},
	{"optional-fields", "LPA:1$rsp.truphone.com$ABC-123$1.3.6.1.4.1.31746$1"},
	{"short-id", "LPA:1$rsp.truphone.com$A"},
	{"long-id", "LPA:1$smdp.example-operator.com$" + strings.Repeat("0123456789ABCDEF", 6) + "-LONG"},
	// Upper case only: rsc.io/qr picks alphanumeric mode rather than bytes.
	{"alphanumeric-mode", "LPA:1$RSP.TRUPHONE.COM$5C-M1OIY-QHWKD1"},
	{"max-len", maxLenText()},
}

// maxLenText is a code-shaped string of exactly qr.MaxLen bytes.
func maxLenText() string {
	s := "LPA:1$rsp.truphone.com$"
	return s + strings.Repeat("x", qr.MaxLen-len(s))
}

func encodeM(t *testing.T, text string) *rscqr.Code {
	t.Helper()
	code, err := rscqr.Encode(text, rscqr.M)
	if err != nil {
		t.Fatalf("rsc.io/qr Encode: %v", err)
	}
	return code
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		text string
		want error // nil means valid
	}{
		{"sample", "LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1", nil},
		{"optional fields", "LPA:1$rsp.truphone.com$ABC-123$1.3.6.1.4.1.31746$1", nil},
		{"inner space", "LPA:1$a b$c", nil},
		{"non-ASCII printable", "LPA:1$smdp.example$ÄÖ-ü", nil},
		{"exactly MaxLen", maxLenText(), nil},
		{"empty", "", qr.ErrEmpty},
		{"trailing newline", "LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1\n", qr.ErrInvalidChar},
		{"inner newline", "LPA:1$rsp.truphone.com\n$5C-M1OIY", qr.ErrInvalidChar},
		{"carriage return", "LPA:1$rsp.truphone.com$X\r", qr.ErrInvalidChar},
		{"tab", "LPA:1$rsp.truphone.com\t$X", qr.ErrInvalidChar},
		{"NUL", "LPA:1$rsp\x00.truphone.com$X", qr.ErrInvalidChar},
		{"escape", "\x1b[31mLPA:1$a$b", qr.ErrInvalidChar},
		{"DEL", "LPA:1$a$b\x7f", qr.ErrInvalidChar},
		{"C1 NEL", "LPA:1$a$b\u0085", qr.ErrInvalidChar},
		{"line separator", "LPA:1$a$b\u2028", qr.ErrInvalidChar},
		{"bidi override", "LPA:1$a$\u202eb", qr.ErrInvalidChar},
		{"invalid UTF-8", "LPA:1$a$\xff\xfe", qr.ErrInvalidChar},
		{"MaxLen+1", maxLenText() + "x", qr.ErrTooLong},
		{"beyond v40-M capacity", strings.Repeat("a", 2332), qr.ErrTooLong},
		{"huge", strings.Repeat("LPA:1$", 10000), qr.ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := qr.Validate(tt.text)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate: unexpected error %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Validate: got %v, want %v", err, tt.want)
			}

			// Every entry point rejects it too: an error, no panic, no output.
			var buf bytes.Buffer
			for _, opts := range []qr.Options{{}, {Color: true}, {Invert: true}} {
				if err := qr.Terminal(&buf, tt.text, opts); !errors.Is(err, tt.want) {
					t.Errorf("Terminal(%+v): got %v, want %v", opts, err, tt.want)
				}
			}
			if err := qr.WritePNG(&buf, tt.text); !errors.Is(err, tt.want) {
				t.Errorf("WritePNG: got %v, want %v", err, tt.want)
			}
			if _, err := qr.Image(tt.text, 4); !errors.Is(err, tt.want) {
				t.Errorf("Image: got %v, want %v", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes for invalid input", buf.Len())
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "code.png")
			if err := qr.SavePNG(path, tt.text); !errors.Is(err, tt.want) {
				t.Errorf("SavePNG: got %v, want %v", err, tt.want)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("SavePNG left %d files for invalid input", len(ents))
			}
		})
	}
}

// TestCapacityConstants pins the documented limits to the encoder's reality.
func TestCapacityConstants(t *testing.T) {
	if _, err := rscqr.Encode(strings.Repeat("a", 2331), rscqr.M); err != nil {
		t.Errorf("2,331 bytes should fit version 40-M: %v", err)
	}
	if _, err := rscqr.Encode(strings.Repeat("a", 2332), rscqr.M); err == nil {
		t.Error("2,332 bytes should not fit version 40-M")
	}
	if size := encodeM(t, maxLenText()).Size; size > 89 {
		t.Errorf("MaxLen input gives %d modules, documented as at most 89 (version 18)", size)
	}
}

func TestPNGScans(t *testing.T) {
	zbar := qrtest.Zbarimg(t)
	for _, c := range codes {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := qr.WritePNG(&buf, c.text); err != nil {
				t.Fatalf("WritePNG: %v", err)
			}
			img, err := png.Decode(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatalf("png.Decode: %v", err)
			}
			checkPNG(t, img, encodeM(t, c.text))

			path := filepath.Join(t.TempDir(), "code.png")
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := qrtest.DecodeFile(zbar, path)
			if err != nil {
				t.Fatalf("zbarimg: %v", err)
			}
			if got != c.text {
				t.Fatalf("zbarimg decoded %q, want %q", got, c.text)
			}
			t.Logf("zbarimg decoded PNG %dx%d: %s", img.Bounds().Dx(), img.Bounds().Dy(), short(got))
		})
	}
}

// checkPNG checks size, integer scaling, pure black/white pixels, an all-white
// 4-module quiet zone, and that every module matches the QR matrix.
func checkPNG(t *testing.T, img image.Image, code *rscqr.Code) {
	t.Helper()
	b := img.Bounds()
	if b.Dx() != b.Dy() {
		t.Fatalf("PNG is %dx%d, want square", b.Dx(), b.Dy())
	}
	if b.Dx() < qr.MinPNGSize {
		t.Fatalf("PNG is %d px wide, want at least %d", b.Dx(), qr.MinPNGSize)
	}
	modules := code.Size + 2*qr.QuietZone
	if b.Dx()%modules != 0 {
		t.Fatalf("PNG width %d is not a whole multiple of %d modules", b.Dx(), modules)
	}
	scale := b.Dx() / modules
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			gray := color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y
			if gray != 0 && gray != 255 {
				t.Fatalf("pixel (%d,%d) is grey %d, want pure black or white", x, y, gray)
			}
			mx, my := (x-b.Min.X)/scale-qr.QuietZone, (y-b.Min.Y)/scale-qr.QuietZone
			inQuiet := mx < 0 || my < 0 || mx >= code.Size || my >= code.Size
			if inQuiet && gray != 255 {
				t.Fatalf("quiet-zone pixel (%d,%d) is not white", x, y)
			}
			if !inQuiet && (gray == 0) != code.Black(mx, my) {
				t.Fatalf("module (%d,%d) has the wrong colour", mx, my)
			}
		}
	}
}

func TestSavePNG(t *testing.T) {
	zbar := qrtest.Zbarimg(t)
	const text = "LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1"
	dir := t.TempDir()
	path := filepath.Join(dir, "esim.png")
	if err := os.WriteFile(path, []byte("old contents"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := qr.SavePNG(path, text); err != nil {
		t.Fatalf("SavePNG: %v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("directory holds %d entries, want only esim.png (temp file left?)", len(ents))
	}
	got, err := qrtest.DecodeFile(zbar, path)
	if err != nil || got != text {
		t.Fatalf("zbarimg: got %q, %v; want %q", got, err, text)
	}

	if err := qr.SavePNG(filepath.Join(dir, "missing", "esim.png"), text); err == nil {
		t.Error("SavePNG into a missing directory: want an error")
	}
}

// terminalModes are the renderings a user can see, each on the terminal
// theme it is meant for.
var terminalModes = []struct {
	name  string
	opts  qr.Options
	theme qrtest.Theme
}{
	{"color-on-light", qr.Options{Color: true}, qrtest.Light},
	{"color-on-dark", qr.Options{Color: true}, qrtest.Dark},
	{"color-invert-on-dark", qr.Options{Color: true, Invert: true}, qrtest.Dark},
	{"plain-on-light", qr.Options{}, qrtest.Light},
	{"plain-invert-on-dark", qr.Options{Invert: true}, qrtest.Dark},
}

func TestTerminalScans(t *testing.T) {
	zbar := qrtest.Zbarimg(t)
	for _, c := range codes {
		code := encodeM(t, c.text)
		for _, m := range terminalModes {
			t.Run(c.name+"/"+m.name, func(t *testing.T) {
				out, err := qr.TerminalString(c.text, m.opts)
				if err != nil {
					t.Fatalf("TerminalString: %v", err)
				}
				g, err := qrtest.ParseTerminal(out, m.theme)
				if err != nil {
					t.Fatalf("ParseTerminal: %v", err)
				}
				checkGrid(t, g, code, m.theme)

				got, err := qrtest.Decode(t, zbar, g.Image(8), "terminal")
				if err != nil {
					t.Fatalf("zbarimg on the terminal rendering: %v\n%s", err, out)
				}
				if got != c.text {
					t.Fatalf("zbarimg decoded %q, want %q", got, c.text)
				}
				t.Logf("zbarimg decoded terminal rendering (%dx%d modules): %s", g.W, g.H, short(got))
			})
		}
	}
}

// checkGrid checks that a parsed rendering is the QR matrix, dark modules
// dark, framed by a 4-module light quiet zone on every side. The only other
// module allowed is the lower half of the last row, which is left to the
// terminal's background.
func checkGrid(t *testing.T, g *qrtest.Grid, code *rscqr.Code, theme qrtest.Theme) {
	t.Helper()
	q := qr.QuietZone
	wantW, wantH := code.Size+2*q, code.Size+2*q+1
	if g.W != wantW || g.H != wantH {
		t.Fatalf("rendering is %dx%d modules, want %dx%d", g.W, g.H, wantW, wantH)
	}
	for y := 0; y < g.H; y++ {
		for x := 0; x < g.W; x++ {
			got := g.Dark[y][x]
			var want bool
			switch {
			case y == g.H-1:
				want = theme == qrtest.Dark // terminal background
			case x < q || y < q || x >= q+code.Size || y >= q+code.Size:
				want = false // quiet zone
			default:
				want = code.Black(x-q, y-q)
			}
			if got != want {
				t.Fatalf("module (%d,%d): dark=%v, want %v (quiet zone is %d..%d)", x, y, got, want, q, q+code.Size)
			}
		}
	}
}

// TestPolarityBugIsDetected proves the scanning tests would catch inverted
// output: a rendering shown on the wrong theme, or an inverted PNG, is
// light-on-dark and zbarimg (run without its inverted-image option) must not
// decode it.
func TestPolarityBugIsDetected(t *testing.T) {
	zbar := qrtest.Zbarimg(t)
	const text = "LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1"
	for _, tc := range []struct {
		name  string
		opts  qr.Options
		theme qrtest.Theme
	}{
		{"plain-on-dark", qr.Options{}, qrtest.Dark},
		{"plain-invert-on-light", qr.Options{Invert: true}, qrtest.Light},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := qr.TerminalString(text, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			img, err := qrtest.TerminalToImageOn(out, tc.theme, 8)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := qrtest.Decode(t, zbar, img, "inverted"); err == nil {
				t.Fatalf("zbarimg decoded an inverted rendering as %q; the scan tests cannot detect polarity bugs", got)
			}
		})
	}
	t.Run("inverted-png", func(t *testing.T) {
		img, err := qr.Image(text, 8)
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		inv := image.NewGray(b)
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				inv.SetGray(x, y, color.Gray{Y: 255 - color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y})
			}
		}
		if got, err := qrtest.Decode(t, zbar, inv, "inverted"); err == nil {
			t.Fatalf("zbarimg decoded an inverted PNG as %q", got)
		}
		// And the same image, not inverted, does decode.
		if got, err := qrtest.Decode(t, zbar, img, "upright"); err != nil || got != text {
			t.Fatalf("upright image: got %q, %v", got, err)
		}
	})
}

func TestTerminalFormat(t *testing.T) {
	const text = "LPA:1$rsp.truphone.com$O-17QF0-MJVBIN"
	width := encodeM(t, text).Size + 2*qr.QuietZone

	t.Run("plain has no escapes and only half blocks", func(t *testing.T) {
		for _, opts := range []qr.Options{{}, {Invert: true}} {
			out, err := qr.TerminalString(text, opts)
			if err != nil {
				t.Fatal(err)
			}
			if strings.ContainsRune(out, '\x1b') {
				t.Errorf("%+v: plain rendering contains an escape sequence", opts)
			}
			if !strings.HasSuffix(out, "\n") {
				t.Errorf("%+v: rendering does not end with a newline", opts)
			}
			for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if n := len([]rune(line)); n != width {
					t.Errorf("%+v: line %d is %d cells, want %d", opts, i+1, n, width)
				}
				if strings.Trim(line, " █▀▄") != "" {
					t.Errorf("%+v: line %d has characters other than half blocks: %q", opts, i+1, line)
				}
			}
		}
	})

	t.Run("plain glyph is the dark module", func(t *testing.T) {
		out, _ := qr.TerminalString(text, qr.Options{})
		lines := strings.Split(out, "\n")
		// Top quiet zone: two blank rows. First code row starts with four
		// blank cells then the top of a finder pattern: a dark row above
		// dark-light-light-light-light-light-dark, i.e. █▀▀▀▀▀█.
		for i := range 2 {
			if strings.TrimRight(lines[i], " ") != "" {
				t.Errorf("quiet-zone line %d is not blank: %q", i+1, lines[i])
			}
		}
		if !strings.HasPrefix(lines[2], "    █▀▀▀▀▀█") {
			t.Errorf("first code line = %q, want 4 blanks then a dark finder pattern", lines[2])
		}
	})

	t.Run("color resets every line and ignores Invert", func(t *testing.T) {
		out, err := qr.TerminalString(text, qr.Options{Color: true})
		if err != nil {
			t.Fatal(err)
		}
		inv, _ := qr.TerminalString(text, qr.Options{Color: true, Invert: true})
		if inv != out {
			t.Error("Invert changed the coloured rendering")
		}
		for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if !strings.HasSuffix(line, "\x1b[0m") {
				t.Errorf("line %d does not end with a reset: %q", i+1, line)
			}
		}
	})

	t.Run("Terminal writes what TerminalString returns", func(t *testing.T) {
		var buf bytes.Buffer
		if err := qr.Terminal(&buf, text, qr.Options{Color: true}); err != nil {
			t.Fatal(err)
		}
		want, _ := qr.TerminalString(text, qr.Options{Color: true})
		if buf.String() != want {
			t.Error("Terminal and TerminalString differ")
		}
	})

	t.Run("write error is returned", func(t *testing.T) {
		if err := qr.Terminal(failWriter{}, text, qr.Options{}); err == nil {
			t.Error("want the writer's error")
		}
		if err := qr.WritePNG(failWriter{}, text); err == nil {
			t.Error("want the writer's error")
		}
	})
}

// short quotes s for a log line, eliding the middle of long strings.
func short(s string) string {
	if len(s) <= 80 {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q…%q (%d bytes)", s[:40], s[len(s)-20:], len(s))
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, fmt.Errorf("disk full") }

func TestImageScale(t *testing.T) {
	code := encodeM(t, "LPA:1$a$b")
	img, err := qr.Image("LPA:1$a$b", 3)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := img.Bounds().Dx(), 3*(code.Size+2*qr.QuietZone); got != want {
		t.Errorf("width %d, want %d", got, want)
	}
	if _, err := qr.Image("LPA:1$a$b", 0); err == nil {
		t.Error("scale 0: want an error")
	}
}

// ExampleTerminal shows the plain rendering: the printed glyphs are the dark
// modules, so it reads correctly on a light terminal.
func ExampleTerminal() {
	_ = qr.Terminal(os.Stdout, "LPA:1$a$b", qr.Options{})
}
