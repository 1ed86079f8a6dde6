package natsjs_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/adapters/natsjs"
	"github.com/omnibasket/omnibasket/basket"
)

// BenchmarkRelay measures the way of events from PostgreSQL to a
// consumer on one server and on a three-node cluster (R3 stream), side by
// side: 4 writers save b.N single-event changes, the relay (polling every
// 10 ms when idle) publishes them, a durable consumer acts on them.
// events/s is the end-to-end rate (writers, relay and consumer together);
// p50-ms and p99-ms the delay from the writer stamping the event, just
// before its commit, to the consumer's handler.
//
//	go test ./adapters/natsjs -run '^$' -bench Relay -benchtime 2000x
func BenchmarkRelay(b *testing.B) {
	for _, nodes := range []int{1, 3} {
		b.Run(fmt.Sprintf("nodes=%d", nodes), func(b *testing.B) { benchmarkRelay(b, nodes) })
	}
}

func benchmarkRelay(b *testing.B, nodes int) {
	s := newStore(b)
	c := startCluster(b, nodes)
	const stream, prefix = "BENCH", "omnibasket.bench"
	c.stream(b, c.connect(b), stream, prefix)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	const writers = 4
	baskets := make([]*basket.Basket, writers)
	for i := range baskets {
		baskets[i] = newBasket(b, s, fmt.Sprintf("c-bench-%d", i))
	}
	var mu sync.Mutex
	var lat []time.Duration
	done := make(chan struct{})
	want := b.N
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		_ = natsjs.Consume(ctx, natsjs.ConsumerConfig{Conn: c.connect(b), Stream: stream, Durable: "bench", Fetch: 256, FetchWait: 100 * time.Millisecond},
			func(_ context.Context, d natsjs.Delivery) error {
				if d.Event.Seq == 1 || d.NumDelivered > 1 {
					return nil // the baskets' creation, before the timer; redeliveries
				}
				mu.Lock()
				defer mu.Unlock()
				lat = append(lat, time.Since(d.Event.At))
				if len(lat) == want {
					close(done)
				}
				return nil
			})
	}()
	relay, err := natsjs.NewRelay(natsjs.RelayConfig{Outbox: s, Conn: c.connect(b), Name: "bench", Prefix: prefix, Every: 10 * time.Millisecond})
	require.NoError(b, err)
	go func() { defer wg.Done(); _ = relay.Run(ctx) }()

	b.ResetTimer()
	start := time.Now()
	var ww sync.WaitGroup
	for i, bk := range baskets {
		n := b.N / writers
		if i < b.N%writers {
			n++
		}
		ww.Add(1)
		go func() {
			defer ww.Done()
			for j := range n {
				w := addCoupon(b, bk, fmt.Sprintf("B%dN%d", i, j))
				if err := s.Save(ctx, w); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	ww.Wait()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		b.Fatalf("the consumer got %d of %d events", len(lat), want)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	cancel()
	wg.Wait()
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(0, "ns/op")
}
