package httpapi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/clock"
)

// Contexts is a [ContextSource] over a fixed list of channel contexts, for
// the standalone server, the demo and platforms whose channels and stores
// fit in configuration. A context is found by the pair (channel ID,
// location ID), by its location alone or by its channel alone:
//
//   - with both IDs, the context of exactly that channel at that location
//     (the web shop's click & collect at one store is channel "web" at
//     location "lyon-bellecour");
//   - with a location alone, the store: the context of a physical kind
//     (store, kiosk) at that location, or the only context there;
//   - with a channel alone, the context of that channel without a
//     location, or its only context.
//
// The returned context is a copy (the caller may change it), with the
// query's customer group and locale when they are set, and AsOf from the
// clock.
//
// The customer group selects group prices and promotions: the API passes
// on what the client asks for, so a platform whose group prices are a
// privilege (staff, trade) should resolve the group from the
// authenticated actor in its own ContextSource, or wrap this one and
// clear it.
type Contexts struct {
	clk  clock.Clock
	list []channel.Context // sorted by channel ID, then location ID
}

// MaxContextQueryField bounds the customer group and the locale of a
// [ContextQuery], in bytes: longer values are refused rather than carried
// into every basket.
const MaxContextQueryField = 64

// NewContexts validates cs and builds the source. Each context must be
// valid apart from AsOf, which is set at every lookup; two contexts may
// not share both channel and location, and a location may have at most
// one context of a physical kind (it is what a location alone names).
func NewContexts(clk clock.Clock, cs ...channel.Context) (*Contexts, error) {
	if clk == nil {
		return nil, errors.New("httpapi: NewContexts needs a clock")
	}
	if len(cs) == 0 {
		return nil, errors.New("httpapi: NewContexts needs at least one context")
	}
	list := make([]channel.Context, len(cs))
	for i, c := range cs {
		c = c.Clone()
		check := c
		if check.AsOf.IsZero() {
			check.AsOf = time.Unix(0, 0).UTC() // AsOf comes from the clock
		}
		if err := check.Validate(); err != nil {
			return nil, fmt.Errorf("httpapi: context %d (%s at %q): %w", i, c.ChannelID, c.LocationID, err)
		}
		list[i] = c
	}
	slices.SortStableFunc(list, func(a, b channel.Context) int {
		if c := strings.Compare(a.ChannelID, b.ChannelID); c != 0 {
			return c
		}
		return strings.Compare(a.LocationID, b.LocationID)
	})
	for i := 1; i < len(list); i++ {
		if list[i].ChannelID == list[i-1].ChannelID && list[i].LocationID == list[i-1].LocationID {
			return nil, fmt.Errorf("httpapi: two contexts of channel %q at location %q", list[i].ChannelID, list[i].LocationID)
		}
	}
	for i, a := range list {
		for _, b := range list[i+1:] {
			if a.LocationID != "" && a.LocationID == b.LocationID && a.Kind.IsPhysical() && b.Kind.IsPhysical() {
				return nil, fmt.Errorf("httpapi: location %q has two physical channels, %q and %q", a.LocationID, a.ChannelID, b.ChannelID)
			}
		}
	}
	return &Contexts{clk: clk, list: list}, nil
}

// Context resolves q (see [Contexts] for the rules). Neither ID set is a
// [*RequestError] on channel_id; nothing found, or a location or channel
// that names several contexts, is an [*UnknownContextError] (matching
// [ErrUnknownContext]).
func (s *Contexts) Context(_ context.Context, q ContextQuery) (channel.Context, error) {
	switch {
	case q.ChannelID == "" && q.LocationID == "":
		return channel.Context{}, &RequestError{In: "body", Field: "channel_id", Reason: "or location_id must name where the basket is served"}
	case len(q.CustomerGroup) > MaxContextQueryField:
		return channel.Context{}, &RequestError{In: "body", Field: "customer_group", Reason: fmt.Sprintf("must be at most %d bytes", MaxContextQueryField)}
	case len(q.Locale) > MaxContextQueryField || !localeShaped(q.Locale):
		return channel.Context{}, &RequestError{In: "body", Field: "locale", Reason: `must be a BCP 47 language tag like "fr-FR"`}
	}
	c, n := s.find(q)
	if n != 1 {
		return channel.Context{}, &UnknownContextError{ChannelID: q.ChannelID, LocationID: q.LocationID, Ambiguous: n > 1}
	}
	c = c.Clone()
	if q.CustomerGroup != "" {
		c.CustomerGroup = q.CustomerGroup
	}
	if q.Locale != "" {
		c.Locale = q.Locale
	}
	c.AsOf = s.clk.Now()
	return c, nil
}

// find applies the lookup rules: it returns the context that answers q
// and how many do (the context is only meaningful when that is 1).
func (s *Contexts) find(q ContextQuery) (channel.Context, int) {
	var match []int
	for i, c := range s.list {
		if (q.LocationID == "" || c.LocationID == q.LocationID) && (q.ChannelID == "" || c.ChannelID == q.ChannelID) {
			match = append(match, i)
		}
	}
	if len(match) <= 1 || q.LocationID != "" && q.ChannelID != "" {
		if len(match) == 1 {
			return s.list[match[0]], 1
		}
		return channel.Context{}, len(match)
	}
	// Several: a location alone names its store, a channel alone its
	// context without a location.
	var pick []int
	for _, i := range match {
		if q.LocationID != "" && s.list[i].Kind.IsPhysical() || q.LocationID == "" && s.list[i].LocationID == "" {
			pick = append(pick, i)
		}
	}
	if len(pick) != 1 {
		return channel.Context{}, len(match)
	}
	return s.list[pick[0]], 1
}

// localeShaped reports whether s is empty or shaped like a BCP 47 tag:
// subtags of 1 to 8 letters or digits separated by hyphens, the first
// made of letters.
func localeShaped(s string) bool {
	if s == "" {
		return true
	}
	for i, sub := range strings.Split(s, "-") {
		if len(sub) == 0 || len(sub) > 8 {
			return false
		}
		for _, c := range sub {
			letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
			if !letter && (i == 0 || c < '0' || c > '9') {
				return false
			}
		}
	}
	return true
}

// UnknownContextError names the channel and location asked for (either
// may be empty, when it was not asked for) when no context answers them,
// or when several do (Ambiguous: a location served by several channels
// and none of them a store, or a channel with several locations and none
// without one), in which case the query needs the other ID too. It
// matches [ErrUnknownContext].
type UnknownContextError struct {
	ChannelID, LocationID string
	Ambiguous             bool
}

func (e *UnknownContextError) Error() string {
	switch {
	case e.Ambiguous && e.ChannelID == "":
		return fmt.Sprintf("httpapi: location %.64q is served by several channels; name the channel_id too", e.LocationID)
	case e.Ambiguous:
		return fmt.Sprintf("httpapi: channel %.64q serves several locations; name the location_id too", e.ChannelID)
	case e.ChannelID == "":
		return fmt.Sprintf("httpapi: no channel serves location %.64q", e.LocationID)
	case e.LocationID == "":
		return fmt.Sprintf("httpapi: no channel %.64q", e.ChannelID)
	}
	return fmt.Sprintf("httpapi: channel %.64q does not serve location %.64q", e.ChannelID, e.LocationID)
}

// Unwrap returns [ErrUnknownContext].
func (e *UnknownContextError) Unwrap() error { return ErrUnknownContext }
