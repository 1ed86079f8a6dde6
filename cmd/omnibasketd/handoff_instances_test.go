package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/demo"
)

// TestInstancesOnOnePostgres: three servers, each with its own pool, on
// one schema behave as one. A tablet connected to B sees what the shopper
// changed through A (the outbox follower); a short code issued on A is
// checked in exactly once when associates race with it on B and C; and
// the location's failed guesses are limited across the servers
// (handoff.DefaultShortCodeAttempts in all), not per server, and so are a
// basket's location-tag attempts.
func TestInstancesOnOnePostgres(t *testing.T) {
	env := postgresEnv(t)
	servers := []*running{start(t, []string{"-migrate", "-poll-every", "1h"}, env)}
	for range 2 {
		servers = append(servers, start(t, []string{"-poll-every", "1h"}, env))
	}
	a, b := servers[0], servers[1]

	rep, err := a.basketWith(a.token(ana), "LAMP-DESK", 2)
	require.NoError(t, err)
	loc := "/v1/baskets/" + basketID(t, rep)
	var changed time.Time
	liveChange(t, b, loc, b.token(ana), func() {
		changed = time.Now()
		a.must(200, "POST", loc+"/lines", a.token(ana), map[string]any{"sku": "CANDLE-FIG", "quantity": 1})
	})
	t.Logf("a change through A reached a stream on B in %s", time.Since(changed).Round(time.Millisecond))

	// outcome is the status and problem type of a check-in by short code.
	type outcome struct {
		status int
		kind   string
	}
	checkIn := func(r *running, code string) outcome {
		rep, err := r.do("POST", "/v1/check-ins", r.token(lea), map[string]any{"short_code": code, "method": "short-code"})
		if err != nil {
			return outcome{kind: err.Error()}
		}
		var problem struct {
			Type string `json:"type"`
		}
		if rep.status != http.StatusOK {
			_ = json.Unmarshal(rep.body, &problem)
		}
		return outcome{rep.status, strings.TrimPrefix(problem.Type, "urn:omnibasket:problem:")}
	}
	// race runs perServer calls of fn on each of on at once.
	race := func(on []*running, perServer int, fn func(r *running, i int) outcome) map[outcome]int {
		var wg sync.WaitGroup
		var mu sync.Mutex
		counts := map[outcome]int{}
		start := make(chan struct{})
		for _, r := range on {
			for i := range perServer {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					o := fn(r, i)
					mu.Lock()
					counts[o]++
					mu.Unlock()
				}()
			}
		}
		close(start)
		wg.Wait()
		return counts
	}

	rep = a.must(201, "POST", loc+"/check-in-tickets", a.token(ana), map[string]any{"location_id": demo.Bellecour, "short_code": true})
	var ticket struct {
		ShortCode string `json:"short_code"`
	}
	require.NoError(t, json.Unmarshal(rep.body, &ticket))
	// Issued on A, raced on B and C: one of them checks the basket in.
	const racers = 6
	won := race(servers[1:], racers, func(r *running, _ int) outcome { return checkIn(r, ticket.ShortCode) })
	t.Logf("%d associates on B and C checking in a short code issued on A: %v", 2*racers, won)
	unknown := outcome{http.StatusUnprocessableEntity, "short-code-unknown"}
	require.Equal(t, map[outcome]int{{status: http.StatusOK}: 1, unknown: 2*racers - 1}, won)

	// The losers were failed attempts at Bellecour; guesses on every server
	// use up the rest of the location's allowance, and no more.
	const guessers = 25
	guessed := race(servers, guessers, func(r *running, i int) outcome {
		return checkIn(r, fmt.Sprintf("%c%c2-222-222", handoff.ShortCodeAlphabet[i], handoff.ShortCodeAlphabet[slices.Index(servers, r)]))
	})
	t.Logf("%d guesses on %d servers after %d failures: %v", guessers*len(servers), len(servers), 2*racers-1, guessed)
	tooMany := outcome{http.StatusTooManyRequests, "too-many-attempts"}
	failures := handoff.DefaultShortCodeAttempts - (2*racers - 1)
	assert.Equal(t, map[outcome]int{unknown: failures, tooMany: guessers*len(servers) - failures}, guessed)

	// A basket's location-tag attempts, right or wrong, are counted across
	// the servers: handoff.DefaultTagAttempts in all.
	const tagRacers = 4
	tagged := race(servers, tagRacers, func(r *running, _ int) outcome {
		rep, err := r.do("POST", loc+"/self-check-in", r.token(ana), map[string]any{"tag": "bm90LWEtdGFn", "method": "qr", "location_id": demo.Bellecour})
		if err != nil {
			return outcome{kind: err.Error()}
		}
		var problem struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(rep.body, &problem)
		return outcome{rep.status, strings.TrimPrefix(problem.Type, "urn:omnibasket:problem:")}
	})
	t.Logf("%d self check-ins of one basket on %d servers: %v", tagRacers*len(servers), len(servers), tagged)
	malformed := outcome{http.StatusUnprocessableEntity, "token-malformed"}
	assert.Equal(t, map[outcome]int{malformed: handoff.DefaultTagAttempts, tooMany: tagRacers*len(servers) - handoff.DefaultTagAttempts}, tagged)
}
