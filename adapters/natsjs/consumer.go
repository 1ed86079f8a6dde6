package natsjs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/omnibasket/omnibasket/adapters/postgres"
	"github.com/omnibasket/omnibasket/basket"
)

// Defaults of [ConsumerConfig].
const (
	DefaultAckWait    = 30 * time.Second
	DefaultFetch      = 64
	DefaultFetchWait  = time.Second
	DefaultRedelivery = time.Second
)

// ConsumerConfig configures [Consume]. Conn, Stream and Durable are
// required; zero durations and sizes take the defaults above.
type ConsumerConfig struct {
	// Conn is the connection to the NATS cluster; Consume does not close
	// it.
	Conn *nats.Conn
	// Stream is the stream the relay publishes to.
	Stream string
	// Durable names the consumer: the stream remembers what it has
	// acknowledged, across restarts, and several processes with the same
	// name share its events.
	Durable string
	// Subjects filter the events (see the package doc for the subject
	// form); empty means all of the stream's.
	Subjects []string
	// AckWait is how long the stream waits for a handler before
	// delivering its event again.
	AckWait time.Duration
	// Fetch is how many events are pulled at once, and FetchWait how long
	// a pull waits for them.
	Fetch     int
	FetchWait time.Duration
	// Redelivery is the delay before an event whose handler failed is
	// delivered again.
	Redelivery time.Duration
	// Progress, if not nil, is called after each pull with the counters
	// so far (from the consumer's goroutine: keep it short).
	Progress func(ConsumerStats)
}

// ConsumerStats are the counters of one [Consume] call.
type ConsumerStats struct {
	// Handled counts events whose handler returned nil and whose
	// acknowledgement the stream confirmed.
	Handled uint64
	// Failed counts handler errors (each event delivered again).
	Failed uint64
	// Redelivered counts deliveries that were not an event's first.
	Redelivered uint64
	// Invalid counts messages that are not events the relay published;
	// they are terminated (never delivered again).
	Invalid uint64
	// LastError is the last handler, decoding or acknowledgement error.
	LastError error
}

// Delivery is one event handed to a handler.
type Delivery struct {
	// Event is the basket event; EventID(Event) is its identity.
	Event basket.Event
	// Cursor is its place in the PostgreSQL outbox.
	Cursor postgres.Cursor
	// StreamSeq is the message's sequence in the stream: one stored
	// message, whatever the number of deliveries.
	StreamSeq uint64
	// NumDelivered is 1 on the first delivery, more on redeliveries (the
	// handler may have acted on an earlier one: check the event's
	// identity).
	NumDelivered uint64
}

// Handler acts on one event. It must be idempotent by the event's
// identity: keep per basket the Seq of the last event acted on, skip an
// event whose Seq is not above it, and refuse (return an error for) one
// beyond the next (see the package doc). A nil error
// acknowledges the event; an error gets it, and the events of its basket
// pulled with it, delivered again after ConsumerConfig.Redelivery, so
// that the order of a basket's events holds; other baskets go on.
type Handler func(ctx context.Context, d Delivery) error

// Consume creates or updates the durable pull consumer and calls handle
// for each event, one at a time in stream order, until ctx ends; it then
// returns ctx's error. It goes on through a lost server or leader change
// (the pull is simply retried). Invalid configuration is a
// *[basket.InputError].
func Consume(ctx context.Context, cfg ConsumerConfig, handle Handler) error {
	switch {
	case cfg.Conn == nil:
		return &basket.InputError{Field: "conn", Reason: "required"}
	case cfg.Stream == "" || cfg.Durable == "":
		return &basket.InputError{Field: "consumer", Reason: "the stream and durable names are required"}
	case handle == nil:
		return &basket.InputError{Field: "handler", Reason: "required"}
	case cfg.AckWait < 0 || cfg.Fetch < 0 || cfg.FetchWait < 0 || cfg.Redelivery < 0:
		return &basket.InputError{Field: "consumer", Reason: "sizes and durations must not be negative"}
	}
	cfg.AckWait = or(cfg.AckWait, DefaultAckWait)
	cfg.Fetch = or(cfg.Fetch, DefaultFetch)
	cfg.FetchWait = or(cfg.FetchWait, DefaultFetchWait)
	cfg.Redelivery = or(cfg.Redelivery, DefaultRedelivery)
	js, err := jetstream.New(cfg.Conn)
	if err != nil {
		return fmt.Errorf("natsjs: %w", err)
	}
	cc := jetstream.ConsumerConfig{
		Durable:       cfg.Durable,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       cfg.AckWait,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	}
	if len(cfg.Subjects) == 1 {
		cc.FilterSubject = cfg.Subjects[0]
	} else {
		cc.FilterSubjects = cfg.Subjects
	}
	var stats ConsumerStats
	report := func() {
		if cfg.Progress != nil {
			cfg.Progress(stats)
		}
	}
	var cons jetstream.Consumer
	for {
		cons, err = js.CreateOrUpdateConsumer(ctx, cfg.Stream, cc)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return fmt.Errorf("natsjs: consumer %s: %w", cfg.Durable, err)
		}
		if err := sleep(ctx, cfg.Redelivery); err != nil { // a leader election
			return err
		}
	}
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// The pull ends with ctx, and a pull whose server went away ends at
		// the first missed heartbeat rather than at its expiry.
		fctx, cancel := context.WithTimeout(ctx, cfg.FetchWait)
		opts := []jetstream.FetchOpt{jetstream.FetchContext(fctx)}
		if cfg.FetchWait >= 2*time.Second {
			opts = append(opts, jetstream.FetchHeartbeat(cfg.FetchWait/4))
		}
		err := consumeBatch(ctx, cons, cfg, opts, handle, &stats)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			stats.LastError = err
			report()
			if err := sleep(ctx, cfg.Redelivery); err != nil {
				return err
			}
			continue
		}
		report()
	}
}

// consumeBatch pulls once and handles what the pull brings.
func consumeBatch(ctx context.Context, cons jetstream.Consumer, cfg ConsumerConfig, opts []jetstream.FetchOpt, handle Handler, stats *ConsumerStats) error {
	batch, err := cons.Fetch(cfg.Fetch, opts...)
	if err != nil {
		return err
	}
	failed := map[uuid.UUID]int64{} // the lowest Seq that failed, per basket
	for msg := range batch.Messages() {
		d, err := delivery(msg)
		if err != nil {
			stats.Invalid++
			stats.LastError = err
			_ = msg.Term()
			continue
		}
		if d.NumDelivered > 1 {
			stats.Redelivered++
		}
		// Keep the basket's order: its events after one that failed come
		// again too (an earlier one, redelivered late, may go now).
		if f, ok := failed[d.Event.BasketID]; ok && d.Event.Seq > f {
			_ = msg.NakWithDelay(cfg.Redelivery)
			continue
		}
		if err := handle(ctx, d); err != nil {
			stats.Failed++
			stats.LastError = err
			if f, ok := failed[d.Event.BasketID]; !ok || d.Event.Seq < f {
				failed[d.Event.BasketID] = d.Event.Seq
			}
			_ = msg.NakWithDelay(cfg.Redelivery)
			continue
		}
		// Wait for the stream to confirm the acknowledgement, but not
		// longer than AckWait: one lost with a leader is answered by a
		// redelivery, which the handler skips by identity.
		actx, cancel := context.WithTimeout(ctx, cfg.AckWait)
		err = msg.DoubleAck(actx)
		cancel()
		if err != nil {
			stats.LastError = err
			continue
		}
		stats.Handled++
	}
	if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, context.DeadlineExceeded) {
		stats.LastError = err
	}
	return nil
}

// delivery decodes a delivered message.
func delivery(msg jetstream.Msg) (Delivery, error) {
	meta, err := msg.Metadata()
	if err != nil {
		return Delivery{}, &basket.InputError{Field: "message", Reason: err.Error()}
	}
	h := msg.Headers()
	e, c, err := decodeMessage(msg.Data(), h.Get(HeaderMsgID), h.Get(HeaderCursor))
	if err != nil {
		return Delivery{}, err
	}
	return Delivery{Event: e, Cursor: c, StreamSeq: meta.Sequence.Stream, NumDelivered: meta.NumDelivered}, nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
