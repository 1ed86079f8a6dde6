// Command natsjs shows a store system fed by NATS JetStream: baskets are
// saved in PostgreSQL, a relay carries the outbox to a JetStream stream,
// and the Bellecour store's system, a durable consumer, prints the
// fulfilment orders it must prepare.
//
//	OMNIBASKET_POSTGRES_URL=postgres://user:pass@localhost:5432/db?sslmode=disable go run ./examples/natsjs
//
// The NATS server runs inside the process (nats-server as a Go module,
// listening on loopback only), so nothing but PostgreSQL is needed: the
// relay reads PostgreSQL's transactional outbox, which the in-memory store
// does not have. It works in a schema of its own, created and dropped
// around the run.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/omnibasket/omnibasket/adapters/natsjs"
	"github.com/omnibasket/omnibasket/adapters/postgres"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

func main() {
	url := os.Getenv("OMNIBASKET_POSTGRES_URL")
	if url == "" {
		fmt.Fprintln(os.Stderr, "set OMNIBASKET_POSTGRES_URL to a PostgreSQL database (see .ci/run for starting one locally)")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, url); err != nil {
		fmt.Fprintln(os.Stderr, "natsjs:", err)
		os.Exit(1)
	}
}

const (
	streamName = "OMNIBASKET"
	prefix     = "omnibasket.demo"
)

func run(ctx context.Context, w io.Writer, url string) (err error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	store, err := postgres.Open(ctx, url, postgres.Options{Schema: "omnibasket_example_" + hex.EncodeToString(b[:])})
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	defer func() { err = errors.Join(err, store.DropSchema(context.Background())) }()

	// The NATS server, in this process.
	dir, err := os.MkdirTemp("", "omnibasket-natsjs-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
	if err != nil {
		return err
	}
	go ns.Start()
	defer ns.Shutdown()
	if !ns.ReadyForConnections(10 * time.Second) {
		return errors.New("the NATS server did not start")
	}
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	if _, err := js.CreateOrUpdateStream(ctx, natsjs.StreamConfig(streamName, prefix, 1)); err != nil {
		return err
	}

	// The relay and the store system run until the end of the journey.
	bg, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stop()
	relay, err := natsjs.NewRelay(natsjs.RelayConfig{Outbox: store, Conn: nc, Name: "example", Prefix: prefix, Every: 20 * time.Millisecond})
	if err != nil {
		return err
	}
	wg.Add(1)
	go func() { defer wg.Done(); _ = relay.Run(bg) }()
	sys := &storeSystem{location: demo.Bellecour, last: map[uuid.UUID]int64{}, got: make(chan string, 16)}
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = natsjs.Consume(bg, natsjs.ConsumerConfig{
			Conn: nc, Stream: streamName, Durable: "bellecour-store",
			Subjects:  []string{prefix + ".*.*." + string(basket.EventFulfilmentOrdered)},
			FetchWait: 100 * time.Millisecond,
		}, sys.handle)
	}()

	// Léa, at the Bellecour store, sells a lamp and a bulb, carried out.
	svc, err := newService(store)
	if err != nil {
		return err
	}
	lea := basket.Actor{Kind: basket.Associate, ID: "lea", LocationID: demo.Bellecour}
	id := uuid.New()
	if _, err := svc.Create(ctx, lea, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: "cust-42"}, Context: demo.Store(demo.Bellecour, time.Time{})}); err != nil {
		return err
	}
	for _, sku := range []string{"LAMP-ARC", "BULB-E27"} {
		if _, err := svc.AddLine(ctx, lea, id, basket.NewLine{SKU: sku, Quantity: 1, Product: demo.Product(sku)}); err != nil {
			return err
		}
	}
	placed, err := svc.PlaceOrder(ctx, lea, id)
	if err != nil {
		return err
	}
	want := 0
	for _, fo := range placed.Order.Fulfilment {
		if fo.LocationID == demo.Bellecour {
			want++
		}
	}
	fmt.Fprintf(w, "order placed at %s: %d fulfilment orders, %d for this store\n", demo.Bellecour, len(placed.Order.Fulfilment), want)
	for range want {
		select {
		case line := <-sys.got:
			fmt.Fprintln(w, line)
		case <-ctx.Done():
			return fmt.Errorf("the store system did not get its orders: %w", ctx.Err())
		}
	}
	// The relay saves its position after each batch the stream
	// acknowledged; a restarted relay goes on from there.
	head, err := store.OutboxHead(ctx)
	if err != nil {
		return err
	}
	for relay.Stats().Position.Compare(head) < 0 {
		select {
		case <-time.After(10 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	stop()
	wg.Wait()
	pos, err := store.RelayPosition(ctx, "example")
	if err != nil {
		return err
	}
	s := relay.Stats()
	fmt.Fprintf(w, "relay: %d events published, %d duplicates; saved position is the last published: %t\n",
		s.Published, s.Duplicates, pos == s.Position && s.Published > 0)
	return nil
}

// storeSystem is the store's fulfilment screen. It acts on each event
// once: it keeps per basket the Seq of the last event it acted on, as
// natsjs's consumers must, and skips what it has seen.
type storeSystem struct {
	location string
	mu       sync.Mutex
	last     map[uuid.UUID]int64
	got      chan string // what the screen shows, printed by run
}

func (s *storeSystem) handle(_ context.Context, d natsjs.Delivery) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.Event.Seq <= s.last[d.Event.BasketID] {
		return nil // delivered again: already on the screen
	}
	v, err := d.Event.Decode()
	if err != nil {
		return err
	}
	s.last[d.Event.BasketID] = d.Event.Seq
	fo := v.(*basket.FulfilmentOrdered).Order
	if fo.LocationID != s.location {
		return nil // another location prepares it
	}
	var lines []string
	for _, l := range fo.Lines {
		lines = append(lines, fmt.Sprintf("%d × %s", l.Quantity, l.SKU))
	}
	s.got <- fmt.Sprintf("store system: prepare %s (%s): %s", fo.ID, fo.Mode, strings.Join(lines, ", "))
	return nil
}

// newService is the basket service over the PostgreSQL store, with the
// demo retailer's catalogue and stock.
func newService(store *postgres.Store) (*basket.Service, error) {
	ctx := context.Background()
	for _, l := range demo.Stock() {
		if err := store.SetOnHand(ctx, l.SKU, l.LocationID, l.OnHand); err != nil {
			return nil, err
		}
	}
	cat, err := demo.Catalog()
	if err != nil {
		return nil, err
	}
	return basket.NewService(basket.Config{
		Store: store, Prices: cat, Promotions: cat, Tax: cat, Stock: store, Locations: cat, Fees: cat,
		Reservations: store, Clock: clock.System{}, Retailer: demo.Retailer,
	})
}
