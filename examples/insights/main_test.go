package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/insights"
)

var update = flag.Bool("update", false, "rewrite testdata/output.golden")

// TestOutputIsGolden runs the program as `go run ./examples/insights`
// does and compares every byte with the reviewed output.
func TestOutputIsGolden(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, false))
	if *update {
		require.NoError(t, os.WriteFile("testdata/output.golden", out.Bytes(), 0o644))
	}
	want, err := os.ReadFile("testdata/output.golden")
	require.NoError(t, err)
	assert.Equal(t, string(want), out.String(), "go test ./examples/insights -update, after reading the diff")

	var again bytes.Buffer
	require.NoError(t, run(&again, false))
	assert.Equal(t, out.String(), again.String(), "deterministic")
}

// TestJSONReport reads the -json output back and checks the week's story
// in it: what each journey should have counted.
func TestJSONReport(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, true))
	var r insights.Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &r))
	require.Len(t, r.Buckets, 7, "Monday to Sunday")
	assert.Equal(t, "Europe/Paris", r.TimeZone)
	total := r.Total
	assert.Equal(t, int64(8), total.Started, "camille, walk-in, paul, hugo, ines, nadia, nadia's phone, jeanne")
	assert.Equal(t, int64(3), total.CheckedIn, "camille at Bellecour, nadia and jeanne at Part-Dieu; a basket started in store is not checked in")
	assert.Equal(t, int64(6), total.Ordered)
	assert.Equal(t, int64(1), total.Abandoned, "paul")
	assert.Equal(t, int64(1), total.Merged, "nadia's phone basket")
	assert.Equal(t, int64(3), total.WebToStore, "camille, nadia, jeanne")
	assert.Equal(t, int64(2), total.StoreToWeb, "hugo, jeanne")
	assert.Equal(t, insights.Distribution{Count: 3, MedianSeconds: 40 * 60, P90Seconds: 26*3600 + 30*60}, total.CheckInToOrder)
	assert.Equal(t, []insights.CouponCount{{Code: "WELCOME10", Count: 2}}, total.Coupons)
	assert.Empty(t, r.Buckets[6].Channels, "nobody on Sunday")
}
