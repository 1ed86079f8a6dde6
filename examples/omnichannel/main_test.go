package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/output.golden")

// TestOutputIsGolden runs the program as `go run ./examples/omnichannel`
// does and compares every byte with the reviewed output.
func TestOutputIsGolden(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, "", false))
	if *update {
		require.NoError(t, os.WriteFile("testdata/output.golden", out.Bytes(), 0o644))
	}
	want, err := os.ReadFile("testdata/output.golden")
	require.NoError(t, err)
	assert.Equal(t, string(want), out.String(), "go test ./examples/omnichannel -update, after reading the diff")

	var again bytes.Buffer
	require.NoError(t, run(&again, "", false))
	assert.Equal(t, out.String(), again.String(), "deterministic")
}

func TestJSONAndJourneyFlags(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, "store-to-web", true))
	var js []Journey
	require.NoError(t, json.Unmarshal(out.Bytes(), &js))
	require.Len(t, js, 1)
	assert.Equal(t, "store-to-web", js[0].Name)
	require.Len(t, js[0].Steps, 4)
	last := js[0].Steps[3].Basket
	assert.Equal(t, "ordered", last.Status)
	assert.Equal(t, "123.00 EUR", last.Total, "price protection held to the order")

	err := run(&out, "teleport", false)
	assert.ErrorContains(t, err, "unknown journey")
}
