// Package qr renders an eSIM activation code (or any short text) as a QR
// code, either for a terminal (Unicode half blocks, via qrterminal) or as a
// PNG file (via rsc.io/qr).
//
// The package does not parse or normalise activation codes; that is
// internal/lpa's job. It renders the exact string it is given, after checking
// that the string is non-empty, printable and short enough (see Validate).
//
// Every code uses error-correction level M and a 4-module quiet zone, and is
// always drawn dark modules on a light ground, whatever the terminal theme:
//
//   - With Options.Color, every module is painted with explicit ANSI
//     foreground and background colours (black 30/40, white 37/47), so the
//     terminal's own colours never show through inside the code.
//   - Without colour the printed glyph (█ ▀ ▄) is the dark module and a blank
//     is a light module: correct on a light-background terminal. On a dark
//     terminal without colour, Options.Invert prints the light modules
//     instead, so the terminal's dark background becomes the dark modules.
package qr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mdp/qrterminal/v3"
	rscqr "rsc.io/qr"
)

const (
	// MaxLen is the longest input, in bytes, that Validate accepts. SGP.22
	// activation codes are about 40–120 bytes; 512 leaves ample room for long
	// SM-DP+ addresses and matching IDs while keeping the code at version 18
	// or below (89×89 modules, 97 terminal columns with the quiet zone), which
	// still fits a terminal and scans from a screen. The hard limit of a QR
	// code at level M is 2,331 bytes (version 40, byte mode); Validate also
	// confirms that the text actually encodes.
	MaxLen = 512

	// QuietZone is the blank border, in modules, around every code. The QR
	// specification requires 4; qrterminal's default is only 1.
	QuietZone = 4

	// MinPNGSize is the smallest width and height, in pixels, of a PNG.
	MinPNGSize = 300

	// minPNGModule is the smallest size, in pixels, of one module in a PNG.
	minPNGModule = 8
)

// Level is the error-correction level of every code this package draws.
const Level = rscqr.M

var (
	// ErrEmpty is returned for an empty input.
	ErrEmpty = errors.New("qr: nothing to encode: input is empty")
	// ErrInvalidChar is returned for input that is not valid UTF-8 or holds a
	// control character, newline, tab or other non-printable character.
	ErrInvalidChar = errors.New("qr: input contains a character that cannot be shown in a QR code")
	// ErrTooLong is returned for input longer than MaxLen bytes, or that
	// does not fit a QR code at level M.
	ErrTooLong = errors.New("qr: input too long for a QR code")
)

// Options controls terminal rendering.
type Options struct {
	// Color paints every module with explicit black and white ANSI colours,
	// which reads correctly on light and dark terminals alike. Set it only
	// when colour is allowed (a terminal, no NO_COLOR, no --no-color), e.g.
	// from iostreams.ColorEnabled.
	Color bool
	// Invert, without Color, prints the light modules instead of the dark
	// ones, for terminals with a dark background and no colour. It has no
	// effect with Color, which never depends on the terminal's background.
	Invert bool
}

// Validate reports whether text can be rendered: it must be non-empty valid
// UTF-8, contain only printable characters (no control characters, newlines
// or tabs), be at most MaxLen bytes and fit a QR code at level M. Errors wrap
// ErrEmpty, ErrInvalidChar or ErrTooLong.
func Validate(text string) error {
	_, err := encode(text)
	return err
}

func validateText(text string) error {
	if text == "" {
		return ErrEmpty
	}
	if len(text) > MaxLen {
		return fmt.Errorf("%w: %d bytes, at most %d allowed", ErrTooLong, len(text), MaxLen)
	}
	for i, r := range text {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(text[i:]); size <= 1 {
				return fmt.Errorf("%w: invalid UTF-8 at byte %d", ErrInvalidChar, i)
			}
		}
		// IsPrint admits letters, marks, numbers, punctuation, symbols and
		// the ASCII space; it rejects C0/C1 controls, DEL, newlines, tabs,
		// line/paragraph separators, format (bidi) and private-use runes.
		if !unicode.IsPrint(r) {
			return fmt.Errorf("%w: %U at byte %d", ErrInvalidChar, r, i)
		}
	}
	return nil
}

// encode validates text and returns its QR matrix at level M.
func encode(text string) (*rscqr.Code, error) {
	if err := validateText(text); err != nil {
		return nil, err
	}
	code, err := rscqr.Encode(text, Level)
	if err != nil || code == nil {
		return nil, fmt.Errorf("%w: %v", ErrTooLong, err)
	}
	return code, nil
}

// charset is the four half-block cells qrterminal draws, named as qrterminal
// names them: the first colour is the upper module, the second the lower one.
type charset struct {
	bb, bw, wb, ww string // dark/dark, dark/light, light/dark, light/light
	// tail replaces qrterminal's last row; see Terminal.
	tail func(width int) string
	// eol is written at the end of every line.
	eol string
}

const (
	sgrReset = "\x1b[0m"
	// With colour, uniform cells are a space on an explicit background and
	// mixed cells are an upper half block whose foreground is the upper
	// module and background the lower one. Both colours are always set, so
	// the terminal's default colours never show through.
	colBB = "\x1b[30;40m "
	colWW = "\x1b[37;47m "
	colBW = "\x1b[30;47m▀" // dark upper, light lower
	colWB = "\x1b[37;40m▀" // light upper, dark lower
)

func charsetFor(opts Options) charset {
	switch {
	case opts.Color:
		return charset{
			bb: colBB, bw: colBW, wb: colWB, ww: colWW,
			// Light upper half (the quiet zone's last module), terminal
			// background below.
			tail: func(n int) string { return "\x1b[37;49m" + strings.Repeat("▀", n) },
			eol:  sgrReset,
		}
	case opts.Invert:
		// Glyph = light module; the dark terminal background is the dark
		// module. These are qrterminal's own defaults.
		return charset{
			bb: " ", bw: "▄", wb: "▀", ww: "█",
			tail: func(n int) string { return strings.Repeat("▀", n) },
		}
	default:
		// Glyph = dark module; the light terminal background is the light
		// module. Note this is the opposite of qrterminal's defaults.
		return charset{
			bb: "█", bw: "▀", wb: "▄", ww: " ",
			tail: func(n int) string { return strings.Repeat(" ", n) },
		}
	}
}

// Terminal writes text to w as a QR code drawn with Unicode half blocks (two
// modules per character cell), level M, with a 4-module quiet zone. It
// returns an error, and writes nothing, if text fails Validate.
func Terminal(w io.Writer, text string, opts Options) error {
	s, err := TerminalString(text, opts)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, s)
	return err
}

// TerminalString is Terminal returning the rendering as a string.
func TerminalString(text string, opts Options) (string, error) {
	code, err := encode(text)
	if err != nil {
		return "", err
	}
	cs := charsetFor(opts)
	var buf bytes.Buffer
	if err := generate(text, cs, &buf); err != nil {
		return "", err
	}

	// qrterminal draws (size+1)/2 code rows, the last of whose lower halves
	// is already a light quiet-zone module, then QuietZone/2-1 light rows,
	// then a final row of "light upper, dark lower" cells so the bottom
	// border is exactly 4 modules. That dark lower half is meant to be
	// "nothing", but drawn with our explicit charsets it would print a
	// dark bar (or, with colour, a black one) under the code. Replace it
	// with a row whose lower half is the terminal's own background.
	width := code.Size + 2*QuietZone
	out := strings.TrimSuffix(buf.String(), "\n")
	lines := strings.Split(out, "\n")
	wantLines := QuietZone/2 + (code.Size+1)/2 + QuietZone/2
	if len(lines) != wantLines || lines[len(lines)-1] != strings.Repeat(cs.wb, width) {
		return "", fmt.Errorf("qr: unexpected output from qrterminal (%d lines, want %d)", len(lines), wantLines)
	}
	lines[len(lines)-1] = cs.tail(width)

	var b strings.Builder
	for _, l := range lines {
		b.WriteString(dropRepeatedSGR(l))
		b.WriteString(cs.eol)
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// dropRepeatedSGR removes each SGR sequence that repeats the one before it
// on the line: qrterminal writes one per cell, and most neighbouring cells
// share colours. Lines without escapes are returned unchanged.
func dropRepeatedSGR(line string) string {
	if !strings.Contains(line, "\x1b[") {
		return line
	}
	var b strings.Builder
	last := ""
	for len(line) > 0 {
		if strings.HasPrefix(line, "\x1b[") {
			if end := strings.IndexByte(line, 'm'); end >= 0 {
				seq := line[:end+1]
				if seq != last {
					b.WriteString(seq)
					last = seq
				}
				line = line[end+1:]
				continue
			}
		}
		_, size := utf8.DecodeRuneInString(line)
		b.WriteString(line[:size])
		line = line[size:]
	}
	return b.String()
}

// generate calls qrterminal, turning a panic (it panics on text it cannot
// encode, which Validate should already have rejected) into an error.
func generate(text string, cs charset, w io.Writer) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("qr: rendering failed: %v", r)
		}
	}()
	qrterminal.GenerateWithConfig(text, qrterminal.Config{
		Level:          Level,
		Writer:         w,
		HalfBlocks:     true,
		BlackChar:      cs.bb,
		BlackWhiteChar: cs.bw,
		WhiteBlackChar: cs.wb,
		WhiteChar:      cs.ww,
		QuietZone:      QuietZone,
	})
	return nil
}

// Image returns text as a black-on-white QR code at level M with a 4-module
// quiet zone, each module scale×scale pixels. Most callers want WritePNG.
func Image(text string, scale int) (image.Image, error) {
	code, err := encode(text)
	if err != nil {
		return nil, err
	}
	if scale < 1 {
		return nil, fmt.Errorf("qr: scale %d must be at least 1", scale)
	}
	return render(code, scale), nil
}

// pngScale is the integer module size giving at least MinPNGSize pixels.
func pngScale(size int) int {
	total := size + 2*QuietZone
	scale := (MinPNGSize + total - 1) / total
	return max(scale, minPNGModule)
}

func render(code *rscqr.Code, scale int) *image.Paletted {
	n := (code.Size + 2*QuietZone) * scale
	// Index 0 is white, so the zeroed image is an all-white quiet zone.
	img := image.NewPaletted(image.Rect(0, 0, n, n), color.Palette{color.White, color.Black})
	for y := 0; y < code.Size; y++ {
		for x := 0; x < code.Size; x++ {
			if !code.Black(x, y) {
				continue
			}
			x0, y0 := (x+QuietZone)*scale, (y+QuietZone)*scale
			for py := y0; py < y0+scale; py++ {
				row := img.Pix[py*img.Stride+x0 : py*img.Stride+x0+scale]
				for i := range row {
					row[i] = 1
				}
			}
		}
	}
	return img
}

// WritePNG writes text to w as a PNG: black on white, level M, a 4-module
// quiet zone, and an integer module size (at least 8 px) chosen so the image
// is at least MinPNGSize pixels wide. Nothing is written if text fails
// Validate.
func WritePNG(w io.Writer, text string) error {
	code, err := encode(text)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	return enc.Encode(w, render(code, pngScale(code.Size)))
}

// SavePNG writes text as a PNG (see WritePNG) to path, atomically: it writes
// a temporary file in the same directory and renames it over path, so path
// is never left half-written. The file's mode is 0644.
func SavePNG(path, text string) (err error) {
	var buf bytes.Buffer
	if err := WritePNG(&buf, text); err != nil {
		return err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("qr: save %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("qr: save %s: %w", path, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("qr: save %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("qr: save %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("qr: save %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("qr: save %s: %w", path, err)
	}
	return nil
}
