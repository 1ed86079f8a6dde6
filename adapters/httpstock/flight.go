package httpstock

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// flight collapses concurrent calls with the same key into one: the first
// caller runs fn, the others wait for its result (or for their own context
// to end). The zero value is ready to use.
type flight[T any] struct {
	mu     sync.Mutex
	calls  map[string]*flightCall[T]
	joined atomic.Int64 // callers that joined another's call
}

type flightCall[T any] struct {
	done chan struct{}
	val  T
	err  error
}

var errFlightPanicked = errors.New("httpstock: shared upstream call panicked")

// do runs fn once for all concurrent callers of key. shared is true for a
// caller that waited for another's call.
func (f *flight[T]) do(ctx context.Context, key string, fn func() (T, error)) (v T, err error, shared bool) {
	f.mu.Lock()
	if c, ok := f.calls[key]; ok {
		f.mu.Unlock()
		f.joined.Add(1)
		select {
		case <-c.done:
			return c.val, c.err, true
		case <-ctx.Done():
			return v, ctx.Err(), true
		}
	}
	if f.calls == nil {
		f.calls = make(map[string]*flightCall[T])
	}
	c := &flightCall[T]{done: make(chan struct{}), err: errFlightPanicked}
	f.calls[key] = c
	f.mu.Unlock()
	defer func() { // runs on panic too: waiters are never left hanging
		f.mu.Lock()
		delete(f.calls, key)
		f.mu.Unlock()
		close(c.done)
	}()
	c.val, c.err = fn()
	return c.val, c.err, false
}
