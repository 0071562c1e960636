// Package bench holds the command-line benchmarks of connectctl (make bench,
// make bench-cli): start-up, per-call overhead against curl, token reuse across
// invocations and memory of long listings. They run the real binary against
// the sandbox; docs/benchmarks.md describes the method and the latest figures.
// The package has no code of its own, only benchmarks.
package bench
