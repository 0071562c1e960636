package cmdutil

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/connectctl/connectctl/internal/validate"
)

// CheckListenAddr refuses an --addr that is not HOST:PORT, or one beyond this
// machine unless allowRemote: local servers (the sandbox, the webhook
// receiver) are not meant to be reachable from a network by accident.
func CheckListenAddr(addr string, allowRemote bool, example string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return FlagErrorf("--addr %q: want HOST:PORT, e.g. %s", addr, example)
	}
	if !allowRemote && !validate.IsLoopbackHost(host) {
		return FlagErrorf("--addr %q: not a loopback address; add --allow-remote to listen beyond this machine", addr)
	}
	return nil
}

// shutdownGrace is how long open requests may finish after Ctrl-C.
const shutdownGrace = 5 * time.Second

// Serve serves hs on ln until ctx ends (Ctrl-C), then shuts it down
// gracefully. It returns the server's own failure, never a clean close.
func Serve(ctx context.Context, hs *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	_ = hs.Shutdown(shutdownCtx)
	return nil
}
