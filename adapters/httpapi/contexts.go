package httpapi

import (
	"context"

	"github.com/omnibasket/omnibasket/channel"
)

// ContextSource resolves where a basket is served into a full channel
// context, so that clients name a channel or a store and never assemble
// the context's fields themselves. The platform implements it from its
// own configuration; [Contexts] is a fixed list.
type ContextSource interface {
	// Context returns the context of q.LocationID when it is set (a
	// store), else of q.ChannelID, with the shopper's customer group and
	// locale from q when they are set. It fails with an error matching
	// [ErrUnknownContext] when there is no such channel or location.
	Context(ctx context.Context, q ContextQuery) (channel.Context, error)
}

// ContextQuery names where a basket is served.
type ContextQuery struct {
	ChannelID     string `json:"channel_id,omitempty"`
	LocationID    string `json:"location_id,omitempty"`
	CustomerGroup string `json:"customer_group,omitempty"`
	Locale        string `json:"locale,omitempty"`
}
