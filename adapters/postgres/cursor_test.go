package postgres

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/omnibasket/omnibasket/basket"
)

func TestCursorText(t *testing.T) {
	for _, tc := range []struct {
		text string
		c    Cursor
	}{
		{"0:0", Cursor{}},
		{"0:17", Cursor{Position: 17}}, // a position saved before migration 0008
		{"812:5531", Cursor{Tx: 812, Position: 5531}},
		{"18446744073709551615:9223372036854775807", Cursor{Tx: math.MaxUint64, Position: math.MaxInt64}},
	} {
		t.Run(tc.text, func(t *testing.T) {
			assert.Equal(t, tc.text, tc.c.String())
			got, err := ParseCursor(tc.text)
			require.NoError(t, err)
			assert.Equal(t, tc.c, got)
		})
	}
	for _, bad := range []string{
		"", "0", ":", "0:", ":0", "1:2:3", "-1:0", "0:-1", "+1:0", "01:0", "0:01", " 0:0", "0:0 ",
		"1e3:0", "0x1:0", "18446744073709551616:0", "0:9223372036854775808", "١:٢",
	} {
		_, err := ParseCursor(bad)
		var in *basket.InputError
		assert.ErrorAs(t, err, &in, "%q", bad)
		assert.ErrorIs(t, err, basket.ErrInvalid, "%q", bad)
	}
}

func TestCursorJSON(t *testing.T) {
	type stored struct {
		Relay Cursor `json:"relay"`
	}
	data, err := json.Marshal(stored{Relay: Cursor{Tx: 9, Position: 4}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"relay":"9:4"}`, string(data))
	var back stored
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, Cursor{Tx: 9, Position: 4}, back.Relay)

	back.Relay = Cursor{Tx: 1, Position: 1}
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"relay":"9:x"}`), &back), basket.ErrInvalid)
	assert.Equal(t, Cursor{Tx: 1, Position: 1}, back.Relay, "unchanged on an error")
}

func genCursor(t *rapid.T, label string) Cursor {
	return Cursor{
		Tx:       rapid.OneOf(rapid.Uint64Range(0, 3), rapid.Uint64()).Draw(t, label+".tx"),
		Position: rapid.OneOf(rapid.Int64Range(0, 3), rapid.Int64Range(0, math.MaxInt64)).Draw(t, label+".position"),
	}
}

// The text form round-trips, and Compare is the order of (Tx, Position),
// consistent with ==.
func TestCursorProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := genCursor(t, "a"), genCursor(t, "b")
		back, err := ParseCursor(a.String())
		require.NoError(t, err)
		require.Equal(t, a, back)

		want := 0
		switch {
		case a.Tx < b.Tx || a.Tx == b.Tx && a.Position < b.Position:
			want = -1
		case a != b:
			want = 1
		}
		require.Equal(t, want, a.Compare(b))
		require.Equal(t, -want, b.Compare(a))
	})
}

// FuzzParseCursor: a stored cursor comes from outside the process (a
// file, a row, a message header). Whatever the text, ParseCursor either
// refuses it with a typed error or returns the one cursor whose text it
// is.
func FuzzParseCursor(f *testing.F) {
	for _, s := range []string{"0:0", "812:5531", "18446744073709551615:9223372036854775807", "01:0", "-1:0", ":", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCursor(s)
		if err != nil {
			if !assert.ErrorIs(t, err, basket.ErrInvalid) {
				t.FailNow()
			}
			assert.Zero(t, c)
			return
		}
		assert.Equal(t, s, c.String())
		assert.GreaterOrEqual(t, c.Position, int64(0))
	})
}
