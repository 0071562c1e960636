// Package factory builds the dependencies commands share. Commands receive a
// *Factory and ask it for what they need, so tests can swap in fakes.
package factory

import (
	"github.com/connectctl/connectctl/internal/buildinfo"
	"github.com/connectctl/connectctl/internal/iostreams"
)

// Factory is the small set of dependencies every command may use.
type Factory struct {
	IOStreams *iostreams.IOStreams
	Build     buildinfo.Info
}

// New returns the factory the real binary uses.
func New() *Factory {
	return &Factory{IOStreams: iostreams.System(), Build: buildinfo.Get()}
}
