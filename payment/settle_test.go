package payment_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func chf(s string) pricing.Money { return pricing.MustParse(s, "CHF") }

func giftCard(code, balance string) payment.Tender {
	return payment.Tender{Kind: payment.GiftCard, Code: code, Balance: chf(balance)}
}

func card(amount string) payment.Tender {
	t := payment.Tender{Kind: payment.Card}
	if amount != "" {
		t.Amount = chf(amount)
	}
	return t
}

func cash(amount string) payment.Tender {
	t := payment.Tender{Kind: payment.Cash}
	if amount != "" {
		t.Amount = chf(amount)
	}
	return t
}

// applied lists "kind:code=amount" per applied tender, for compact tables.
func applied(s payment.Settlement) []string {
	var out []string
	for _, a := range s.Tenders {
		out = append(out, fmt.Sprintf("%s:%s=%s", a.Tender.Kind, a.Tender.Code, a.Amount.Amount()))
	}
	return out
}

func TestSettleTable(t *testing.T) {
	cases := []struct {
		name        string
		due         string
		tenders     []payment.Tender
		opts        payment.Options
		applied     []string
		paid        string
		remaining   string
		rounding    string
		change      string
		left        map[string]string // code → what the card keeps
		cappedCards int
	}{
		{
			name: "till in Zurich: gift card, card and cash; only the cash part is rounded",
			due:  "87.63", tenders: []payment.Tender{cash("10.00"), card("30.00"), giftCard("GC-1001", "50.00")},
			applied: []string{"gift-card:GC-1001=50.00", "card:=30.00", "cash:=7.65"},
			paid:    "87.65", remaining: "0.00", rounding: "0.02", change: "2.35", left: map[string]string{"GC-1001": "0.00"},
		},
		{
			name: "a gift card worth more than the due keeps the rest",
			due:  "30.00", tenders: []payment.Tender{giftCard("GC-1", "50.00")},
			applied: []string{"gift-card:GC-1=30.00"}, paid: "30.00", remaining: "0.00", rounding: "0.00", change: "0.00",
			left: map[string]string{"GC-1": "20.00"},
		},
		{
			name: "only part of a gift card, the card pays the rest",
			due:  "30.00", tenders: []payment.Tender{{Kind: payment.GiftCard, Code: "GC-1", Balance: chf("50.00"), Amount: chf("20.00")}, card("")},
			applied: []string{"gift-card:GC-1=20.00", "card:=10.00"}, paid: "30.00", remaining: "0.00", rounding: "0.00", change: "0.00",
			left: map[string]string{"GC-1": "30.00"},
		},
		{
			name: "two gift cards are used in code order, whatever the order given",
			due:  "40.00", tenders: []payment.Tender{giftCard("GC-B", "30.00"), giftCard("GC-A", "30.00")},
			applied: []string{"gift-card:GC-A=30.00", "gift-card:GC-B=10.00"}, paid: "40.00", remaining: "0.00", rounding: "0.00", change: "0.00",
			left: map[string]string{"GC-A": "0.00", "GC-B": "20.00"},
		},
		{
			name: "vouchers after gift cards, points after vouchers",
			due:  "25.00", tenders: []payment.Tender{
				{Kind: payment.Points, Code: "LOY-9", Balance: chf("10.00")},
				{Kind: payment.Voucher, Code: "V-1", Balance: chf("10.00")},
				giftCard("GC-Z", "10.00")},
			applied: []string{"gift-card:GC-Z=10.00", "voucher:V-1=10.00", "points:LOY-9=5.00"}, paid: "25.00", remaining: "0.00",
			rounding: "0.00", change: "0.00", left: map[string]string{"LOY-9": "5.00"},
		},
		{
			name: "a card above what remains is capped when asked to",
			due:  "30.00", tenders: []payment.Tender{card("40.00")}, opts: payment.Options{CapCards: true},
			applied: []string{"card:=30.00"}, paid: "30.00", remaining: "0.00", rounding: "0.00", change: "0.00", cappedCards: 1,
		},
		{
			name: "exact cash rounds down",
			due:  "7.62", tenders: []payment.Tender{cash("")},
			applied: []string{"cash:=7.60"}, paid: "7.60", remaining: "0.00", rounding: "-0.02", change: "0.00",
		},
		{
			name: "two centimes in cash round to nothing",
			due:  "0.02", tenders: []payment.Tender{cash("")},
			applied: []string{"cash:=0.00"}, paid: "0.00", remaining: "0.00", rounding: "-0.02", change: "0.00",
		},
		{
			name: "cash short of the rest pays unrounded, the rest remains",
			due:  "20.03", tenders: []payment.Tender{cash("10.00")},
			applied: []string{"cash:=10.00"}, paid: "10.00", remaining: "10.03", rounding: "0.00", change: "0.00",
		},
		{
			name: "cash when nothing remains is all change",
			due:  "20.00", tenders: []payment.Tender{giftCard("GC-1", "25.00"), cash("10.00")},
			applied: []string{"gift-card:GC-1=20.00", "cash:=0.00"}, paid: "20.00", remaining: "0.00", rounding: "0.00", change: "10.00",
		},
		{
			name: "nothing tendered: the whole due remains",
			due:  "12.35", applied: nil, paid: "0.00", remaining: "12.35", rounding: "0.00", change: "0.00",
		},
		{
			name: "a card without an amount pays the rest, cash then pays nothing",
			due:  "12.33", tenders: []payment.Tender{card(""), cash("5.00")},
			applied: []string{"card:=12.33", "cash:=0.00"}, paid: "12.33", remaining: "0.00", rounding: "0.00", change: "5.00",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := payment.Settle(chf(c.due), c.tenders, c.opts)
			require.NoError(t, err)
			assert.Equal(t, c.applied, applied(s))
			assert.Equal(t, chf(c.due), s.Due)
			assert.Equal(t, chf(c.paid), s.Paid)
			assert.Equal(t, chf(c.remaining), s.Remaining)
			assert.Equal(t, chf(c.rounding), s.CashRounding)
			assert.Equal(t, chf(c.change), s.Change)
			assert.Equal(t, c.remaining == "0.00", s.Settled())
			capped := 0
			for _, a := range s.Tenders {
				if want, ok := c.left[a.Tender.Code]; ok {
					assert.Equal(t, chf(want), a.Left, a.Tender.Code)
				}
				if a.Capped {
					capped++
				}
			}
			assert.Equal(t, c.cappedCards, capped)
		})
	}
}

func TestSettleOtherCurrencies(t *testing.T) {
	cases := []struct{ cur, due, handed, kept, rounding, change string }{
		{"EUR", "12.34", "20.00", "12.34", "0.00", "7.66"}, // no cash rounding in euros
		{"DKK", "10.25", "20.00", "10.50", "0.25", "9.50"}, // a tie at 0.25 rounds up
		{"DKK", "10.24", "10.00", "10.00", "-0.24", "0.00"},
		{"SEK", "99.50", "100.00", "100.00", "0.50", "0.00"},
		{"JPY", "1234", "2000", "1234", "0", "766"},
	}
	for _, c := range cases {
		m := func(s string) pricing.Money { return pricing.MustParse(s, c.cur) }
		s, err := payment.Settle(m(c.due), []payment.Tender{{Kind: payment.Cash, Amount: m(c.handed)}}, payment.Options{})
		require.NoError(t, err, c.cur)
		assert.Equal(t, m(c.kept), s.Tenders[0].Amount, "%s %s", c.cur, c.due)
		assert.Equal(t, m(c.rounding), s.CashRounding, "%s %s", c.cur, c.due)
		assert.Equal(t, m(c.change), s.Change, "%s %s", c.cur, c.due)
		assert.True(t, s.Settled())
	}
}

func TestSettleRefusesBadInput(t *testing.T) {
	eur := pricing.MustParse("5.00", "EUR")
	cases := []struct {
		name    string
		due     pricing.Money
		tenders []payment.Tender
		kind    error
		index   int // of the tender named, -1 for none
	}{
		{"tender in another currency", chf("10.00"), []payment.Tender{card(""), {Kind: payment.Cash, Amount: eur}}, payment.ErrCurrencyMismatch, 1},
		{"balance in another currency", chf("10.00"), []payment.Tender{{Kind: payment.GiftCard, Code: "G", Balance: eur}}, pricing.ErrCurrencyMismatch, 0},
		{"negative card", chf("10.00"), []payment.Tender{card("-1.00")}, payment.ErrNegative, 0},
		{"negative balance", chf("10.00"), []payment.Tender{giftCard("G", "-1.00")}, payment.ErrNegative, 0},
		{"unknown kind", chf("10.00"), []payment.Tender{{Kind: 9, Code: "X"}}, payment.ErrUnknownKind, 0},
		{"zero kind", chf("10.00"), []payment.Tender{{Code: "X"}}, payment.ErrUnknownKind, 0},
		{"card above what remains", chf("10.00"), []payment.Tender{giftCard("G", "5.00"), card("5.01")}, payment.ErrOverTender, 1},
		{"same gift card twice", chf("10.00"), []payment.Tender{giftCard("G", "5.00"), giftCard("G", "5.00")}, payment.ErrInvalid, 1},
		{"gift card and voucher share a code", chf("10.00"), []payment.Tender{{Kind: payment.Voucher, Code: "G", Balance: chf("1.00")}, giftCard("G", "5.00")}, payment.ErrInvalid, 1},
		{"two cash tenders", chf("10.00"), []payment.Tender{cash("5.00"), {Kind: payment.Cash, Code: "drawer-2", Amount: chf("5.00")}}, payment.ErrInvalid, 1},
		{"gift card without a balance", chf("10.00"), []payment.Tender{{Kind: payment.GiftCard, Code: "G"}}, payment.ErrInvalid, 0},
		{"gift card without a code", chf("10.00"), []payment.Tender{giftCard("", "5.00")}, payment.ErrInvalid, 0},
		{"card with a balance", chf("10.00"), []payment.Tender{{Kind: payment.Card, Balance: chf("5.00")}}, payment.ErrInvalid, 0},
		{"code with a space", chf("10.00"), []payment.Tender{giftCard("G 1", "5.00")}, payment.ErrInvalid, 0},
		{"cash the coins cannot make", chf("10.00"), []payment.Tender{cash("10.02")}, payment.ErrInvalid, 0},
		{"negative due", chf("-0.01"), nil, payment.ErrNegative, -1},
		{"due without currency", pricing.Money{}, nil, payment.ErrInvalid, -1},
		{"too many tenders", chf("10.00"), make([]payment.Tender, payment.MaxTenders+1), payment.ErrInvalid, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := payment.Settle(c.due, c.tenders, payment.Options{})
			require.ErrorIs(t, err, c.kind)
			var te *payment.TenderError
			if c.index < 0 {
				assert.False(t, errors.As(err, &te), "no tender to name: %v", err)
				return
			}
			require.ErrorAs(t, err, &te)
			assert.Equal(t, c.index, te.Index, "%v", err)
		})
	}
}

func TestDebitsAreGiftCardsAndVouchersThatPay(t *testing.T) {
	s, err := payment.Settle(chf("60.00"), []payment.Tender{
		giftCard("GC-B", "40.00"), {Kind: payment.Voucher, Code: "V-A", Balance: chf("25.00")},
		giftCard("GC-Z", "10.00"), {Kind: payment.Points, Code: "L", Balance: chf("3.00")}, card(""),
	}, payment.Options{})
	require.NoError(t, err)
	// GC-B 40 and GC-Z 10 pay first (gift cards), V-A 10, points and card nothing.
	assert.Equal(t, []payment.Debit{{Code: "GC-B", Amount: chf("40.00")}, {Code: "GC-Z", Amount: chf("10.00")}, {Code: "V-A", Amount: chf("10.00")}}, s.Debits())
}

// genCurrency draws a currency with and without cash rounding, and of
// every exponent the tills meet.
func genCurrency(t *rapid.T) pricing.Currency {
	return pricing.MustCurrency(rapid.SampledFrom([]string{"CHF", "EUR", "JPY", "DKK", "SEK", "KWD"}).Draw(t, "currency"))
}

func genTenders(t *rapid.T, cur pricing.Currency) []payment.Tender {
	m := func(u int64) pricing.Money { v, _ := pricing.FromMinor(u, cur); return v }
	var ts []payment.Tender
	for i := range rapid.IntRange(0, 4).Draw(t, "balance-bound") {
		k := rapid.SampledFrom([]payment.Kind{payment.GiftCard, payment.Voucher, payment.Points}).Draw(t, "kind")
		tn := payment.Tender{Kind: k, Code: fmt.Sprintf("C%d", i), Balance: m(rapid.Int64Range(0, 50_000).Draw(t, "balance"))}
		if rapid.Bool().Draw(t, "limited") {
			tn.Amount = m(rapid.Int64Range(0, 50_000).Draw(t, "limit"))
		}
		ts = append(ts, tn)
	}
	for i := range rapid.IntRange(0, 3).Draw(t, "cards") {
		tn := payment.Tender{Kind: payment.Card, Code: fmt.Sprintf("K%d", i)}
		if rapid.Bool().Draw(t, "card-amount") {
			tn.Amount = m(rapid.Int64Range(0, 60_000).Draw(t, "charge"))
		}
		ts = append(ts, tn)
	}
	if rapid.Bool().Draw(t, "cash") {
		step := int64(1)
		if inc, ok := cur.CashIncrement(); ok {
			step = inc.MinorUnits()
		}
		ts = append(ts, payment.Tender{Kind: payment.Cash, Amount: m(step * rapid.Int64Range(0, 100_000/step+1).Draw(t, "handed"))})
	}
	return ts
}

// TestSettleProperties checks the settlement's invariants on random
// tenders in random currencies.
func TestSettleProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cur := genCurrency(t)
		due, _ := pricing.FromMinor(rapid.Int64Range(0, 100_000).Draw(t, "due"), cur)
		tenders := genTenders(t, cur)
		s, err := payment.Settle(due, tenders, payment.Options{CapCards: true})
		if err != nil {
			t.Fatalf("valid tenders refused: %v", err)
		}
		u := func(m pricing.Money) int64 {
			if m.Currency() != cur {
				t.Fatalf("%s is not in %s", m, cur)
			}
			return m.MinorUnits()
		}
		// Paid − CashRounding + Remaining = Due, Paid = Σ applied.
		var sum int64
		for _, a := range s.Tenders {
			sum += u(a.Amount)
		}
		if sum != u(s.Paid) || u(s.Paid)-u(s.CashRounding)+u(s.Remaining) != u(s.Due) || s.Due != due {
			t.Fatalf("amounts do not add up: %+v", s)
		}
		// Nothing negative but the rounding, which is under half an increment.
		if s.Paid.IsNegative() || s.Remaining.IsNegative() || s.Change.IsNegative() {
			t.Fatalf("a negative amount: %+v", s)
		}
		inc := int64(1)
		if c, ok := cur.CashIncrement(); ok {
			inc = c.MinorUnits()
		}
		if r := u(s.CashRounding); 2*r > inc || 2*r <= -inc {
			t.Fatalf("rounding %s beyond half an increment", s.CashRounding)
		}
		if len(s.Tenders) != len(tenders) {
			t.Fatalf("%d tenders applied, %d given", len(s.Tenders), len(tenders))
		}
		for k, a := range s.Tenders {
			if a.Amount.IsNegative() || (k > 0 && payment.Compare(s.Tenders[k-1].Tender, a.Tender) >= 0) {
				t.Fatalf("tender %d: negative or out of application order: %+v", k, s.Tenders)
			}
			tn := a.Tender
			switch {
			case tn.Kind.BalanceBound():
				limit := u(tn.Balance)
				if tn.Amount.MinorUnits() > 0 {
					limit = min(limit, tn.Amount.MinorUnits())
				}
				if u(a.Amount) > limit || u(a.Left) != u(tn.Balance)-u(a.Amount) {
					t.Fatalf("%s pays %s above its cap %d or keeps %s", tn.Code, a.Amount, limit, a.Left)
				}
				// Greedy: a card that is not exhausted leaves nothing to pay.
				if u(a.Amount) < limit && !s.Settled() {
					t.Fatalf("%s could pay %d more and %s remains", tn.Code, limit-u(a.Amount), s.Remaining)
				}
			case tn.Kind == payment.Card:
				if tn.Amount.MinorUnits() > 0 && u(a.Amount) > tn.Amount.MinorUnits() {
					t.Fatalf("card %s charged %s above %s", tn.Code, a.Amount, tn.Amount)
				}
			case tn.Kind == payment.Cash:
				handed := tn.Amount.MinorUnits()
				if handed > 0 && handed-u(s.Change) != u(a.Amount) {
					t.Fatalf("cash: %s handed − %s change ≠ %s kept", tn.Amount, s.Change, a.Amount)
				}
				if s.Settled() && u(a.Amount)%inc != 0 {
					t.Fatalf("cash kept %s is not a whole number of the increment", a.Amount)
				}
			}
		}
		if !s.Change.IsZero() || !s.CashRounding.IsZero() {
			if !s.Settled() {
				t.Fatalf("change or rounding while %s remains", s.Remaining)
			}
		}
		// Order independence: the same tenders in another order settle the same.
		shuffled := rapid.Permutation(tenders).Draw(t, "shuffled")
		again, err := payment.Settle(due, shuffled, payment.Options{CapCards: true})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(again) != fmt.Sprint(s) {
			t.Fatalf("order changed the settlement:\n%+v\n%+v", s, again)
		}
		// Strict: the same settlement, or an over-tender where a card was capped.
		strict, err := payment.Settle(due, tenders, payment.Options{})
		capped := false
		for _, a := range s.Tenders {
			capped = capped || a.Capped
		}
		switch {
		case capped && !errors.Is(err, payment.ErrOverTender):
			t.Fatalf("a capped card, strict says %v", err)
		case !capped && (err != nil || fmt.Sprint(strict) != fmt.Sprint(s)):
			t.Fatalf("nothing capped, strict differs: %v\n%+v\n%+v", err, s, strict)
		}
	})
}
