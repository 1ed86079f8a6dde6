package seconds_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/internal/seconds"
	"pgregory.net/rapid"
)

func TestTable(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		text string
	}{
		{0, "0"}, {86400 * time.Second, "86400"}, {1500 * time.Millisecond, "1.5"}, {-time.Nanosecond, "-0.000000001"},
		{math.MinInt64, "-9223372036.854775808"}, {math.MaxInt64, "9223372036.854775807"},
	} {
		if got := string(seconds.Append(nil, tc.d)); got != tc.text {
			t.Errorf("Append(%v) = %s, want %s", tc.d, got, tc.text)
		}
		if d, ok := seconds.Parse(tc.text); !ok || d != tc.d {
			t.Errorf("Parse(%s) = %v %v, want %v", tc.text, d, ok, tc.d)
		}
	}
	for _, bad := range []string{"", "-", "1.", ".5", "1e3", "+1", "1.0000000001", "9223372036.854775808", "0x10", " 1"} {
		if d, ok := seconds.Parse(bad); ok {
			t.Errorf("Parse(%q) = %v, want refused", bad, d)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := time.Duration(rapid.Int64().Draw(t, "d"))
		if back, ok := seconds.Parse(string(seconds.Append(nil, d))); !ok || back != d {
			t.Fatalf("%v → %s → %v %v", d, seconds.Append(nil, d), back, ok)
		}
	})
}

func Example() {
	fmt.Println(string(seconds.Append(nil, 36*time.Hour)))
	d, ok := seconds.Parse("0.25")
	fmt.Println(d, ok)
	// Output:
	// 129600
	// 250ms true
}

func FuzzParse(f *testing.F) {
	f.Add("1.5")
	f.Add("-9223372036.854775808")
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := seconds.Parse(s)
		if !ok {
			return
		}
		if back, ok := seconds.Parse(string(seconds.Append(nil, d))); !ok || back != d {
			t.Fatalf("%q → %v → %s → %v", s, d, seconds.Append(nil, d), back)
		}
	})
}
