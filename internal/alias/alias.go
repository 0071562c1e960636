// Package alias expands user-defined command aliases (kept in the config
// file) in a command line before it is parsed.
package alias

import (
	"errors"
	"fmt"
	"strings"
)

// Split breaks a command line into words as a POSIX shell would, without
// running anything: blanks separate words; 'single quotes' keep everything;
// "double quotes" keep everything but \" \\ \$ \`; a backslash outside quotes
// keeps the next character. No variables, globs or substitutions.
func Split(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\\':
			inWord = true
			if i+1 < len(s) {
				i++
				if s[i] != '\n' {
					cur.WriteByte(s[i])
				}
			}
		case c == '\'':
			inWord = true
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, errors.New("unterminated ' quote")
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
		case c == '"':
			inWord = true
			closed := false
			for i++; i < len(s); i++ {
				if s[i] == '"' {
					closed = true
					break
				}
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			if !closed {
				return nil, errors.New("unterminated \" quote")
			}
		default:
			inWord = true
			cur.WriteByte(c)
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// Line is what Expand needs to know about the command line's grammar.
type Line struct {
	// IsCommand reports whether a word names a built-in command (or one of
	// its aliases): such a word is never expanded.
	IsCommand func(word string) bool
	// TakesValue reports whether a global flag before the command takes a
	// value (--profile X, -p X); name is the long name, or the shorthand
	// letter for a single dash. Unknown flags take none.
	TakesValue func(name string, short bool) bool
	// Lookup returns the expansion of an alias.
	Lookup func(name string) (string, bool, error)
}

// Expand replaces the command word of args, the first word that is not a
// global flag or a flag's value, by its alias expansion when it is an alias
// and not a built-in command; the rest of args follows the expansion. It
// reports the alias used ("" for none). An expansion is never expanded again.
func Expand(args []string, l Line) ([]string, string, error) {
	i := CommandIndex(args, l.TakesValue)
	if i < 0 || l.IsCommand(args[i]) {
		return args, "", nil
	}
	name := args[i]
	exp, ok, err := l.Lookup(name)
	if err != nil || !ok {
		return args, "", err
	}
	words, err := Split(exp)
	if err != nil {
		return nil, name, fmt.Errorf("alias %q (%s): %v; fix it with `connectctl alias set %s '...' --clobber`", name, exp, err, name)
	}
	if len(words) == 0 {
		return nil, name, fmt.Errorf("alias %q is empty; remove it with `connectctl alias delete %s`", name, name)
	}
	out := make([]string, 0, len(args)-1+len(words))
	out = append(out, args[:i]...)
	out = append(out, words...)
	out = append(out, args[i+1:]...)
	return out, name, nil
}

// CommandIndex is the index of the command word in args, or -1 when there
// is none (only flags, or a "--" first).
func CommandIndex(args []string, takesValue func(name string, short bool) bool) int {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return -1
		case strings.HasPrefix(a, "--"):
			if !strings.Contains(a, "=") && takesValue(a[2:], false) {
				i++
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			// -p X, -pX, -yp X: the first letter that takes a value ends
			// the group; the value is the rest or the next word.
			for j := 1; j < len(a); j++ {
				if takesValue(a[j:j+1], true) {
					if j == len(a)-1 {
						i++
					}
					break
				}
			}
		default:
			return i
		}
	}
	return -1
}
