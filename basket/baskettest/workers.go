package baskettest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// RunWorkers is the timed part of a throughput benchmark: it shares b.N
// operations among workers goroutines, calling op with the worker's index
// (0 … workers-1) and the operation's number (1 … b.N), and returns the
// wall time they took. The timer runs only meanwhile; the first error
// stops its worker and fails b once all have stopped. The caller reports
// the rate (b.N / elapsed) under its own unit.
func RunWorkers(b *testing.B, workers int, op func(worker int, n int64) error) time.Duration {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	b.ResetTimer()
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			for n := next.Add(1); n <= int64(b.N); n = next.Add(1) {
				if err := op(w, n); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return elapsed
}
