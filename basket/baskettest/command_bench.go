package baskettest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/demo"
)

// BenchmarkCommands measures a plain Service command on whatever store
// the services share: SetQuantity, 1 ⇄ 2, on a line of the demo
// catalogue (read, re-price, compare-and-swap save with its event).
// Each service gets writersPerService goroutines, each on a basket of its
// own built before the timer starts, so no two writers conflict; b.N
// commands are shared among all writers. It reports commands/s for all
// services together and per service: one service with several writers is
// what one instance does, several services sharing a database are several
// instances.
func BenchmarkCommands(b *testing.B, services []*basket.Service, writersPerService int) {
	ctx := context.Background()
	actor := basket.Actor{Kind: basket.System, ID: "bench"}
	type writer struct {
		svc  *basket.Service
		id   uuid.UUID
		line string
		qty  int64
	}
	writers := make([]*writer, len(services)*writersPerService)
	for i := range writers {
		svc := services[i%len(services)]
		bk, err := svc.Create(ctx, actor, basket.CreateRequest{ID: uuid.New(),
			Owner: basket.Owner{CustomerID: fmt.Sprintf("c-%d", i)}, Context: demo.Web(time.Now())})
		if err != nil {
			b.Fatal(err)
		}
		bk, err = svc.AddLine(ctx, actor, bk.ID, basket.NewLine{SKU: "CANDLE-FIG", Quantity: 1, Product: demo.Product("CANDLE-FIG")})
		if err != nil {
			b.Fatal(err)
		}
		writers[i] = &writer{svc: svc, id: bk.ID, line: bk.Lines[0].ID, qty: 1}
	}
	b.ReportAllocs()
	elapsed := RunWorkers(b, len(writers), func(i int, _ int64) error {
		w := writers[i]
		w.qty = 3 - w.qty
		_, err := w.svc.SetQuantity(ctx, actor, w.id, w.line, w.qty)
		return err
	})
	rate := float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "commands/s")
	b.ReportMetric(rate/float64(len(services)), "commands/s/instance")
}
