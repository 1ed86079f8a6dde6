package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
)

// The live stream's timings.
const (
	// HeartbeatEvery is how often a quiet stream sends a comment line, so
	// that proxies and load balancers that close idle connections (often
	// after 30 to 60 s) keep it open.
	HeartbeatEvery = 15 * time.Second
	// StreamRetry is the reconnection delay the stream asks EventSource
	// clients to wait after it ends.
	StreamRetry = 2 * time.Second
	// StreamWriteTimeout bounds each write to a stream: a client that
	// takes longer than this to accept a message (it stopped reading, or
	// its network did) is cut off, so that a slow client holds a
	// goroutine and a socket buffer for at most this long, never a queue.
	StreamWriteTimeout = 10 * time.Second
)

// streamFlushBytes is how much of a catch-up (a long history sent on
// connect) is written at a time.
const streamFlushBytes = 32 << 10

const streamDoc = "A [Server-Sent Events](https://html.spec.whatwg.org/multipage/server-sent-events.html) stream of the " +
	"basket's changes, so that a tablet sees within a second what the shopper did on the phone.\n\n" +
	"Each event of the history is one message: `id` is its `seq`, `event` its type (`basket.line_added`, …) and " +
	"`data` the event as `listBasketEvents` returns it, on one line. After each batch of events comes one message " +
	"`event: basket` without an `id`, whose data is the basket as `getBasket` returns it, at the version of the last " +
	"event sent: a page that only re-renders listens to that one. The first batch (on connect) is the history after " +
	"`Last-Event-ID`, or the whole history, followed by the basket.\n\n" +
	"To resume, send the last `id` seen as the `Last-Event-ID` header (browsers' EventSource does so when it " +
	"reconnects) or, for clients that cannot set headers on the first request, as `last_event_id`; the header wins " +
	"when both are sent. An ID past the basket's last event is a 400.\n\n" +
	"The stream sends a comment line every %d s when quiet, suggests a reconnection delay (`retry`), and ends when " +
	"the client goes away, when a message cannot be written within %d s, or when the basket is no longer visible " +
	"to the caller (an associate's grant expired); reconnecting then gets the 404. Reads go through the same " +
	"permission checks as `getBasket`, so a basket the caller may not see is a 404 before the stream starts.\n\n" +
	"Browsers' EventSource cannot send an Authorization header: pages read the stream with fetch() and a " +
	"streaming body reader, or the platform's Authenticator accepts a cookie."

// streamRoutes are the live updates.
func (a *API) streamRoutes() []route {
	timing := streamTiming{heartbeat: HeartbeatEvery, poll: a.opts.PollEvery, write: StreamWriteTimeout, retry: StreamRetry}
	return []route{
		{method: "GET", path: "/v1/baskets/{basket_id}/events/stream", id: "streamBasketEvents", tag: "live",
			summary: "Follow a basket's changes live (Server-Sent Events)",
			doc:     fmt.Sprintf(streamDoc, HeartbeatEvery/time.Second, StreamWriteTimeout/time.Second),
			query: []param{
				{name: "last_event_id", kind: "integer", doc: "The last event `id` (seq) seen, for clients that cannot send the `Last-Event-ID` header."},
			},
			stream: true,
			serve:  func(x *exchange) (any, error) { return nil, a.streamEvents(x, timing) }},
	}
}

// streamTiming are the periods of a stream (constants in production,
// short in tests).
type streamTiming struct {
	heartbeat time.Duration // quiet time before a comment line
	poll      time.Duration // safety-net read period
	write     time.Duration // deadline of each write
	retry     time.Duration // the retry hint
}

// streamEvents serves the stream. An error returned before the first
// write becomes a problem; once the stream has started, every ending is
// a return of nil (the client sees the connection close).
//
// The stream holds no queue: a notification only makes it read the
// history again, from the last seq it sent, so however many changes a
// slow client misses, the stream's memory is one read.
func (a *API) streamEvents(x *exchange, t streamTiming) error {
	id, err := x.basketID()
	if err != nil {
		return err
	}
	last, from, err := lastEventID(x.r)
	if err != nil {
		return err
	}
	ctx := x.ctx()
	// Subscribe before the first read: a change committed between that
	// read and a later subscription would go unnoticed until the poll.
	var changed <-chan struct{}
	if a.opts.Feed != nil {
		ch, cancel := a.opts.Feed.Subscribe(id)
		defer cancel()
		changed = ch
	}
	b, events, err := a.streamRead(ctx, x.actor, id, last)
	if err != nil {
		return err
	}
	if last > b.Version {
		return &RequestError{In: from.in, Field: from.field, Reason: "is past the basket's last event, " + strconv.FormatInt(b.Version, 10)}
	}

	h := x.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	x.w.WriteHeader(http.StatusOK)
	out := &sseWriter{w: x.w, rc: http.NewResponseController(x.w), timeout: t.write}
	// The end of the response (the last chunk) is a write too: bound it
	// from the moment the stream ends, not from its last message.
	defer func() { _ = out.rc.SetWriteDeadline(time.Now().Add(t.write)) }()
	out.retry(t.retry)
	if last, err = out.batch(b, events, last); err == nil {
		err = out.flush()
	}
	if err != nil {
		a.streamEnded(ctx, x, err)
		return nil
	}

	poll := time.NewTicker(t.poll)
	defer poll.Stop()
	heartbeat := time.NewTicker(t.heartbeat)
	defer heartbeat.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-heartbeat.C:
			out.comment("heartbeat")
			if err := out.flush(); err != nil {
				a.streamEnded(ctx, x, err)
				return nil
			}
			continue
		case <-changed:
		case <-poll.C:
		}
		b, events, err := a.streamRead(ctx, x.actor, id, last)
		if err != nil {
			a.streamEnded(ctx, x, err)
			return nil
		}
		if b.Version <= last {
			continue
		}
		if last, err = out.batch(b, events, last); err == nil {
			err = out.flush()
		}
		if err != nil {
			a.streamEnded(ctx, x, err)
			return nil
		}
		heartbeat.Reset(t.heartbeat)
	}
}

// streamRead reads the basket, then its history, through the Service's
// permission checks. The basket is read first so that it is never behind
// the events: the stream sends the events up to its version, and those
// committed in between on the next round. Only the events after the last
// one sent are read.
func (a *API) streamRead(ctx context.Context, actor basket.Actor, id uuid.UUID, after int64) (*basket.Basket, []basket.Event, error) {
	b, err := a.opts.Service.Get(ctx, actor, id)
	if err != nil {
		return nil, nil, err
	}
	events, err := a.opts.Service.HistoryAfter(ctx, actor, id, min(after, b.Version))
	if err != nil {
		return nil, nil, err
	}
	return b, events, nil
}

// streamEnded logs why a started stream ended, unless it is the ordinary
// ending: the client left, or the basket went out of the caller's sight.
func (a *API) streamEnded(ctx context.Context, x *exchange, err error) {
	if ctx.Err() != nil || errors.Is(err, basket.ErrNotFound) {
		return
	}
	level := slog.LevelWarn
	if errors.Is(err, http.ErrNotSupported) {
		level = slog.LevelError // the server cannot stream at all
	}
	a.log.LogAttrs(ctx, level, "live stream ended", slog.String("path", x.r.URL.Path), slog.Any("error", err))
}

// idSource names the request part a Last-Event-ID came from.
type idSource struct{ in, field string }

// lastEventID reads the last event seq the client has seen (0: none) from
// the Last-Event-ID header, else from the last_event_id query parameter;
// empty is absent. The header wins: a browser that opened the stream with the parameter
// keeps it in the URL when it reconnects, with the newer ID in the header.
func lastEventID(r *http.Request) (int64, idSource, error) {
	switch vs := r.Header.Values("Last-Event-ID"); {
	case len(vs) > 1:
		return 0, idSource{"header", "Last-Event-ID"}, &RequestError{In: "header", Field: "Last-Event-ID", Reason: "must be sent once"}
	case len(vs) == 1 && vs[0] != "":
		from := idSource{"header", "Last-Event-ID"}
		n, err := parseEventID(vs[0], from)
		return n, from, err
	}
	from := idSource{"query", "last_event_id"}
	q := r.URL.Query()
	if !q.Has(from.field) {
		return 0, from, nil
	}
	if len(q[from.field]) > 1 {
		return 0, from, &RequestError{In: from.in, Field: from.field, Reason: "must be sent once"}
	}
	n, err := parseEventID(q.Get(from.field), from)
	return n, from, err
}

// parseEventID reads an event ID as the stream writes it: a seq in
// decimal digits. Empty means none (EventSource sends what it was given).
func parseEventID(s string, from idSource) (int64, error) {
	if s == "" {
		return 0, nil
	}
	bad := &RequestError{In: from.in, Field: from.field, Reason: "must be the id of an event of the stream, a whole number from 0"}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, bad
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, bad
	}
	return n, nil
}

// sseWriter writes Server-Sent Events messages, each write bounded by a
// deadline.
type sseWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	buf     bytes.Buffer
}

// batch buffers the events after last up to b's version, then b, and
// returns the new last seq. It flushes on the way when a long catch-up
// fills the buffer.
func (s *sseWriter) batch(b *basket.Basket, events []basket.Event, last int64) (int64, error) {
	for _, e := range events {
		if e.Seq <= last || e.Seq > b.Version {
			continue
		}
		if err := s.message(strconv.FormatInt(e.Seq, 10), string(e.Type), e); err != nil {
			return last, err
		}
		last = e.Seq
		if s.buf.Len() >= streamFlushBytes {
			if err := s.flush(); err != nil {
				return last, err
			}
		}
	}
	return last, s.message("", "basket", b)
}

// message buffers one message. JSON from encoding/json never holds a
// raw line break (they are escaped in strings), so the data is one line.
func (s *sseWriter) message(id, event string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if id != "" {
		s.buf.WriteString("id: " + id + "\n")
	}
	s.buf.WriteString("event: " + event + "\ndata: ")
	s.buf.Write(data)
	s.buf.WriteString("\n\n")
	return nil
}

func (s *sseWriter) retry(d time.Duration) {
	s.buf.WriteString("retry: " + strconv.FormatInt(d.Milliseconds(), 10) + "\n\n")
}

func (s *sseWriter) comment(text string) { s.buf.WriteString(": " + text + "\n\n") }

// flush writes what is buffered and flushes it to the client, within the
// write timeout.
func (s *sseWriter) flush() error {
	if err := s.rc.SetWriteDeadline(time.Now().Add(s.timeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	_, err := s.w.Write(s.buf.Bytes())
	s.buf.Reset()
	if err != nil {
		return err
	}
	return s.rc.Flush()
}
