package handoff

import (
	"errors"
	"strings"
	"testing"
)

var fuzzTagAudiences = []Audience{
	{"acme", "store-paris-01"},
	{"a", "b"},
	{strings.Repeat("r", MaxRetailerLen), strings.Repeat("l", MaxLocationLen)},
}

// FuzzDecodeTag feeds arbitrary strings to the location-tag decoder and to
// VerifyTag: the decoder never panics and accepts only the canonical
// spelling of a tag, and VerifyTag accepts nothing the signer did not issue,
// and only at the tag's own location.
func FuzzDecodeTag(f *testing.F) {
	svc, tokens := fuzzService(f)
	issued := map[string]Audience{}
	for _, a := range fuzzTagAudiences {
		tag, _, err := svc.LocationTag(a)
		if err != nil {
			f.Fatal(err)
		}
		issued[tag] = a
		f.Add(tag)
		f.Add(tag[:len(tag)-1])
		f.Add(tag + "A")
	}
	for tok := range tokens {
		f.Add(tok)
	}
	for _, s := range []string{"", "sQ", strings.Repeat("s", minTagLen), strings.Repeat("_", MaxTagLen), "sQE\nHMjAy"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, signed, sum, err := parseTag(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrWrongPurpose) {
				t.Fatalf("parseTag error %v is neither malformed nor wrong purpose", err)
			}
		} else if again := b64.EncodeToString(append(appendTag(nil, &c), sum...)); again != s || len(signed) == 0 {
			t.Fatalf("parseTag accepted a non-canonical spelling:\n in  %q\n out %q", s, again)
		}
		for _, a := range fuzzTagAudiences {
			got, err := svc.VerifyTag(s, TagExpectation(a))
			if err == nil && issued[s] != a {
				t.Fatalf("VerifyTag accepted %q at %+v: %+v", s, a, got)
			}
			if err != nil && !errors.Is(err, ErrRejected) {
				t.Fatalf("VerifyTag error %v is not a rejection", err)
			}
		}
	})
}
