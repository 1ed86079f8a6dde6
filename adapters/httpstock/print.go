package httpstock

import (
	"encoding/json"
	"fmt"
	"log/slog"
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
func (c *Client) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = fmt.Fprint(f, c.GoString())
	case verb == 'q':
		_, _ = fmt.Fprintf(f, fmt.FormatString(f, 'q'), c.String())
	default:
		_, _ = fmt.Fprintf(f, fmt.FormatString(f, 's'), c.String())
	}
}

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
