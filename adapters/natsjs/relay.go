package natsjs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/omnibasket/omnibasket/adapters/postgres"
	"github.com/omnibasket/omnibasket/basket"
)

// Outbox is what the relay needs of the database: the outbox and a place
// to keep its position. *[postgres.Store] implements it.
type Outbox interface {
	ReadOutbox(ctx context.Context, after postgres.Cursor, limit int) ([]postgres.OutboxEvent, error)
	RelayPosition(ctx context.Context, name string) (postgres.Cursor, error)
	SaveRelayPosition(ctx context.Context, name string, c postgres.Cursor) error
}

// Defaults of [RelayConfig].
const (
	DefaultBatch      = 256
	DefaultEvery      = 100 * time.Millisecond
	DefaultAckTimeout = 5 * time.Second
	DefaultRetry      = 250 * time.Millisecond
	// DefaultDuplicates is the duplicate window of [StreamConfig]: how long
	// after publishing an event a republished copy is still dropped by the
	// stream. A relay down for longer than this and restarted republishes
	// at most one batch that consumers see twice (and skip by identity).
	DefaultDuplicates = 2 * time.Minute
)

// RelayConfig configures a [Relay]. Outbox, Conn, Name and Prefix are
// required; zero durations and sizes take the defaults above.
type RelayConfig struct {
	// Outbox is read from the relay's saved position on.
	Outbox Outbox
	// Conn is the connection to the NATS cluster; the relay does not
	// close it. Give it the URLs of several servers so that it reconnects
	// when one goes.
	Conn *nats.Conn
	// Name identifies the relay's saved position: relays of the same
	// name share one (a standby, a restarted process).
	Name string
	// Prefix starts every subject (see the package doc); the stream must
	// capture "<Prefix>.>" ([StreamConfig]).
	Prefix string
	// Batch is how many events are read and published at once; the
	// position is saved once per batch.
	Batch int
	// Every is how long the relay waits before reading again when the
	// outbox had nothing new.
	Every time.Duration
	// AckTimeout is how long the relay waits for the stream to
	// acknowledge a publish before taking it as failed and publishing
	// again from there.
	AckTimeout time.Duration
	// Retry is how long the relay waits after a failure (a publish not
	// acknowledged, the database unreachable) before trying again.
	Retry time.Duration
	// Progress, if not nil, is called after each batch and each failure
	// with the relay's counters so far (from the relay's goroutine: keep
	// it short).
	Progress func(RelayStats)
}

// RelayStats are a relay's counters since [Relay.Run] began.
type RelayStats struct {
	// Published counts events the stream acknowledged, duplicates
	// included.
	Published uint64
	// Duplicates counts those the stream already had (republished after a
	// failure or restart, or by a second relay of the same name).
	Duplicates uint64
	// Batches counts batches fully acknowledged.
	Batches uint64
	// Failures counts batches cut short by a failure, each retried.
	Failures uint64
	// Position is the cursor last saved in the database.
	Position postgres.Cursor
	// LastError is the last failure, nil if none yet.
	LastError error
}

// Relay publishes the outbox to JetStream (see the package doc). Run it
// in one goroutine per process; it is safe to run the same relay name in
// several processes.
type Relay struct {
	cfg RelayConfig
	js  jetstream.JetStream

	mu    sync.Mutex
	stats RelayStats
}

// NewRelay checks cfg and returns a relay ready to [Relay.Run]. A missing
// Outbox, Conn or Name, an invalid Prefix or a negative size or duration
// is a *[basket.InputError].
func NewRelay(cfg RelayConfig) (*Relay, error) {
	switch {
	case cfg.Outbox == nil:
		return nil, &basket.InputError{Field: "outbox", Reason: "required"}
	case cfg.Conn == nil:
		return nil, &basket.InputError{Field: "conn", Reason: "required"}
	case cfg.Name == "":
		return nil, &basket.InputError{Field: "name", Reason: "required"}
	case cfg.Batch < 0 || cfg.Every < 0 || cfg.AckTimeout < 0 || cfg.Retry < 0:
		return nil, &basket.InputError{Field: "relay", Reason: "sizes and durations must not be negative"}
	}
	if err := ValidPrefix(cfg.Prefix); err != nil {
		return nil, err
	}
	cfg.Batch = or(cfg.Batch, DefaultBatch)
	cfg.Every = or(cfg.Every, DefaultEvery)
	cfg.AckTimeout = or(cfg.AckTimeout, DefaultAckTimeout)
	cfg.Retry = or(cfg.Retry, DefaultRetry)
	js, err := jetstream.New(cfg.Conn, jetstream.WithPublishAsyncTimeout(cfg.AckTimeout), jetstream.WithPublishAsyncMaxPending(max(cfg.Batch, 1)))
	if err != nil {
		return nil, fmt.Errorf("natsjs: %w", err)
	}
	return &Relay{cfg: cfg, js: js}, nil
}

// or returns v, or def when v is zero.
func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// StreamConfig returns the configuration of a stream for a relay with
// this prefix: every subject under it, file storage, the given number of
// replicas (3 in a cluster), and the duplicate window
// [DefaultDuplicates]. Create it with jetstream's CreateOrUpdateStream.
func StreamConfig(name, prefix string, replicas int) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:       name,
		Subjects:   []string{prefix + ".>"},
		Storage:    jetstream.FileStorage,
		Replicas:   replicas,
		Duplicates: DefaultDuplicates,
	}
}

// Stats returns the relay's counters so far.
func (r *Relay) Stats() RelayStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// Run relays until ctx ends, and then returns ctx's error. It starts from
// the saved position, and keeps going through failures of the stream or
// the database (each counted in [RelayStats.Failures] and retried after
// RelayConfig.Retry), so it is safe to interrupt at any point and to run
// again: events acknowledged but not yet recorded as the position are
// published again and dropped by the stream's duplicate window.
func (r *Relay) Run(ctx context.Context) error {
	var pos postgres.Cursor
	for {
		p, err := r.cfg.Outbox.RelayPosition(ctx, r.cfg.Name)
		if err == nil {
			pos = p
			break
		}
		if err := r.fail(ctx, err); err != nil {
			return err
		}
	}
	r.update(func(s *RelayStats) { s.Position = pos })
	idle := time.NewTimer(0)
	defer idle.Stop()
	for {
		batch, err := r.cfg.Outbox.ReadOutbox(ctx, pos, r.cfg.Batch)
		if err != nil {
			if err := r.fail(ctx, err); err != nil {
				return err
			}
			continue
		}
		if len(batch) == 0 {
			idle.Reset(r.cfg.Every)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-idle.C:
			}
			continue
		}
		n, dups, err := r.publish(ctx, batch)
		if n > 0 {
			pos = batch[n-1].Cursor
			if serr := r.cfg.Outbox.SaveRelayPosition(ctx, r.cfg.Name, pos); serr != nil && err == nil {
				err = serr // the next save covers this one
			}
			r.update(func(s *RelayStats) {
				s.Published += uint64(n)
				s.Duplicates += uint64(dups)
				if n == len(batch) {
					s.Batches++
				}
				if err == nil {
					s.Position = pos
				}
			})
		}
		if err != nil {
			if err := r.fail(ctx, err); err != nil {
				return err
			}
			continue
		}
		r.report()
	}
}

// fail counts a failure and waits before the next try; it returns ctx's
// error if ctx ended.
func (r *Relay) fail(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	r.update(func(s *RelayStats) { s.Failures++; s.LastError = err })
	r.report()
	t := time.NewTimer(r.cfg.Retry)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (r *Relay) update(f func(*RelayStats)) {
	r.mu.Lock()
	f(&r.stats)
	r.mu.Unlock()
}

func (r *Relay) report() {
	if r.cfg.Progress != nil {
		r.cfg.Progress(r.Stats())
	}
}

// publish sends batch and returns how many of its first events the stream
// acknowledged (all of them, or those before the first failure), how
// many of those were duplicates, and the failure. An event goes out only
// after the previous event of its basket was acknowledged, so no event
// after a failed one of the same basket has been sent.
func (r *Relay) publish(ctx context.Context, batch []postgres.OutboxEvent) (acked, dups int, err error) {
	futures := make([]jetstream.PubAckFuture, len(batch))
	done := make([]bool, len(batch))
	errs := make([]error, len(batch))
	dup := make([]bool, len(batch))
	wait := func(i int) error {
		if done[i] {
			return errs[i]
		}
		done[i] = true
		select {
		case a := <-futures[i].Ok():
			dup[i] = a.Duplicate
		case e := <-futures[i].Err():
			errs[i] = fmt.Errorf("natsjs: publish %s: %w", EventID(batch[i].Event), e)
		case <-ctx.Done():
			errs[i] = ctx.Err()
		}
		return errs[i]
	}
	last := make(map[uuid.UUID]int)
	sent := len(batch)
	failed := len(batch)
	for i, oe := range batch {
		if j, ok := last[oe.Event.BasketID]; ok {
			if err := wait(j); err != nil {
				failed, sent = j, i
				break
			}
		}
		msg, err := message(r.cfg.Prefix, oe)
		if err == nil {
			futures[i], err = r.js.PublishMsgAsync(msg)
		}
		if err != nil {
			done[i], errs[i] = true, fmt.Errorf("natsjs: publish %s: %w", EventID(oe.Event), err)
			sent = i
			failed = min(failed, i)
			break
		}
		last[oe.Event.BasketID] = i
	}
	for i := range sent {
		if wait(i) != nil {
			failed = min(failed, i)
		}
	}
	for i := range failed {
		if dup[i] {
			dups++
		}
	}
	if failed < len(batch) {
		err = errs[failed]
		if err == nil {
			err = errors.New("natsjs: publish interrupted")
		}
	}
	return failed, dups, err
}

// message builds the JetStream message of an outbox event.
func message(prefix string, oe postgres.OutboxEvent) (*nats.Msg, error) {
	data, err := json.Marshal(oe.Event)
	if err != nil {
		return nil, err
	}
	m := nats.NewMsg(Subject(prefix, oe.Event))
	m.Data = data
	m.Header.Set(HeaderMsgID, EventID(oe.Event))
	m.Header.Set(HeaderCursor, oe.Cursor.String())
	return m, nil
}
