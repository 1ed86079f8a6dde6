package natsjs

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/omnibasket/omnibasket/adapters/postgres"
	"github.com/omnibasket/omnibasket/basket"
)

// Message headers the relay sets besides the payload.
const (
	// HeaderMsgID is JetStream's deduplication header; the relay sets it
	// to the event's identity ([EventID]).
	HeaderMsgID = "Nats-Msg-Id"
	// HeaderCursor holds the event's outbox cursor in its text form
	// ([postgres.Cursor.String]), for a consumer that wants to compare
	// with the outbox itself.
	HeaderCursor = "Omnibasket-Cursor"
)

// EventID returns the identity of an event, "<basket ID>:<seq>": the
// message ID the stream deduplicates on, and what a consumer recognises
// an event by.
func EventID(e basket.Event) string {
	return e.BasketID.String() + ":" + strconv.FormatInt(e.Seq, 10)
}

// Subject returns the subject the relay publishes e on under prefix (see
// the package doc): prefix, the location as one token ("-" when empty),
// the basket ID, and the event type.
func Subject(prefix string, e basket.Event) string {
	return prefix + "." + token(e.LocationID) + "." + e.BasketID.String() + "." + string(e.Type)
}

// token writes s as one subject token: bytes outside [A-Za-z0-9_-] as
// %XX, the empty string as "-", and "-" itself as "%2D" so that the two
// never meet.
func token(s string) string {
	switch s {
	case "":
		return "-"
	case "-":
		return "%2D"
	}
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// ValidPrefix reports whether prefix can be a relay's subject prefix: a
// literal subject such as omnibasket.acme, without empty tokens,
// wildcards or white space. Anything else is a *[basket.InputError]. A
// program that takes the prefix from its configuration calls it to refuse
// a bad one before starting anything, as omnibasketd does.
func ValidPrefix(prefix string) error {
	if prefix == "" {
		return &basket.InputError{Field: "prefix", Reason: "must not be empty"}
	}
	for t := range strings.SplitSeq(prefix, ".") {
		if t == "" || t == "*" || t == ">" || strings.ContainsAny(t, " \t\r\n") {
			return &basket.InputError{Field: "prefix", Reason: fmt.Sprintf("%q is not a literal subject", prefix)}
		}
	}
	return nil
}

// DecodeEvent reads a message payload the relay published (an event as
// JSON). Anything that is not an event with a basket ID, a positive Seq,
// a type and an actor is a *[basket.InputError] matching [basket.ErrInvalid]:
// a consumer never acts on a damaged or foreign message as if it were an
// event.
func DecodeEvent(data []byte) (basket.Event, error) {
	var e basket.Event
	if err := json.Unmarshal(data, &e); err != nil {
		return basket.Event{}, &basket.InputError{Field: "event", Reason: err.Error()}
	}
	switch {
	case e.BasketID == uuid.Nil:
		return basket.Event{}, &basket.InputError{Field: "event", Reason: "no basket ID"}
	case e.Seq < 1:
		return basket.Event{}, &basket.InputError{Field: "event", Reason: fmt.Sprintf("seq must be positive, got %d", e.Seq)}
	case e.Type == "":
		return basket.Event{}, &basket.InputError{Field: "event", Reason: "no type"}
	}
	// No actor, or one of an unknown kind, does not read back.
	var back basket.Actor
	data, err := json.Marshal(e.Actor)
	if err == nil {
		err = json.Unmarshal(data, &back)
	}
	if err != nil {
		return basket.Event{}, &basket.InputError{Field: "event", Reason: "no valid actor: " + err.Error()}
	}
	return e, nil
}

// decodeMessage reads a delivered message: its payload, and the headers
// the relay set, which must agree with it.
func decodeMessage(data []byte, msgID, cursor string) (basket.Event, postgres.Cursor, error) {
	e, err := DecodeEvent(data)
	if err != nil {
		return basket.Event{}, postgres.Cursor{}, err
	}
	if msgID != EventID(e) {
		return basket.Event{}, postgres.Cursor{}, &basket.InputError{Field: "event", Reason: fmt.Sprintf("message ID %q is not the event's %q", msgID, EventID(e))}
	}
	c, err := postgres.ParseCursor(cursor)
	if err != nil {
		return basket.Event{}, postgres.Cursor{}, err
	}
	return e, c, nil
}
