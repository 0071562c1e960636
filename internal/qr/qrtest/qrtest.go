// Package qrtest checks QR codes the way a phone would: it turns a terminal
// rendering back into pixels, exactly as a terminal would paint them, and
// decodes images with zbarimg (from zbar-tools).
//
// The terminal model is strict so that rendering bugs fail tests instead of
// being papered over: a glyph cell (█ ▀ ▄) paints its glyph in the current
// foreground and the rest in the current background; the default colours are
// those of a light or a dark terminal theme; anything this package does not
// understand (other glyphs, escape sequences, chromatic colours) is an error.
// zbarimg is run without its inverted-image option, so an image with light
// modules on a dark ground — a polarity bug — does not decode.
package qrtest

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Theme is a terminal's default colours.
type Theme int

const (
	// Light is dark text on a light background.
	Light Theme = iota
	// Dark is light text on a dark background.
	Dark
)

func (t Theme) String() string {
	if t == Dark {
		return "dark"
	}
	return "light"
}

// shade is a colour as the parser tracks it.
type shade int8

const (
	defaultShade shade = iota
	darkShade
	lightShade
)

// Grid is a rendering as modules: Dark[y][x] is true where a terminal would
// show a dark module. Each character cell is two modules, upper and lower.
type Grid struct {
	W, H int
	Dark [][]bool
}

// ParseTerminal turns a half-block rendering into modules as a terminal with
// the given theme would display it. ANSI SGR colour sequences are
// interpreted (black and white in 8-, 16-, 256-colour and truecolour form;
// default colours; reset); any other escape sequence, a chromatic or mid-grey
// colour, or a character other than space, █, ▀ and ▄ is an error. Short
// lines are padded with the theme's background.
func ParseTerminal(rendered string, theme Theme) (*Grid, error) {
	text := strings.TrimSuffix(rendered, "\n")
	if text == "" {
		return nil, errors.New("qrtest: empty rendering")
	}
	fg, bg := defaultShade, defaultShade
	resolve := func(s shade, isFG bool) bool {
		switch s {
		case darkShade:
			return true
		case lightShade:
			return false
		}
		// Default colours: text is dark on a light theme, light on a dark one.
		if isFG {
			return theme == Light
		}
		return theme == Dark
	}

	var rows [][]bool
	width := 0
	for ln, line := range strings.Split(text, "\n") {
		var upper, lower []bool
		rs := []rune(line)
		for i := 0; i < len(rs); i++ {
			r := rs[i]
			if r == '\x1b' {
				if i+1 >= len(rs) || rs[i+1] != '[' {
					return nil, fmt.Errorf("qrtest: line %d: escape sequence other than CSI", ln+1)
				}
				j := i + 2
				for j < len(rs) && (rs[j] >= '0' && rs[j] <= '9' || rs[j] == ';') {
					j++
				}
				if j >= len(rs) || rs[j] != 'm' {
					return nil, fmt.Errorf("qrtest: line %d: unsupported CSI sequence %q", ln+1, string(rs[i:min(j+1, len(rs))]))
				}
				var err error
				fg, bg, err = applySGR(string(rs[i+2:j]), fg, bg)
				if err != nil {
					return nil, fmt.Errorf("qrtest: line %d: %w", ln+1, err)
				}
				i = j
				continue
			}
			f, b := resolve(fg, true), resolve(bg, false)
			var u, l bool
			switch r {
			case ' ':
				u, l = b, b
			case '█':
				u, l = f, f
			case '▀':
				u, l = f, b
			case '▄':
				u, l = b, f
			default:
				return nil, fmt.Errorf("qrtest: line %d: unexpected character %q", ln+1, r)
			}
			upper, lower = append(upper, u), append(lower, l)
		}
		rows = append(rows, upper, lower)
		width = max(width, len(upper))
	}
	if width == 0 {
		return nil, errors.New("qrtest: rendering has no cells")
	}
	pad := theme == Dark // the terminal background beyond short lines
	for i, row := range rows {
		for len(row) < width {
			row = append(row, pad)
		}
		rows[i] = row
	}
	return &Grid{W: width, H: len(rows), Dark: rows}, nil
}

// applySGR applies one SGR parameter list to the current colours.
func applySGR(params string, fg, bg shade) (shade, shade, error) {
	if params == "" {
		return defaultShade, defaultShade, nil
	}
	var ps []int
	for _, p := range strings.Split(params, ";") {
		n, err := strconv.Atoi(p)
		if p == "" {
			n, err = 0, nil
		}
		if err != nil {
			return fg, bg, fmt.Errorf("bad SGR parameter %q", p)
		}
		ps = append(ps, n)
	}
	for i := 0; i < len(ps); i++ {
		p := ps[i]
		var s shade
		var err error
		switch {
		case p == 0:
			fg, bg = defaultShade, defaultShade
			continue
		case p == 39:
			fg = defaultShade
			continue
		case p == 49:
			bg = defaultShade
			continue
		case p >= 30 && p <= 37, p >= 40 && p <= 47:
			s, err = ansi16(p % 10)
		case p >= 90 && p <= 97, p >= 100 && p <= 107:
			s, err = ansi16(p%10 + 8)
		case p == 38 || p == 48:
			if i+2 < len(ps) && ps[i+1] == 5 {
				s, err = ansi256(ps[i+2])
				i += 2
			} else if i+4 < len(ps) && ps[i+1] == 2 {
				s, err = rgb(ps[i+2], ps[i+3], ps[i+4])
				i += 4
			} else {
				return fg, bg, fmt.Errorf("malformed extended colour in SGR %q", params)
			}
		default:
			return fg, bg, fmt.Errorf("unsupported SGR parameter %d in %q", p, params)
		}
		if err != nil {
			return fg, bg, err
		}
		if p == 38 || p >= 30 && p <= 37 || p >= 90 && p <= 97 {
			fg = s
		} else {
			bg = s
		}
	}
	return fg, bg, nil
}

// ansi16 classifies the 16 themeable colours. Only black and the whites are
// unambiguous; terminal themes vary the rest too much to be relied on.
func ansi16(n int) (shade, error) {
	switch n {
	case 0:
		return darkShade, nil
	case 7, 15:
		return lightShade, nil
	}
	return 0, fmt.Errorf("colour %d is neither black nor white", n)
}

func ansi256(n int) (shade, error) {
	switch {
	case n < 0 || n > 255:
		return 0, fmt.Errorf("256-colour index %d out of range", n)
	case n < 16:
		return ansi16(n)
	case n < 232:
		n -= 16
		level := func(c int) int {
			if c == 0 {
				return 0
			}
			return 55 + 40*c
		}
		return rgb(level(n/36), level(n/6%6), level(n%6))
	default:
		v := 8 + 10*(n-232)
		return rgb(v, v, v)
	}
}

func rgb(r, g, b int) (shade, error) {
	y := (299*r + 587*g + 114*b) / 1000
	switch {
	case y < 80:
		return darkShade, nil
	case y > 175:
		return lightShade, nil
	}
	return 0, fmt.Errorf("colour rgb(%d,%d,%d) is neither dark nor light", r, g, b)
}

// Image draws the grid black on white, each module scale×scale pixels.
func (g *Grid) Image(scale int) image.Image {
	if scale < 1 {
		scale = 1
	}
	img := image.NewPaletted(image.Rect(0, 0, g.W*scale, g.H*scale), color.Palette{color.White, color.Black})
	for y, row := range g.Dark {
		for x, dark := range row {
			if !dark {
				continue
			}
			for py := y * scale; py < (y+1)*scale; py++ {
				for px := x * scale; px < (x+1)*scale; px++ {
					img.Pix[py*img.Stride+px] = 1
				}
			}
		}
	}
	return img
}

// TerminalToImage turns a half-block rendering into an image as a terminal
// with a light theme would show it, 8 pixels per module.
func TerminalToImage(rendered string) (image.Image, error) {
	return TerminalToImageOn(rendered, Light, 8)
}

// TerminalToImageOn is TerminalToImage for a given theme and module size.
func TerminalToImageOn(rendered string, theme Theme, scale int) (image.Image, error) {
	g, err := ParseTerminal(rendered, theme)
	if err != nil {
		return nil, err
	}
	return g.Image(scale), nil
}

// RequireZbarEnv, when set to 1, makes a missing zbarimg a test failure
// rather than a skip (for CI).
const RequireZbarEnv = "QR_REQUIRE_ZBAR"

// Zbarimg returns the path of zbarimg, or skips the test loudly if it is not
// installed (fails it instead if QR_REQUIRE_ZBAR=1).
func Zbarimg(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("zbarimg")
	if err != nil {
		msg := "SKIPPED: zbarimg not installed; install zbar-tools (apt-get install zbar-tools) to prove the QR codes scan"
		if os.Getenv(RequireZbarEnv) == "1" {
			t.Fatal(msg + " (" + RequireZbarEnv + "=1)")
		}
		t.Skip(msg)
	}
	return path
}

// DecodeFile runs `zbarimg --raw -q` on an image file and returns what it
// decoded, without the trailing newline zbarimg adds. It is an error if
// nothing decodes. No inverted-image option is passed.
func DecodeFile(zbarimg, path string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(zbarimg, "--raw", "-q", path)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 4 {
			return "", fmt.Errorf("zbarimg found no code in %s", path)
		}
		return "", fmt.Errorf("zbarimg %s: %v: %s", path, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSuffix(stdout.String(), "\n"), nil
}

// Decode writes img as a PNG in a temporary directory and decodes it with
// DecodeFile. It also returns the PNG's path, for failure messages.
func Decode(t testing.TB, zbarimg string, img image.Image, name string) (string, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".png")
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatalf("encode %s: %v", path, err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	return DecodeFile(zbarimg, path)
}
