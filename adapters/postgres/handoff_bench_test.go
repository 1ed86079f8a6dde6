package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/basket/handoff/handofftest"
)

// BenchmarkHandoffStores measures one operation of the shared handoff
// stores against the in-memory reference: a short code put and taken at
// one of 16 locations (two transactions under the location's lock), and a
// tag attempt (one statement on the basket's row), in parallel across
// GOMAXPROCS goroutines. It reports operations/s; ns/op is the latency
// seen by one caller divided by the parallelism.
func BenchmarkHandoffStores(b *testing.B) {
	ctx := context.Background()
	for _, backend := range []string{"memory", "postgres"} {
		b.Run(backend+"/short-code", func(b *testing.B) {
			var codes handoff.CodeStore = handoff.NewMemoryCodeStore()
			if backend == "postgres" {
				codes = newTestStore(b, nil)
			}
			limit := handoff.Limit{Max: 1 << 30, Window: time.Hour}
			var next atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := int(next.Add(1))
					at := handoff.Audience{Retailer: "acme", Location: fmt.Sprintf("store-%02d", n%16)}
					c := handofftest.NewCode(at, handoff.CheckIn, n)
					if ok, err := codes.PutShortCode(ctx, c, 1000, handofftest.Epoch); err != nil || !ok {
						b.Errorf("put: %v, %v", ok, err)
						return
					}
					if _, err := codes.TakeShortCode(ctx, at, c.Code, handoff.CheckIn, limit, handofftest.Epoch); err != nil {
						b.Errorf("take: %v", err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "codes/s")
		})
		b.Run(backend+"/tag-attempt", func(b *testing.B) {
			var attempts handoff.AttemptStore = handoff.NewMemoryAttemptStore()
			if backend == "postgres" {
				attempts = newTestStore(b, nil)
			}
			limit := handoff.Limit{Max: 5, Window: time.Minute}
			var next atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := int(next.Add(1))
					if _, err := attempts.CountTagAttempt(ctx, handofftest.Basket(n%1000), limit, handofftest.Epoch.Add(time.Duration(n)*time.Millisecond)); err != nil {
						b.Errorf("attempt: %v", err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "attempts/s")
		})
	}
}
