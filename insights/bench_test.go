package insights_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/insights"
)

// benchEvents is a week of n web-to-store journeys of 7 events each.
func benchEvents(b *testing.B, n int) []basket.Event {
	var events []basket.Event
	for i := range n {
		at := monday.Add(time.Duration(i%(7*24*60)) * time.Minute)
		h := newHistory(b, fmt.Sprint("bench-", i)).created(at, web).line(at, "MUG-STONE").
			priced(at, []string{"WEB-LIGHT-5"}, honoured("WELCOME10")).checkIn(at.Add(time.Hour), bellecour).
			priced(at.Add(time.Hour), []string{"CANDLES-3FOR2"}, notHonoured("WELCOME10")).line(at.Add(time.Hour), "CANDLE-FIG").
			ordered(at.Add(90 * time.Minute))
		events = append(events, h.events...)
	}
	return events
}

// BenchmarkApply is the cost of one event read into the model.
func BenchmarkApply(b *testing.B) {
	events := benchEvents(b, 1000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		m := insights.NewModel()
		for _, e := range events {
			if err := m.Apply(e); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/event")
}

// BenchmarkReport is a week by day over 1,000 baskets.
func BenchmarkReport(b *testing.B) {
	m := insights.NewModel()
	feed(b, m, benchEvents(b, 1000)...)
	p := insights.Period{From: monday, To: monday.AddDate(0, 0, 7), Granularity: insights.Day}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Report(p); err != nil {
			b.Fatal(err)
		}
	}
}
