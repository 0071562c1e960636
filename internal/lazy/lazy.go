// Package lazy holds package-level values built on first use.
//
// sync.OnceValue does the same, but calling it in a package-level var runs
// in package init and allocates there, in every run of the binary. A Value
// is a plain composite literal, laid out by the linker: it costs nothing
// before main (issue 13: start-up at the floor).
package lazy

import "sync"

// Value is a value computed by New the first time Get is called.
type Value[T any] struct {
	New  func() T
	once sync.Once
	v    T
}

// Get returns the value, building it on the first call; it is safe for
// concurrent use.
func (l *Value[T]) Get() T {
	l.once.Do(func() { l.v = l.New() })
	return l.v
}
