// Command postgres runs two basket.Service instances, as two processes of a
// deployment would, over one PostgreSQL database: the web shop's and a
// store's. A shopper's basket created by the web instance is checked in by
// the store instance (the single-use token is consumed in the shared
// database), both instances then change the same basket at once (version
// conflicts are retried on a fresh read, no update is lost), and an outbox
// consumer follows the events in commit order.
//
//	OMNIBASKET_POSTGRES_URL=postgres://user:pass@localhost:5432/db?sslmode=disable go run ./examples/postgres
//
// It works in a schema of its own, created and dropped around the run.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/postgres"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

func main() {
	url := os.Getenv("OMNIBASKET_POSTGRES_URL")
	if url == "" {
		fmt.Fprintln(os.Stderr, "set OMNIBASKET_POSTGRES_URL to a PostgreSQL database (see .ci/run for starting one locally)")
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout, url); err != nil {
		fmt.Fprintln(os.Stderr, "postgres:", err)
		os.Exit(1)
	}
}

// instance is one process of the deployment: its own pool and service.
type instance struct {
	name  string
	store *postgres.Store
	svc   *basket.Service
}

func run(ctx context.Context, w io.Writer, url string) (err error) {
	schema := "omnibasket_example_" + randomSuffix()
	key := handoff.Key{ID: "k1", Secret: handoff.NewSecret([]byte("a-shared-secret-from-your-vault!")), ActiveFrom: time.Now().Add(-time.Hour)}
	web, err := newInstance(ctx, "web", url, schema, key)
	if err != nil {
		return err
	}
	defer web.store.Close()
	defer func() { err = errors.Join(err, web.store.DropSchema(context.Background())) }()
	tablet, err := newInstance(ctx, "store", url, schema, key)
	if err != nil {
		return err
	}
	defer tablet.store.Close()
	for _, l := range demo.Stock() { // the retailer's stock feed
		if err := web.store.SetOnHand(ctx, l.SKU, l.LocationID, l.OnHand); err != nil {
			return err
		}
	}

	shopper := basket.Actor{Kind: basket.Shopper, ID: "cust-42"}
	lea := basket.Actor{Kind: basket.Associate, ID: "lea", LocationID: demo.Bellecour}
	id := uuid.New()
	if _, err := web.svc.Create(ctx, shopper, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: shopper.ID}, Context: demo.Web(time.Time{})}); err != nil {
		return err
	}
	if _, err := web.svc.AddLine(ctx, shopper, id, basket.NewLine{SKU: "LAMP-ARC", Quantity: 2, Product: demo.Product("LAMP-ARC")}); err != nil {
		return err
	}
	ticket, err := web.svc.IssueCheckIn(ctx, shopper, id, basket.HandoffRequest{TTL: 5 * time.Minute})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "web instance: basket created, check-in token issued (%d characters)\n", len(ticket.Token))

	checkIn := basket.CheckInRequest{Token: ticket.Token, Method: "qr", Target: demo.Store(demo.Bellecour, time.Time{})}
	b, err := tablet.svc.CheckIn(ctx, lea, checkIn)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "store instance: checked in at %s, total %s\n", b.Context.LocationID, b.Result.Totals.Total)
	_, err = web.svc.CheckIn(ctx, lea, checkIn)
	fmt.Fprintf(w, "the same token at the other instance: %v\n", err)

	// Both instances change the basket at the same time.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i, sku := range []string{"CANDLE-FIG", "CANDLE-CED", "MUG-STONE", "VASE-GLASS", "BOOK-TEA", "TEA-EARL", "FRAME-OAK", "PLANT-POT"} {
		inst, actor := web, shopper
		if i%2 == 1 {
			inst, actor = tablet, lea
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := inst.svc.AddLine(ctx, actor, id, basket.NewLine{SKU: sku, Quantity: 1, Product: demo.Product(sku)})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	b, err = web.svc.Get(ctx, shopper, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "after 8 concurrent additions from both instances: %d lines, version %d, total %s\n", len(b.Lines), b.Version, b.Result.Totals.Total)

	// An outbox consumer follows the history, each basket's events in
	// order. An event is delivered once every transaction that began
	// writing before it has ended (on a busy server, a moment later than
	// its commit), so the consumer polls until it has seen the last
	// version.
	var after postgres.Cursor
	counts := map[basket.EventType]int{}
	poll := time.NewTicker(10 * time.Millisecond)
	defer poll.Stop()
	for seen := int64(0); seen < b.Version; {
		batch, err := tablet.store.ReadOutbox(ctx, after, 100)
		if err != nil {
			return err
		}
		for _, e := range batch {
			counts[e.Event.Type]++
			after = e.Cursor
			if e.Event.BasketID == id {
				seen = e.Event.Seq
			}
		}
		if len(batch) == 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-poll.C:
			}
		}
	}
	fmt.Fprintf(w, "outbox: %d line additions, %d check-in, %d pricings\n",
		counts[basket.EventLineAdded], counts[basket.EventCheckedIn], counts[basket.EventRecontextualized])
	return nil
}

func newInstance(ctx context.Context, name, url, schema string, key handoff.Key) (*instance, error) {
	store, err := postgres.Open(ctx, url, postgres.Options{Schema: schema})
	if err != nil {
		return nil, err
	}
	if err := store.Migrate(ctx); err != nil { // idempotent: both instances may run it
		store.Close()
		return nil, err
	}
	cat, err := demo.Catalog()
	if err != nil {
		store.Close()
		return nil, err
	}
	keys, err := handoff.NewKeyRing(key)
	if err != nil {
		store.Close()
		return nil, err
	}
	tokens, err := handoff.New(handoff.Config{Keys: keys, Replay: store, Clock: clock.System{}})
	if err != nil {
		store.Close()
		return nil, err
	}
	svc, err := basket.NewService(basket.Config{
		Store: store, Prices: cat, Promotions: cat, Tax: cat, Stock: store, Locations: cat, Fees: cat,
		Reservations: store, Clock: clock.System{}, Handoff: tokens, Retailer: demo.Retailer, MaxAttempts: 20,
	})
	if err != nil {
		store.Close()
		return nil, err
	}
	return &instance{name: name, store: store, svc: svc}, nil
}

func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
