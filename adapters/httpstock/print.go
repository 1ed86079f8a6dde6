package httpstock

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/omnibasket/omnibasket/internal/redact"
)

// String describes the client by its endpoint, with any password redacted:
// httpstock.Client{Endpoint: "https://user:xxxxx@erp.example/stock"}.
func (c *Client) String() string {
	if c == nil {
		return "httpstock.Client(nil)"
	}
	return fmt.Sprintf("httpstock.Client{Endpoint: %q}", c.redacted)
}

// GoString is like String, for the %#v verb.
func (c *Client) GoString() string { return c.String() }

// Format implements [fmt.Formatter]: every verb, %+v, %#v, %x and %d
// included, prints [Client.String] (quoted for %q), so that no verb
// reaches the endpoint's password.
func (c *Client) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String(), c.GoString()) }

// MarshalJSON implements [encoding/json.Marshaler]:
// {"Endpoint":"https://user:xxxxx@erp.example/stock"}.
func (c *Client) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct{ Endpoint string }{c.redacted})
}

// LogValue implements [slog.LogValuer]: a group holding the redacted
// endpoint.
func (c *Client) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue(c.String())
	}
	return slog.GroupValue(slog.String("endpoint", c.redacted))
}
