package httpapi

import (
	"sync"

	"github.com/google/uuid"
)

// Feed tells the live streams that a basket changed, so that a tablet sees
// what the phone did without polling. A notification carries no data: the
// stream reads the basket's history through the Service (and its
// permission checks) when told, so a missed, late, duplicated or
// reordered notification costs at most a read, and the safety-net poll
// ([Options.PollEvery]) catches what a feed never delivers.
//
// [Broker] is the in-process Feed: a memory store publishes to it after
// each save (memory.WithAfterSave). With several instances sharing
// PostgreSQL, each instance follows the outbox (postgres.Store.Follow) and
// publishes every basket ID it reads to its own Broker.
type Feed interface {
	// Subscribe starts notifications about basket id. changed receives a
	// value some time after each change (changes in quick succession may
	// share one value); it is never closed. cancel ends the subscription
	// and frees it; calling it again does nothing.
	Subscribe(id uuid.UUID) (changed <-chan struct{}, cancel func())
}

// Broker is the in-process [Feed]: [Broker.Publish] notifies every
// subscriber of a basket without ever blocking, because each subscriber
// has a one-slot mailbox and a notification finding the slot full is
// merged into the one waiting there. A slow stream therefore costs the
// publisher nothing and holds no queue. The zero value is ready to use;
// a Broker must not be copied after first use.
type Broker struct {
	mu   sync.Mutex
	subs map[uuid.UUID]map[*subscription]struct{}
}

type subscription struct{ ch chan struct{} }

var _ Feed = (*Broker)(nil)

// NewBroker returns an empty broker.
func NewBroker() *Broker { return &Broker{} }

// Subscribe implements [Feed].
func (b *Broker) Subscribe(id uuid.UUID) (<-chan struct{}, func()) {
	s := &subscription{ch: make(chan struct{}, 1)}
	b.mu.Lock()
	if b.subs == nil {
		b.subs = map[uuid.UUID]map[*subscription]struct{}{}
	}
	set := b.subs[id]
	if set == nil {
		set = map[*subscription]struct{}{}
		b.subs[id] = set
	}
	set[s] = struct{}{}
	b.mu.Unlock()
	var once sync.Once
	return s.ch, func() { once.Do(func() { b.unsubscribe(id, s) }) }
}

func (b *Broker) unsubscribe(id uuid.UUID, s *subscription) {
	b.mu.Lock()
	defer b.mu.Unlock()
	set := b.subs[id]
	delete(set, s)
	if len(set) == 0 {
		delete(b.subs, id) // a broker serving many baskets keeps only live ones
	}
}

// Publish notifies the subscribers of basket id that it changed. It never
// blocks on a subscriber and is safe for concurrent use; with no
// subscriber it does nothing.
func (b *Broker) Publish(id uuid.UUID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs[id] {
		select {
		case s.ch <- struct{}{}:
		default: // a notification is already waiting: this one is in it
		}
	}
}

// subscribers is how many subscriptions are live, over all baskets, and
// how many baskets have one (for the tests of leaks).
func (b *Broker) subscribers() (subs, baskets int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, set := range b.subs {
		subs += len(set)
	}
	return subs, len(b.subs)
}
