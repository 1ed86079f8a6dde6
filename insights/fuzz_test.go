package insights_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/insights"
)

// FuzzApply feeds the model any event after a basket's first two: it is
// applied or refused with an error matching basket.ErrInvalid, never a
// panic, and a refused event leaves every report as it was.
func FuzzApply(f *testing.F) {
	h := newHistory(f, "fuzz").created(hm(0, 9, 0), web).checkIn(hm(0, 10, 0), bellecour).
		priced(hm(0, 10, 1), []string{"MERCI5"}, notHonoured("WELCOME10")).checkOut(hm(0, 11, 0), web).
		arrived(hm(0, 12, 0), partDieu).ordered(hm(0, 12, 30)).mergedInto(hm(0, 13, 0), newHistory(f, "other").id)
	for _, e := range h.events {
		f.Add(string(e.Type), int64(3), []byte(e.Data))
	}
	f.Add(string(basket.EventRecontextualized), int64(3), []byte(`{"context":{"channel_id":"w","kind":"web"},"result":{"promotions":null}}`))
	f.Add(string(basket.EventCreated), int64(1), []byte(`{}`))
	f.Fuzz(func(t *testing.T, typ string, seq int64, data []byte) {
		m := insights.NewModel()
		feed(t, m, h.events[:2]...)
		before := week(t, m)
		e := basket.Event{BasketID: h.id, Seq: seq, Type: basket.EventType(typ), At: hm(0, 14, 0), ChannelID: "web", Data: json.RawMessage(data)}
		if err := m.Apply(e); err != nil {
			require.ErrorIs(t, err, basket.ErrInvalid)
			require.Equal(t, before, week(t, m))
			return
		}
		r := week(t, m)
		require.GreaterOrEqual(t, r.Total.Started, int64(1))
	})
}
