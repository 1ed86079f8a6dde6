package insights

import (
	"context"
	"fmt"
	"sync"

	"github.com/omnibasket/omnibasket/basket"
)

// Positioned is an event with its position in a feed.
type Positioned struct {
	// Position orders the events of the feed; positions increase and may
	// have gaps.
	Position int64
	Event    basket.Event
}

// Feed is where a [Tracker] reads events: an outbox read by position,
// such as postgres.Store.ReadOutbox or an [Outbox].
type Feed interface {
	// Read returns up to limit events with a position above after, in
	// position order; fewer than limit means none is left for now.
	Read(ctx context.Context, after int64, limit int) ([]Positioned, error)
}

// FeedFunc adapts a function to [Feed]. Over a PostgreSQL store, whose
// outbox places events by a postgres.Cursor, the function numbers the
// events it hands over and keeps the cursor of the last one (a [Tracker]
// reads on from the last position it was given, one call at a time):
//
//	var cursor postgres.Cursor // of the last event handed over
//	var count int64            // events handed over
//	feed := insights.FeedFunc(func(ctx context.Context, after int64, limit int) ([]insights.Positioned, error) {
//		if after != count {
//			return nil, fmt.Errorf("feed: read after %d, but %d was handed over last", after, count)
//		}
//		batch, err := store.ReadOutbox(ctx, cursor, limit)
//		if err != nil {
//			return nil, err
//		}
//		out := make([]insights.Positioned, len(batch))
//		for i, e := range batch {
//			count++
//			out[i] = insights.Positioned{Position: count, Event: e.Event}
//			cursor = e.Cursor
//		}
//		return out, nil
//	})
type FeedFunc func(ctx context.Context, after int64, limit int) ([]Positioned, error)

// Read calls f.
func (f FeedFunc) Read(ctx context.Context, after int64, limit int) ([]Positioned, error) {
	return f(ctx, after, limit)
}

// Progress is how far a [Tracker] has read its feed.
type Progress struct {
	// Position is the position of the last event read (0: none).
	Position int64 `json:"position"`
	// Events counts the events read; Refused those the model refused (an
	// unreadable event, or one of a basket whose beginning the feed did
	// not hold: see [Model.Apply]), which count in no figure.
	Events  int64 `json:"events"`
	Refused int64 `json:"refused"`
}

// DefaultBatch is how many events a [Tracker] reads at a time.
const DefaultBatch = 500

// TrackerOptions configure a [Tracker].
type TrackerOptions struct {
	// Batch is how many events are read at a time ([DefaultBatch] when 0).
	Batch int
	// OnProgress, when set, is called after each batch applied, with the
	// lock held: it should only hand the figures on (a log line, a gauge).
	OnProgress func(Progress)
}

// Tracker keeps a [Model] current with a [Feed]: it remembers the
// position it has read up to, and each [Tracker.CatchUp] (which
// [Tracker.Report] runs first) reads what the feed gained since. It is
// safe for concurrent use; calls are served one at a time.
type Tracker struct {
	feed Feed
	opts TrackerOptions

	mu       sync.Mutex
	model    *Model
	progress Progress
}

// NewTracker returns a tracker reading feed from its beginning.
func NewTracker(feed Feed, opts TrackerOptions) (*Tracker, error) {
	switch {
	case feed == nil:
		return nil, &basket.InputError{Field: "feed", Reason: "is required", Kind: basket.ErrNotConfigured}
	case opts.Batch < 0:
		return nil, &basket.InputError{Field: "TrackerOptions.Batch", Reason: fmt.Sprintf("must not be negative, got %d", opts.Batch)}
	}
	if opts.Batch == 0 {
		opts.Batch = DefaultBatch
	}
	return &Tracker{feed: feed, opts: opts, model: NewModel()}, nil
}

// CatchUp reads the feed from the last position read to its end, a batch
// at a time, and applies every event to the model (an event the model
// refuses is counted in Progress.Refused and skipped: one bad event does
// not stop the report). It returns how far it got. When ctx ends or a
// read fails it returns the error; what it read until then is kept, and
// the next call goes on from there.
func (t *Tracker) CatchUp(ctx context.Context) (Progress, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.catchUp(ctx)
}

func (t *Tracker) catchUp(ctx context.Context) (Progress, error) {
	for {
		if err := ctx.Err(); err != nil {
			return t.progress, err
		}
		batch, err := t.feed.Read(ctx, t.progress.Position, t.opts.Batch)
		if err != nil {
			return t.progress, err
		}
		for _, p := range batch {
			if p.Position <= t.progress.Position {
				return t.progress, fmt.Errorf("insights: the feed went back from position %d to %d", t.progress.Position, p.Position)
			}
			if t.model.Apply(p.Event) != nil {
				t.progress.Refused++ // every refusal leaves the model as it was
			}
			t.progress.Position = p.Position
			t.progress.Events++
		}
		if len(batch) > 0 && t.opts.OnProgress != nil {
			t.opts.OnProgress(t.progress)
		}
		if len(batch) < t.opts.Batch {
			return t.progress, nil
		}
	}
}

// Report catches up with the feed, then reports the period to actor: a
// store associate or the System (a shopper is refused with
// [basket.ErrForbidden]; the report covers every channel and store).
func (t *Tracker) Report(ctx context.Context, actor basket.Actor, p Period) (Report, Progress, error) {
	if err := Authorize(actor); err != nil {
		return Report{}, Progress{}, err
	}
	if _, _, err := p.normalized(); err != nil {
		return Report{}, Progress{}, err // before reading anything
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	progress, err := t.catchUp(ctx)
	if err != nil {
		return Report{}, progress, err
	}
	r, err := t.model.Report(p)
	return r, progress, err
}

// Authorize says whether actor may read lifecycle reports: the staff (a
// store associate) and the System may; a shopper may not
// ([basket.ErrForbidden]). The reports hold no personal data, but they
// are the retailer's figures.
func Authorize(actor basket.Actor) error {
	switch {
	case actor.Kind < basket.Shopper || actor.Kind > basket.System:
		return &basket.InputError{Field: "Actor.Kind", Reason: fmt.Sprintf("unknown actor kind %d", uint8(actor.Kind))}
	case actor.ID == "":
		return &basket.InputError{Field: "Actor.ID", Reason: "must not be empty"}
	case actor.Kind == basket.Shopper:
		return &basket.InputError{Field: "Actor", Reason: "lifecycle reports are for the staff", Kind: basket.ErrForbidden}
	}
	return nil
}
