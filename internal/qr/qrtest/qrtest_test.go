package qrtest

import (
	"strings"
	"testing"
)

// cells renders a grid as "#" (dark) and "." (light), one line per module row.
func cells(g *Grid) string {
	var b strings.Builder
	for _, row := range g.Dark {
		for _, d := range row {
			if d {
				b.WriteByte('#')
			} else {
				b.WriteByte('.')
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestParseTerminal(t *testing.T) {
	tests := []struct {
		name, in string
		theme    Theme
		want     string // module rows; "" means an error is expected
	}{
		{"plain glyphs on light", " █▀▄\n", Light, ".##.\n.#.#\n"},
		{"plain glyphs on dark", " █▀▄\n", Dark, "#..#\n#.#.\n"},
		{"8-colour", "\x1b[30;47m▀\x1b[37;40m▀\x1b[0m\n", Dark, "#.\n.#\n"},
		{"bright white", "\x1b[30;107m▀\x1b[0m", Dark, "#\n.\n"},
		{"256-colour", "\x1b[38;5;16;48;5;231m▀\x1b[38;5;255;48;5;232m▀\n", Dark, "#.\n.#\n"},
		{"truecolour", "\x1b[38;2;0;0;0;48;2;255;255;255m▀\n", Dark, "#\n.\n"},
		{"default bg after 49", "\x1b[30;47m▀\x1b[49m▀\n", Dark, "##\n.#\n"},
		{"state carries across lines", "\x1b[30;40m \n \n", Light, "#\n#\n#\n#\n"},
		{"short line padded with background", "██\n█\n", Light, "##\n##\n#.\n#.\n"},
		{"chromatic colour", "\x1b[31m█\n", Light, ""},
		{"mid grey", "\x1b[38;5;244m█\n", Light, ""},
		{"bold", "\x1b[1m█\n", Light, ""},
		{"cursor movement", "\x1b[2A█\n", Light, ""},
		{"OSC", "\x1b]0;title\x07█\n", Light, ""},
		{"other glyph", "#\n", Light, ""},
		{"empty", "", Light, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := ParseTerminal(tt.in, tt.theme)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("want an error, got\n%s", cells(g))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cells(g); got != tt.want {
				t.Fatalf("got\n%swant\n%s", got, tt.want)
			}
		})
	}
}

func TestGridImage(t *testing.T) {
	g, err := ParseTerminal("▀ \n", Light)
	if err != nil {
		t.Fatal(err)
	}
	img := g.Image(3)
	if b := img.Bounds(); b.Dx() != 6 || b.Dy() != 6 {
		t.Fatalf("bounds %v, want 6x6", b)
	}
	for y := range 6 {
		for x := range 6 {
			r, _, _, _ := img.At(x, y).RGBA()
			dark := r == 0
			if want := x < 3 && y < 3; dark != want {
				t.Fatalf("pixel (%d,%d) dark=%v, want %v", x, y, dark, want)
			}
		}
	}
}
