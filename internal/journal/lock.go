package journal

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/gofrs/flock"
)

// ErrBusy is LockBatch's error when another process holds the batch.
var ErrBusy = errors.New("another connectctl run is working on this batch")

// LockBatch takes an exclusive lock on one batch (a bulk file's identity) so
// that two runs of the same file cannot both order its rows. It does not
// wait: when another process (or another Journal of this one) holds the
// lock, the error wraps ErrBusy. The lock is an OS file lock on
// <journal dir>/locks/<first 16 hex digits of sha256(batch)>.lock, which the
// OS drops when the process dies, even on SIGKILL, so a killed run never
// leaves a stale lock behind. The file itself stays: removing it would let a
// third run lock a new file while the second still holds the old one.
//
// unlock releases the lock; calling it again does nothing.
func (j *Journal) LockBatch(batch string) (unlock func() error, err error) {
	if batch == "" {
		return nil, errors.New("order journal: locking a batch with no name")
	}
	dir := filepath.Join(filepath.Dir(j.path), "locks")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("locking batch %s: %w", batch, err)
	}
	sum := sha256.Sum256([]byte(batch))
	path := filepath.Join(dir, hex.EncodeToString(sum[:])[:16]+".lock")
	fl := flock.New(path, flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("locking batch %s (%s): %w", batch, path, err)
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s (lock %s)", ErrBusy, batch, path)
	}
	var once sync.Once
	var uerr error
	return func() error {
		once.Do(func() { uerr = fl.Unlock() })
		return uerr
	}, nil
}
