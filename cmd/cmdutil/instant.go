package cmdutil

import "github.com/spf13/cobra"

// instantAnnotation marks a command that prints what the binary already
// knows (version, help, completion scripts) and returns: it runs without
// the Ctrl-C watch (internal/interrupt), whose signal thread would cost
// such a run a sixth of its start-up.
const instantAnnotation = "connectctl/instant"

// MarkInstant marks cmd and every command below it as instant.
func MarkInstant(cmd *cobra.Command) {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[instantAnnotation] = "true"
}

// IsInstant reports whether cmd or a command above it is marked instant, or
// cmd is Cobra's help command.
func IsInstant(cmd *cobra.Command) bool {
	if cmd.Name() == "help" && cmd.HasParent() && !cmd.Parent().HasParent() {
		return true
	}
	for c := cmd; c != nil; c = c.Parent() {
		if c.Annotations[instantAnnotation] == "true" {
			return true
		}
	}
	return false
}
