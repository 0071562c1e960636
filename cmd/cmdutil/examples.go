package cmdutil

import "strings"

// Examples formats a command's help examples the way gh writes them: each a
// "# what it does" comment line, then the command, both indented two spaces,
// a blank line between two examples. pairs alternate comment and command; a
// command may span lines ("...\\\n    --flag"), its next lines indented as
// given.
func Examples(pairs ...string) string {
	if len(pairs)%2 != 0 {
		panic("cmdutil.Examples: want comment, command pairs")
	}
	var b strings.Builder
	for i := 0; i < len(pairs); i += 2 {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString("  # ")
		b.WriteString(pairs[i])
		b.WriteString("\n  ")
		b.WriteString(pairs[i+1])
	}
	return b.String()
}
