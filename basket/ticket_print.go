package basket

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/internal/redact"
)

// How the check-in credentials print and log: a [Ticket] (what the
// shopper's phone shows) and a [CheckInRequest] (what the associate's
// tablet sends back) hold a check-in token or a short code, each a bearer
// credential: whoever holds one before it is redeemed can take the basket
// into a store. So under every fmt verb, in [slog] (JSON and text
// handlers) and, for a CheckInRequest, in JSON, they show the other fields
// in full and each credential as "[redacted N bytes]": its length (which
// says which of token and short code is set, and that a token was not
// truncated) and nothing of its content. Not even a prefix: the first
// characters of a token are its fixed header (version, purpose, key ID),
// the same for every token, so they would not tell two tickets apart, and
// the first characters of a nine-character short code would give away a
// third of it.
//
// As with any type, fmt cannot call these methods when it reaches a Ticket
// or a CheckInRequest through an unexported field of another struct, and
// then prints its strings: keep them in exported fields, or log them
// directly.

// redactedCredential is what a printed token or short code shows: "" when
// it is empty (nothing to hide, and it tells which one was sent),
// otherwise "[redacted N bytes]".
func redactedCredential(s string) string {
	if s == "" {
		return ""
	}
	return "[redacted " + strconv.Itoa(len(s)) + " bytes]"
}

// quotedCredential is redactedCredential as a field of String: quoted when
// empty, so that an empty credential reads as "".
func quotedCredential(s string) string {
	if s == "" {
		return `""`
	}
	return redactedCredential(s)
}

// String describes the ticket with its token and short code redacted:
// basket.Ticket{Token: [redacted 112 bytes], ShortCode: "", ExpiresAt: 2026-11-23T09:05:00Z}.
//
// String, GoString, Format and LogValue redact; JSON does not: a Ticket's
// JSON ({"token":…,"short_code":…,"expires_at":…}) is the payload sent to
// the shopper's phone, so it carries the real token and short code. Do not
// log a Ticket's JSON; log the Ticket.
func (t Ticket) String() string {
	return "basket.Ticket{Token: " + quotedCredential(t.Token) + ", ShortCode: " + quotedCredential(t.ShortCode) +
		", ExpiresAt: " + t.ExpiresAt.Format(time.RFC3339) + "}"
}

// GoString is like String, for the %#v verb.
func (t Ticket) GoString() string { return t.String() }

// Format implements [fmt.Formatter]: every verb (%v, %+v, %s, %x, %d, …)
// prints [Ticket.String], quoted for %q, so that none shows the token or
// the short code. JSON is not redacted: see [Ticket.String].
func (t Ticket) Format(f fmt.State, verb rune) { redact.Format(f, verb, t.String(), t.GoString()) }

// LogValue implements [slog.LogValuer]: a group holding token, short_code
// (when set) and expires_at, the credentials redacted. A Ticket logged with
// slog's JSON handler is redacted too, unlike json.Marshal of a Ticket (the
// payload for the phone: see [Ticket.String]).
func (t Ticket) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, 3)
	attrs = append(attrs, slog.String("token", redactedCredential(t.Token)))
	if t.ShortCode != "" {
		attrs = append(attrs, slog.String("short_code", redactedCredential(t.ShortCode)))
	}
	attrs = append(attrs, slog.Time("expires_at", t.ExpiresAt))
	return slog.GroupValue(attrs...)
}

// String describes the request with its token and short code redacted, and
// its target by channel and location: basket.CheckInRequest{Token:
// [redacted 112 bytes], ShortCode: "", Method: "qr", Target:
// {ChannelID: "store-lyon-bellecour", LocationID: "lyon-bellecour"}}.
func (r CheckInRequest) String() string {
	return fmt.Sprintf("basket.CheckInRequest{Token: %s, ShortCode: %s, Method: %q, Target: {ChannelID: %q, LocationID: %q}}",
		quotedCredential(r.Token), quotedCredential(r.ShortCode), r.Method, r.Target.ChannelID, r.Target.LocationID)
}

// GoString is like String, for the %#v verb.
func (r CheckInRequest) GoString() string { return r.String() }

// Format implements [fmt.Formatter]: every verb (%v, %+v, %s, %x, %d, …)
// prints [CheckInRequest.String], quoted for %q, so that none shows the
// token or the short code.
func (r CheckInRequest) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, r.String(), r.GoString())
}

// MarshalJSON implements [encoding/json.Marshaler] for output (logs, error
// reports, debugging dumps): the fields under their Go names, as
// encoding/json would write them, with Token and ShortCode redacted and the
// whole Target: {"Token":"[redacted 112 bytes]","ShortCode":"","Method":"qr","Target":{…}}.
// A CheckInRequest is an input, received, never sent on: decoding is not
// affected (json.Unmarshal still reads Token and ShortCode), and a client
// that sends one over the wire encodes its own request type.
func (r CheckInRequest) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Token     string
		ShortCode string
		Method    string
		Target    channel.Context
	}{redactedCredential(r.Token), redactedCredential(r.ShortCode), r.Method, r.Target})
}

// LogValue implements [slog.LogValuer]: a group holding token and
// short_code (redacted; "" for the one not sent), method, and the target's
// channel and location.
func (r CheckInRequest) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("token", redactedCredential(r.Token)),
		slog.String("short_code", redactedCredential(r.ShortCode)),
		slog.String("method", r.Method),
		slog.String("channel", r.Target.ChannelID),
		slog.String("location", r.Target.LocationID),
	)
}
