package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// span is the part of stdouttrace's JSON the test reads.
type span struct {
	Name        string
	SpanContext struct{ TraceID, SpanID string }
	Parent      struct{ TraceID, SpanID string }
	Attributes  []struct {
		Key   string
		Value struct{ Value any }
	}
}

func (s span) attr(key string) any {
	for _, a := range s.Attributes {
		if a.Key == key {
			return a.Value.Value
		}
	}
	return nil
}

// metrics is the part of stdoutmetric's JSON the test reads.
type metrics struct {
	ScopeMetrics []struct {
		Scope   struct{ Name string }
		Metrics []struct {
			Name, Unit string
			Data       struct {
				DataPoints []struct {
					Attributes []struct {
						Key   string
						Value struct{ Value any }
					}
					Count *int
					Value *float64
				}
			}
		}
	}
}

// decode splits the program's stdout into its spans and its metrics.
func decode(t *testing.T, out []byte) ([]span, []metrics) {
	t.Helper()
	var spans []span
	var ms []metrics
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return spans, ms
		}
		require.NoError(t, err)
		var probe map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(raw, &probe))
		switch {
		case probe["SpanContext"] != nil:
			var s span
			require.NoError(t, json.Unmarshal(raw, &s))
			spans = append(spans, s)
		case probe["ScopeMetrics"] != nil:
			var m metrics
			require.NoError(t, json.Unmarshal(raw, &m))
			ms = append(ms, m)
		default:
			t.Fatalf("unexpected output %s", raw)
		}
	}
}

func TestJourneyExportsSpansAndMetrics(t *testing.T) {
	var out, logs bytes.Buffer
	require.NoError(t, run(&out, &logs, slog.LevelDebug))
	spans, ms := decode(t, out.Bytes())

	byID := map[string]span{}
	var commands []string
	for _, s := range spans {
		byID[s.SpanContext.SpanID] = s
		if s.Parent.SpanID == "0000000000000000" {
			commands = append(commands, s.Name)
			assert.Equal(t, "ok", s.attr("omnibasket.outcome"), s.Name)
			assert.Equal(t, "5b0c3c1e-4f57-4a39-9d4e-0c1f3a7d2b11", s.attr("omnibasket.basket.id"), s.Name)
		}
	}
	assert.Equal(t, []string{"basket.create", "basket.add-line", "basket.add-line", "basket.add-coupon", "basket.check-in", "basket.place-order"},
		commands, "a span per command, in order")
	children := map[string][]string{}
	for _, s := range spans {
		if p, ok := byID[s.Parent.SpanID]; ok {
			assert.Equal(t, p.SpanContext.TraceID, s.SpanContext.TraceID, "a child is in its parent's trace")
			children[p.Name] = append(children[p.Name], s.Name)
		}
	}
	assert.Subset(t, children["basket.check-in"], []string{"basket.store.get", "basket.snapshot", "basket.store.save"})
	assert.Subset(t, children["basket.snapshot"], []string{"basket.provider.prices", "basket.provider.promotions", "basket.provider.tax",
		"basket.provider.locations", "basket.provider.fees", "basket.provider.stock", "basket.provider.reservations"})
	for _, s := range spans {
		if s.Name == "basket.check-in" {
			assert.Equal(t, "store-lyon-bellecour", s.attr("omnibasket.channel.id"), "checked in: served in the store")
			assert.Equal(t, "associate", s.attr("omnibasket.actor.kind"))
		}
	}

	require.Len(t, ms, 1, "one export, at shutdown")
	names := map[string]int{}
	for _, sm := range ms[0].ScopeMetrics {
		assert.Equal(t, "github.com/omnibasket/omnibasket/basket", sm.Scope.Name)
		for _, m := range sm.Metrics {
			names[m.Name] = len(m.Data.DataPoints)
			if m.Name == "omnibasket.command.duration" {
				assert.Equal(t, "s", m.Unit)
				total := 0
				for _, dp := range m.Data.DataPoints {
					total += *dp.Count
				}
				assert.Equal(t, len(commands), total, "every command timed")
			}
		}
	}
	keys := make([]string, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	assert.Equal(t, []string{"omnibasket.command.duration", "omnibasket.provider.duration", "omnibasket.stock.movements"}, keys,
		"no retry, no provider error, no expiry in this journey: those instruments have nothing to export")

	assert.Equal(t, len(commands), strings.Count(logs.String(), "msg=\"basket: command\""), logs.String())
	assert.NotContains(t, logs.String()+out.String(), "cust-camille", "no customer ID in the log, the spans or the metrics")
}
