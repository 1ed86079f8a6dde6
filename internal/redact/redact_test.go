package redact_test

import (
	"fmt"
	"testing"

	"github.com/omnibasket/omnibasket/internal/redact"
)

type secret struct{ b []byte }

func (s secret) Format(f fmt.State, verb rune) { redact.Format(f, verb, "[redacted]", "secret{}") }

func TestFormatAnswersEveryVerb(t *testing.T) {
	s := secret{b: []byte{0xde, 0xad, 0xbe, 0xef}}
	for verb, want := range map[string]string{
		"%v": "[redacted]", "%+v": "[redacted]", "%#v": "secret{}", "%s": "[redacted]",
		"%q": `"[redacted]"`, "%x": "[redacted]", "%X": "[redacted]", "%d": "[redacted]",
		"%12v": "  [redacted]", "%-12s|": "[redacted]  |",
	} {
		if got := fmt.Sprintf(verb, s); got != want {
			t.Errorf("%s: got %q, want %q", verb, got, want)
		}
	}
}

func ExampleFormat() {
	fmt.Printf("%x %+v %#v\n", secret{b: []byte("hunter2")}, secret{}, secret{})
	// Output: [redacted] [redacted] secret{}
}
