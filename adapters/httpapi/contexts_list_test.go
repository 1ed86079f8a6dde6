package httpapi

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

// demoContexts are the demo retailer's channels: the web shop, its click
// & collect at Bellecour, and the two stores' tablets.
func demoContexts() []channel.Context {
	at := demo.Start()
	return []channel.Context{demo.Web(at), demo.WebCollect(demo.Bellecour, at), demo.Store(demo.Bellecour, at), demo.Store(demo.PartDieu, at)}
}

func TestContextsResolve(t *testing.T) {
	clk := clock.NewFake(demo.Start())
	src, err := NewContexts(clk, demoContexts()...)
	require.NoError(t, err)
	clk.Advance(95 * time.Minute)
	now := clk.Now()

	for _, c := range []struct {
		name string
		q    ContextQuery
		want channel.Context
	}{
		{"the web shop by its channel", ContextQuery{ChannelID: "web"}, demo.Web(now)},
		{"a store by its location", ContextQuery{LocationID: demo.Bellecour}, demo.Store(demo.Bellecour, now)},
		{"the other store", ContextQuery{LocationID: demo.PartDieu}, demo.Store(demo.PartDieu, now)},
		{"a store by its channel", ContextQuery{ChannelID: "store-" + demo.Bellecour}, demo.Store(demo.Bellecour, now)},
		{"a store by both", ContextQuery{ChannelID: "store-" + demo.PartDieu, LocationID: demo.PartDieu}, demo.Store(demo.PartDieu, now)},
		{"click & collect: the web at a store", ContextQuery{ChannelID: "web", LocationID: demo.Bellecour}, demo.WebCollect(demo.Bellecour, now)},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := src.Context(context.Background(), c.q)
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
			assert.NoError(t, got.Validate())
		})
	}
}

func TestContextsApplyTheShoppersGroupAndLocale(t *testing.T) {
	clk := clock.NewFake(demo.Start())
	src, err := NewContexts(clk, demoContexts()...)
	require.NoError(t, err)

	got, err := src.Context(context.Background(), ContextQuery{LocationID: demo.Bellecour, CustomerGroup: "members", Locale: "en-GB"})
	require.NoError(t, err)
	want := demo.Store(demo.Bellecour, clk.Now())
	want.CustomerGroup, want.Locale = "members", "en-GB"
	assert.Equal(t, want, got)

	got, err = src.Context(context.Background(), ContextQuery{LocationID: demo.Bellecour})
	require.NoError(t, err)
	assert.Equal(t, "", got.CustomerGroup, "a group asked for once does not stick")
	assert.Equal(t, "fr-FR", got.Locale, "the channel's locale when none is asked for")
}

func TestContextsReturnCopies(t *testing.T) {
	src, err := NewContexts(clock.NewFake(demo.Start()), demoContexts()...)
	require.NoError(t, err)
	got, err := src.Context(context.Background(), ContextQuery{ChannelID: "web"})
	require.NoError(t, err)
	got.PriceLists[0] = "staff"
	got.StockSources[0] = "nowhere"
	again, err := src.Context(context.Background(), ContextQuery{ChannelID: "web"})
	require.NoError(t, err)
	assert.Equal(t, demo.Web(demo.Start()), again)

	cs := demoContexts()
	src, err = NewContexts(clock.NewFake(demo.Start()), cs...)
	require.NoError(t, err)
	cs[0].PriceLists[0] = "staff"
	again, err = src.Context(context.Background(), ContextQuery{ChannelID: "web"})
	require.NoError(t, err)
	assert.Equal(t, []string{"web"}, again.PriceLists, "the source keeps its own copy of its configuration")
}

func TestContextsUnknown(t *testing.T) {
	src, err := NewContexts(clock.NewFake(demo.Start()), demoContexts()...)
	require.NoError(t, err)
	for _, c := range []struct {
		name  string
		q     ContextQuery
		field string
		says  string
	}{
		{"unknown location", ContextQuery{LocationID: "paris-rivoli"}, "location_id", `"paris-rivoli"`},
		{"unknown channel", ContextQuery{ChannelID: "app"}, "channel_id", `"app"`},
		{"a channel not at that store", ContextQuery{ChannelID: "web", LocationID: demo.PartDieu}, "location_id", `"web" does not serve location "lyon-part-dieu"`},
		{"a store's channel at another store", ContextQuery{ChannelID: "store-" + demo.Bellecour, LocationID: demo.PartDieu}, "location_id", `"store-lyon-bellecour"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := src.Context(context.Background(), c.q)
			require.ErrorIs(t, err, ErrUnknownContext)
			assert.Contains(t, err.Error(), c.says)
			p := problemFor(err)
			assert.Equal(t, 422, p.Status)
			assert.Equal(t, "unknown-context", p.Kind)
			assert.Equal(t, c.field, p.Field)
		})
	}

	_, err = src.Context(context.Background(), ContextQuery{})
	var req *RequestError
	require.ErrorAs(t, err, &req)
	assert.Equal(t, "channel_id", req.Field)
	assert.Equal(t, 400, problemFor(err).Status)
}

func TestContextsAmbiguity(t *testing.T) {
	at := demo.Start()
	// Click & collect at both stores, no store channel, no plain web shop.
	src, err := NewContexts(clock.NewFake(at), demo.WebCollect(demo.Bellecour, at), demo.WebCollect(demo.PartDieu, at),
		func() channel.Context { c := demo.Web(at); c.ChannelID, c.LocationID = "app", demo.Bellecour; return c }())
	require.NoError(t, err)

	got, err := src.Context(context.Background(), ContextQuery{ChannelID: "web", LocationID: demo.PartDieu})
	require.NoError(t, err)
	assert.Equal(t, demo.WebCollect(demo.PartDieu, at), got)
	got, err = src.Context(context.Background(), ContextQuery{LocationID: demo.PartDieu})
	require.NoError(t, err, "the only context at a location")
	assert.Equal(t, demo.WebCollect(demo.PartDieu, at), got)

	_, err = src.Context(context.Background(), ContextQuery{ChannelID: "web"})
	var unknown *UnknownContextError
	require.ErrorAs(t, err, &unknown)
	assert.True(t, unknown.Ambiguous)
	assert.Equal(t, "location_id", problemFor(err).Field, "the channel needs a location")

	_, err = src.Context(context.Background(), ContextQuery{LocationID: demo.Bellecour})
	require.ErrorAs(t, err, &unknown)
	assert.True(t, unknown.Ambiguous)
	assert.Equal(t, "channel_id", problemFor(err).Field, "the location needs a channel")
	assert.Contains(t, err.Error(), "several channels")
}

func TestContextsRefuseHostileQueries(t *testing.T) {
	src, err := NewContexts(clock.NewFake(demo.Start()), demoContexts()...)
	require.NoError(t, err)
	for name, q := range map[string]ContextQuery{
		"long group":      {ChannelID: "web", CustomerGroup: strings.Repeat("g", MaxContextQueryField+1)},
		"long locale":     {ChannelID: "web", Locale: "fr-" + strings.Repeat("a", MaxContextQueryField)},
		"locale of junk":  {ChannelID: "web", Locale: "fr_FR; drop"},
		"empty subtag":    {ChannelID: "web", Locale: "fr--FR"},
		"digit language":  {ChannelID: "web", Locale: "1r-FR"},
		"subtag too long": {ChannelID: "web", Locale: "fr-abcdefghi"},
	} {
		_, err := src.Context(context.Background(), q)
		var req *RequestError
		require.ErrorAs(t, err, &req, name)
		assert.Contains(t, []string{"customer_group", "locale"}, req.Field, name)
	}
	for _, locale := range []string{"fr", "fr-FR", "zh-Hant-TW", "es-419", "de-CH-1996"} {
		got, err := src.Context(context.Background(), ContextQuery{ChannelID: "web", Locale: locale})
		require.NoError(t, err, locale)
		assert.Equal(t, locale, got.Locale)
	}
}

func TestNewContextsRefusesBadConfiguration(t *testing.T) {
	at := demo.Start()
	clk := clock.NewFake(at)
	kiosk := demo.Store(demo.Bellecour, at)
	kiosk.ChannelID, kiosk.Kind = "kiosk-"+demo.Bellecour, channel.Kiosk
	noTax := demo.Web(at)
	noTax.TaxZone = ""

	for name, c := range map[string]struct {
		clk clock.Clock
		cs  []channel.Context
	}{
		"no clock":                              {nil, demoContexts()},
		"no context":                            {clk, nil},
		"an invalid context":                    {clk, []channel.Context{noTax}},
		"the same channel and location":         {clk, []channel.Context{demo.Web(at), demo.Web(at.Add(time.Hour))}},
		"two physical channels at one location": {clk, []channel.Context{demo.Store(demo.Bellecour, at), kiosk}},
	} {
		_, err := NewContexts(c.clk, c.cs...)
		assert.Error(t, err, name)
	}
	_, err := NewContexts(clk, noTax)
	var fe *channel.FieldError
	require.ErrorAs(t, err, &fe, "the context's own error says which field")
	assert.Equal(t, "TaxZone", fe.Field)

	web := demo.Web(at)
	web.AsOf = time.Time{}
	src, err := NewContexts(clk, web)
	require.NoError(t, err, "AsOf comes from the clock: configuration may leave it out")
	got, err := src.Context(context.Background(), ContextQuery{ChannelID: "web"})
	require.NoError(t, err)
	assert.Equal(t, at, got.AsOf)
}

// TestContextsIgnoreConfigurationOrder: the answers do not depend on the
// order the contexts were listed in.
func TestContextsIgnoreConfigurationOrder(t *testing.T) {
	at := demo.Start()
	queries := []ContextQuery{
		{ChannelID: "web"}, {LocationID: demo.Bellecour}, {LocationID: demo.PartDieu}, {ChannelID: "web", LocationID: demo.Bellecour},
		{ChannelID: "store-" + demo.PartDieu}, {ChannelID: "web", LocationID: demo.PartDieu}, {LocationID: demo.Warehouse},
	}
	ref, err := NewContexts(clock.NewFake(at), demoContexts()...)
	require.NoError(t, err)
	rapid.Check(t, func(t *rapid.T) {
		cs := rapid.Permutation(demoContexts()).Draw(t, "order")
		src, err := NewContexts(clock.NewFake(at), cs...)
		require.NoError(t, err)
		for _, q := range queries {
			want, wantErr := ref.Context(context.Background(), q)
			got, gotErr := src.Context(context.Background(), q)
			assert.Equal(t, want, got, "%+v", q)
			assert.Equal(t, wantErr, gotErr, "%+v", q)
		}
	})
}
