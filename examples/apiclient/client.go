package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// This file is the client: written from the OpenAPI document's shapes
// alone (GET /openapi.json), it imports nothing of omnibasket, as a
// client in any language would be.

// Money is the document's Money schema.
type Money struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

func (m Money) String() string { return m.Amount + " " + m.Currency }

// Basket holds the parts of the Basket schema this client reads.
type Basket struct {
	ID      string `json:"id"`
	Version int64  `json:"version"`
	Status  string `json:"status"`
	Context struct {
		ChannelID  string `json:"channel_id"`
		LocationID string `json:"location_id"`
	} `json:"context"`
	Lines []struct {
		ID       string `json:"id"`
		SKU      string `json:"sku"`
		Quantity int64  `json:"quantity"`
		Product  struct {
			Name string `json:"name"`
		} `json:"product"`
	} `json:"lines"`
	Result *struct {
		Totals struct {
			Total Money `json:"total"`
		} `json:"totals"`
		Changes []struct {
			Kind    string `json:"kind"`
			Message string `json:"message"`
		} `json:"changes"`
	} `json:"result"`
	Order *struct {
		Fulfilment []struct {
			ID         string `json:"id"`
			Mode       string `json:"mode"`
			LocationID string `json:"location_id"`
		} `json:"fulfilment"`
	} `json:"order"`
}

// Ticket is the document's Ticket schema.
type Ticket struct {
	Token     string `json:"token"`
	ShortCode string `json:"short_code"`
	ExpiresAt string `json:"expires_at"`
}

// Problem is an application/problem+json error (RFC 9457).
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Field  string `json:"field"`
}

func (p *Problem) Error() string { return fmt.Sprintf("%d %s: %s", p.Status, p.Type, p.Detail) }

// Client calls the API with one bearer token.
type Client struct {
	Base  string
	Token string
	HTTP  *http.Client
}

// do sends body as JSON and decodes the reply into out; the basket
// version, when known, makes the call conditional (If-Match), and key
// makes it safe to retry (Idempotency-Key).
func (c *Client) do(ctx context.Context, method, path string, body, out any, version int64, key string) error {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if version > 0 {
		req.Header.Set("If-Match", strconv.Quote(strconv.FormatInt(version, 10)))
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode >= 400 {
		p := &Problem{Status: res.StatusCode}
		if json.Unmarshal(data, p) != nil {
			p.Detail = string(data)
		}
		return p
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// CreateBasket is createBasket.
func (c *Client) CreateBasket(ctx context.Context, channelID, key string) (*Basket, error) {
	var b Basket
	return &b, c.do(ctx, "POST", "/v1/baskets", map[string]string{"channel_id": channelID}, &b, 0, key)
}

// AddLine is addLine, conditional on the version the client last saw.
func (c *Client) AddLine(ctx context.Context, b *Basket, sku string, qty int64, key string) (*Basket, error) {
	var out Basket
	return &out, c.do(ctx, "POST", "/v1/baskets/"+b.ID+"/lines", map[string]any{"sku": sku, "quantity": qty}, &out, b.Version, key)
}

// IssueTicket is issueCheckInTicket with a short code for one store.
func (c *Client) IssueTicket(ctx context.Context, b *Basket, location string) (*Ticket, error) {
	var t Ticket
	return &t, c.do(ctx, "POST", "/v1/baskets/"+b.ID+"/check-in-tickets",
		map[string]any{"location_id": location, "short_code": true, "ttl_seconds": 600}, &t, 0, "")
}

// CheckIn is checkIn with a typed short code.
func (c *Client) CheckIn(ctx context.Context, shortCode, key string) (*Basket, error) {
	var b Basket
	return &b, c.do(ctx, "POST", "/v1/check-ins", map[string]string{"short_code": shortCode, "method": "short-code"}, &b, 0, key)
}

// PlaceOrder is placeOrder.
func (c *Client) PlaceOrder(ctx context.Context, b *Basket, key string) (*Basket, error) {
	var out Basket
	return &out, c.do(ctx, "POST", "/v1/baskets/"+b.ID+"/order", nil, &out, b.Version, key)
}
