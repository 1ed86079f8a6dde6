package httpapi

import (
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
)

// contextRoutes let a client see the context a channel or store resolves
// to: the currency, price lists and fulfilment modes it will be served
// with, before it opens or moves a basket there.
func (a *API) contextRoutes() []route {
	return []route{
		{method: "GET", path: "/v1/contexts", id: "resolveContext", tag: "baskets",
			summary: "Resolve a channel or store into its context",
			doc: "The channel context the server serves a channel (channel_id), a store (location_id), or click & collect " +
				"at a store (both) in, as of now: currency, country, price lists, tax zone, stock sources, fulfilment modes.",
			query: []param{
				{name: "channel_id", kind: "string", doc: "The channel: web, app, a store's channel …"},
				{name: "location_id", kind: "string", doc: "The store."},
				{name: "locale", kind: "string", doc: "The shopper's language, e.g. fr-FR."},
			},
			reply: &channel.Context{},
			serve: func(x *exchange) (any, error) {
				q := x.r.URL.Query()
				if q.Get("channel_id") == "" && q.Get("location_id") == "" && x.actor.Kind != basket.Associate {
					return nil, &RequestError{In: "query", Field: "channel_id", Reason: "or location_id must name a channel or a store"}
				}
				return a.resolve(x, ContextQuery{ChannelID: q.Get("channel_id"), LocationID: q.Get("location_id"), Locale: q.Get("locale")})
			}},
	}
}
