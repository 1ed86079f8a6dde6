package httpapi

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/insights"
)

// InsightsSource answers getInsights. [*insights.Tracker] is the one to
// use: each report first reads what the store's event feed gained since
// the last one (the outbox of a PostgreSQL store, an [insights.Outbox]
// noted by a memory store), so a report is as fresh as its request, and
// decides who may read it.
type InsightsSource interface {
	Report(ctx context.Context, actor basket.Actor, p insights.Period) (insights.Report, insights.Progress, error)
}

var _ InsightsSource = (*insights.Tracker)(nil)

// Insights is the reply of getInsights: the report, and how far the
// event feed was read for it.
type Insights struct {
	insights.Report
	Feed insights.Progress `json:"feed"`
}

// insightsRoutes are the lifecycle report. Without an insights source
// the route answers not-configured (501), so that every server documents
// the same API.
func (a *API) insightsRoutes() []route {
	return []route{
		{method: "GET", path: "/v1/insights", id: "getInsights", tag: "insights",
			summary: "The lifecycle report of a period",
			doc: "Per day or week and per channel: baskets started, checked in at a store, ordered, abandoned and merged; " +
				"orders from web to store and from store to web; the time from check-in to order (count, median, 90th " +
				"percentile, in seconds); the promotions on the orders; the coupons not honoured, by code (docs/insights.md " +
				"defines each figure). The report reads the store's event feed up to now first; `feed` says how far. " +
				"Staff and the system only. The period is `from` (included) to `to` (excluded), at most " +
				strconv.Itoa(insights.MaxBuckets) + " days or weeks.",
			query: []param{
				{name: "from", kind: "string", required: true, doc: "The start of the period, RFC 3339 (`2026-11-23T00:00:00+01:00`)."},
				{name: "to", kind: "string", required: true, doc: "The end of the period (excluded), RFC 3339."},
				{name: "granularity", kind: "string", enum: []string{string(insights.Day), string(insights.Week)},
					doc: "Days (the default) or ISO weeks, Monday to Sunday."},
				{name: "time_zone", kind: "string", doc: "The IANA time zone whose midnights cut the days (`Europe/Paris`); UTC when absent."},
			},
			reply: &Insights{}, serve: a.insights},
	}
}

func (a *API) insights(x *exchange) (any, error) {
	if a.opts.Insights == nil {
		return nil, &basket.InputError{Field: "Options.Insights", Reason: "this server keeps no lifecycle report", Kind: basket.ErrNotConfigured}
	}
	p, err := insightsPeriod(x.r.URL.Query())
	if err != nil {
		return nil, err
	}
	r, progress, err := a.opts.Insights.Report(x.ctx(), x.actor, p)
	if err != nil {
		return nil, err
	}
	return &Insights{Report: r, Feed: progress}, nil
}

// insightsPeriod reads the period of getInsights from its query; whether
// it makes a report (its order, its length) is the model's to say.
func insightsPeriod(q url.Values) (insights.Period, error) {
	var p insights.Period
	one := func(name string, required bool) (string, error) {
		switch vs := q[name]; {
		case len(vs) > 1:
			return "", &RequestError{In: "query", Field: name, Reason: "must be given once"}
		case len(vs) == 0 || vs[0] == "":
			if required {
				return "", &RequestError{In: "query", Field: name, Reason: "is required"}
			}
			return "", nil
		default:
			return vs[0], nil
		}
	}
	instant := func(name string) (time.Time, error) {
		raw, err := one(name, true)
		if err != nil {
			return time.Time{}, err
		}
		t, err := time.Parse(time.RFC3339Nano, raw)
		if err != nil {
			return time.Time{}, &RequestError{In: "query", Field: name, Reason: "must be an RFC 3339 time like 2026-11-23T00:00:00Z"}
		}
		return t, nil
	}
	var err error
	if p.From, err = instant("from"); err != nil {
		return p, err
	}
	if p.To, err = instant("to"); err != nil {
		return p, err
	}
	g, err := one("granularity", false)
	if err != nil {
		return p, err
	}
	if p.Granularity = insights.Granularity(g); g != "" && !p.Granularity.Valid() {
		return p, &RequestError{In: "query", Field: "granularity", Reason: "must be day or week"}
	}
	zone, err := one("time_zone", false)
	if err != nil {
		return p, err
	}
	if zone != "" {
		// LoadLocation refuses names that climb out of the zone database;
		// "Local" is the server's own zone, which a client cannot know.
		known := len(zone) <= MaxContextQueryField && zone != "Local"
		if known {
			p.Location, err = time.LoadLocation(zone)
			known = err == nil
		}
		if !known {
			return p, &RequestError{In: "query", Field: "time_zone", Reason: "must be an IANA time zone like Europe/Paris"}
		}
	}
	return p, nil
}
