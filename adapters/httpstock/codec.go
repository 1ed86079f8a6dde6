package httpstock

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/omnibasket/omnibasket/stock"
)

// Request is the JSON body the default request builder sends: the SKUs and
// the locations of the query, each sorted and without duplicates.
type Request struct {
	// SKUs are the SKUs asked for.
	SKUs []string `json:"skus"`
	// Locations are the location IDs asked for.
	Locations []string `json:"locations"`
}

// Response is the JSON body of a 200 answer: the levels the endpoint knows
// among the pairs asked for.
type Response struct {
	// Levels are the known levels; a pair not listed is unknown.
	Levels []WireLevel `json:"levels"`
}

// WireLevel is one level in a [Response].
type WireLevel struct {
	// SKU names the product; required.
	SKU string `json:"sku"`
	// Location is the location ID; required.
	Location string `json:"location"`
	// OnHand is the physical count, required, at least 0.
	OnHand int64 `json:"on_hand"`
	// Reserved is the part held by reservations, at least 0; optional.
	Reserved int64 `json:"reserved,omitempty"`
	// NextArrival is when more units are announced; optional.
	NextArrival time.Time `json:"next_arrival,omitzero"`
}

// NewResponse builds the answer a server sends for levels (nil gives an
// empty "levels" array, never null).
func NewResponse(levels []stock.Level) Response {
	r := Response{Levels: make([]WireLevel, len(levels))}
	for i, l := range levels {
		r.Levels[i] = WireLevel{SKU: l.SKU, Location: l.LocationID, OnHand: l.OnHand, Reserved: l.Reserved, NextArrival: l.NextArrival}
	}
	return r
}

// RequestBuilder builds the HTTP request of one attempt for a query whose
// SKUs and locations are sorted, distinct and non-empty. It is called again
// for every retry, so the request body must be fresh each time. The request
// must carry ctx.
type RequestBuilder func(ctx context.Context, endpoint string, q stock.Query) (*http.Request, error)

// ResponseDecoder turns the body of a 2xx answer into levels. It may
// return levels for pairs that were not asked for (they are dropped) but
// never the same pair twice. Returning an error makes the answer
// malformed ([ErrMalformed]); the body is at most
// [Options.MaxResponseBytes] long.
type ResponseDecoder func(body []byte, q stock.Query) ([]stock.Level, error)

// BuildJSONRequest is the default [RequestBuilder]: a POST of a [Request]
// as JSON to endpoint.
func BuildJSONRequest(ctx context.Context, endpoint string, q stock.Query) (*http.Request, error) {
	body, err := json.Marshal(Request{SKUs: q.SKUs, Locations: q.Locations})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// wireIn is a WireLevel as decoded: OnHand is a pointer so that a missing
// count is told apart from 0.
type wireIn struct {
	SKU         string    `json:"sku"`
	Location    string    `json:"location"`
	OnHand      *int64    `json:"on_hand"`
	Reserved    int64     `json:"reserved"`
	NextArrival time.Time `json:"next_arrival"`
}

// DecodeResponse is the default [ResponseDecoder]: it reads a [Response]
// as documented in the package, strictly. The query is not used. Every
// error matches [ErrMalformed]; on success the levels are valid for
// stock.NewLevels (non-empty IDs, no negative count, no pair twice).
func DecodeResponse(body []byte, _ stock.Query) ([]stock.Level, error) {
	var in struct {
		Levels *[]wireIn `json:"levels"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if in.Levels == nil {
		return nil, malformed(`the "levels" array is missing`)
	}
	type pair struct{ sku, loc string }
	seen := make(map[pair]int, len(*in.Levels))
	out := make([]stock.Level, len(*in.Levels))
	for i, w := range *in.Levels {
		switch {
		case w.SKU == "":
			return nil, malformed("levels[%d].sku: missing or empty", i)
		case w.Location == "":
			return nil, malformed("levels[%d].location: missing or empty", i)
		case w.OnHand == nil:
			return nil, malformed("levels[%d].on_hand: missing", i)
		case *w.OnHand < 0:
			return nil, malformed("levels[%d].on_hand: negative (%d)", i, *w.OnHand)
		case w.Reserved < 0:
			return nil, malformed("levels[%d].reserved: negative (%d)", i, w.Reserved)
		}
		p := pair{w.SKU, w.Location}
		if j, dup := seen[p]; dup {
			return nil, malformed("levels[%d]: %s at %s is already levels[%d]", i, w.SKU, w.Location, j)
		}
		seen[p] = i
		out[i] = stock.Level{SKU: w.SKU, LocationID: w.Location, OnHand: *w.OnHand, Reserved: w.Reserved, NextArrival: w.NextArrival}
	}
	return out, nil
}
