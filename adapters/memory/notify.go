package memory

import (
	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
)

// WithAfterSave makes the store call fn for every basket a Save wrote
// (the basket of the Write, then those of Write.Also), with the version
// it now has. It is how a single-process deployment learns of changes
// without an outbox: the live streams of adapters/httpapi subscribe to an
// httpapi.Broker, and the hook publishes to it:
//
//	broker := httpapi.NewBroker()
//	baskets := memory.NewBasketStore(memory.WithLedger(st),
//		memory.WithAfterSave(func(id uuid.UUID, _ int64) { broker.Publish(id) }))
//
// fn runs once the write is complete and the store's lock is released, so
// it may read the store (and sees at least the version it is given), on
// the goroutine that called Save, before Save returns: a slow fn slows
// every writer, so it should only hand the news on. Saves that fail call
// nothing. Concurrent saves call fn concurrently, and the calls for one
// basket may arrive out of version order: treat a call as "the basket
// changed, read it", never as the latest version. Several options add
// several hooks, called in the order given; a nil fn is ignored.
func WithAfterSave(fn func(id uuid.UUID, version int64)) BasketOption {
	return func(s *BasketStore) {
		if fn != nil {
			s.afterSave = append(s.afterSave, fn)
		}
	}
}

// announce runs the after-save hooks for writes if *saved says Save wrote
// them. Save defers it before taking its lock, so that it runs after the
// unlock and sees the outcome Save settled on.
func (s *BasketStore) announce(writes []basket.Write, saved *bool) {
	if !*saved {
		return
	}
	for _, fn := range s.afterSave {
		for _, x := range writes {
			fn(x.Basket.ID, x.Basket.Version)
		}
	}
}
