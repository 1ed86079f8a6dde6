package handoff

import (
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

var fuzzApprovals = []ApprovalRequest{
	{Basket: uuid.MustParse("0b7d6a58-1f0e-4c55-9a41-6f3c2d8e9b10"), Audience: Audience{"acme", "store-paris-01"}, Approver: "mgr-7",
		Digest: sha256.Sum256([]byte("L0001 price 99.00 EUR")), TTL: 5 * time.Minute},
	{Basket: uuid.MustParse("0b7d6a58-1f0e-4c55-9a41-6f3c2d8e9b11"), Audience: Audience{"acme", ""}, Approver: "m",
		Digest: sha256.Sum256([]byte("L0002 off 10 %")), TTL: time.Second},
	{Basket: uuid.MustParse("ffffffff-ffff-ffff-ffff-ffffffffffff"),
		Audience: Audience{strings.Repeat("r", MaxRetailerLen), strings.Repeat("l", MaxLocationLen)},
		Approver: strings.Repeat("a", MaxApproverLen), Digest: sha256.Sum256(nil), TTL: 24 * time.Hour},
}

// FuzzDecodeApproval feeds arbitrary strings to the approval decoder and
// to VerifyApproval. The decoder must never panic, must accept only the
// canonical spelling of an approval, and VerifyApproval must never accept
// an approval the signer did not issue, nor one for another change.
func FuzzDecodeApproval(f *testing.F) {
	svc, checkIns := fuzzService(f)
	issued := map[string]ApprovalRequest{}
	for _, r := range fuzzApprovals {
		tok, _, err := svc.IssueApproval(r)
		if err != nil {
			f.Fatal(err)
		}
		issued[tok] = r
		f.Add(tok)
		f.Add(tok[:len(tok)-1])
		f.Add(tok + "A")
	}
	for tok := range checkIns {
		f.Add(tok)
	}
	for _, s := range []string{"", "oQ", strings.Repeat("o", minApprovalLen), strings.Repeat("_", MaxApprovalLen), "====", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, signed, sum, err := parseApproval(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrWrongPurpose) {
				t.Fatalf("parse error %v is neither ErrMalformed nor ErrWrongPurpose", err)
			}
		} else {
			again := b64.EncodeToString(append(appendApproval(nil, &c), sum...))
			if again != s || len(signed)+MACLen != len(again)*6/8 {
				t.Fatalf("parse accepted a non-canonical spelling:\n in  %q\n out %q", s, again)
			}
		}
		for _, r := range fuzzApprovals {
			loc := r.Audience.Location
			if loc == "" {
				loc = "anywhere"
			}
			expect := ApprovalExpectation{Retailer: r.Audience.Retailer, Location: loc, Basket: r.Basket, Digest: r.Digest}
			got, err := svc.VerifyApproval(s, expect)
			if err != nil {
				if !errors.Is(err, ErrRejected) {
					t.Fatalf("VerifyApproval error %v is not a rejection", err)
				}
				continue
			}
			if want, ok := issued[s]; !ok || want.Digest != got.Digest || want.Basket != got.Basket {
				t.Fatalf("VerifyApproval accepted %q for a change it does not approve: %+v", s, got)
			}
		}
	})
}

func TestFuzzApprovalSeedsAreAccepted(t *testing.T) {
	svc, _ := fuzzService(t)
	for _, r := range fuzzApprovals {
		tok, _, err := svc.IssueApproval(r)
		if err != nil {
			t.Fatal(err)
		}
		expect := ApprovalExpectation{Retailer: r.Audience.Retailer, Location: r.Audience.Location, Basket: r.Basket, Digest: r.Digest}
		if _, err := svc.VerifyApproval(tok, expect); err != nil {
			t.Fatalf("seed approval refused: %v", err)
		}
	}
}
