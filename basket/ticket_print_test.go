package basket_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A token and a short code shaped like the real ones (112 characters of
// URL-safe base64; three groups of three), distinctive enough that any
// spelling of either is recognizable in output.
var (
	printToken = "AQEHMjAyNi0xMQt9aljxDkxVmkFvPC2Om" + strings.Repeat("Zx9-Qw_7", 8) + "tOkEnTaIlEnDsHe"
	printCode  = "K7M-4QX-9TD"
	printAt    = time.Date(2026, 11, 23, 9, 5, 0, 0, time.UTC)
)

// credentialLeaks returns the spellings of credential that must not appear
// in output: raw, head and tail, hex (both cases, as %x and %X print
// strings), Go-quoted, and for a short code each group and the code without
// dashes.
func credentialLeaks(credential string) map[string]string {
	forms := map[string]string{
		"raw":      credential,
		"head":     credential[:6],
		"tail":     credential[len(credential)-6:],
		"hex head": hex.EncodeToString([]byte(credential[:6])),
		"HEX head": strings.ToUpper(hex.EncodeToString([]byte(credential[:6]))),
		"quoted":   fmt.Sprintf("%q", credential),
	}
	if strings.Count(credential, "-") == 2 && len(credential) == 11 {
		for i, g := range strings.Split(credential, "-") {
			forms[fmt.Sprintf("group %d", i)] = g
		}
		forms["undashed"] = strings.ReplaceAll(credential, "-", "")
	}
	return forms
}

// printVerbs are the fmt directives checked: the usual ones, those that
// dump strings (%x, %X), and bad verbs, where fmt would write
// "%!d(string=…)".
//
// %p is not among them: fmt handles it before calling any method, and for
// a value that is not a pointer writes "%!p(basket.Ticket={…})" with the
// fields printed by reflection, credentials included. No method can
// prevent that while the credentials are strings; go vet reports %p with
// a non-pointer argument. (handoff.Secret, being opaque, survives even
// %p: see handoff's redaction tests.)
var printVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%t", "%e", "%20v", "%-8s"}

// printed prints v under every verb in printVerbs and logs it with slog's
// JSON and text handlers (under the key "ticket"); with withJSON, it adds
// json.Marshal.
func printed(t *testing.T, v any, withJSON bool) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, verb := range printVerbs {
		out[verb] = fmt.Sprintf(verb, v)
	}
	out["Sprint"], out["Sprintln"] = fmt.Sprint(v), fmt.Sprintln(v)
	var jb, tb bytes.Buffer
	slog.New(slog.NewJSONHandler(&jb, nil)).Info("check-in", "ticket", v)
	slog.New(slog.NewTextHandler(&tb, nil)).Info("check-in", "ticket", v)
	out["slog JSON"], out["slog text"] = jb.String(), tb.String()
	if withJSON {
		j, err := json.Marshal(v)
		require.NoError(t, err)
		out["json"] = string(j)
	}
	return out
}

// checkCredentialsHidden asserts that no output shows any spelling of any
// credential, and that every output shows each of want.
func checkCredentialsHidden(t *testing.T, out map[string]string, credentials []string, want []string) {
	t.Helper()
	for enc, s := range out {
		for _, c := range credentials {
			for form, leak := range credentialLeaks(c) {
				if strings.Contains(s, leak) {
					t.Errorf("%s shows the credential %.8s… (%s form %q):\n%s", enc, c, form, leak, s)
				}
			}
		}
		for _, w := range want {
			if !strings.Contains(s, w) {
				t.Errorf("%s does not show %q:\n%s", enc, w, s)
			}
		}
	}
}

// TestTicketRedactedWhenPrintedAndLogged: a Ticket holds bearer
// credentials (a check-in token and a short code). Printed under every fmt
// verb, directly or in a pointer, slice, map or exported struct field, and
// logged with slog (JSON and text handlers), it shows its expiry and the
// length of each credential, never the credentials.
func TestTicketRedactedWhenPrintedAndLogged(t *testing.T) {
	tk := basket.Ticket{Token: printToken, ShortCode: printCode, ExpiresAt: printAt}
	creds := []string{printToken, printCode}
	for _, tc := range []struct {
		name string
		v    any
		want []string
	}{
		{"Ticket", tk, []string{"2026-11-23T09:05:00", "redacted 112 bytes", "redacted 11 bytes"}},
		{"*Ticket", &tk, []string{"2026-11-23T09:05:00", "redacted 112 bytes"}},
		{"Ticket without short code", basket.Ticket{Token: printToken, ExpiresAt: printAt}, []string{"2026-11-23T09:05:00", "redacted 112 bytes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkCredentialsHidden(t, printed(t, tc.v, false), creds, tc.want)
		})
	}
	// In containers, fmt still calls Format on each Ticket (slog's text
	// handler prints them with %+v). slog's JSON handler, which has no
	// LogValue to call on a slice or struct, uses encoding/json: the
	// payload (see TestTicketJSONIsThePayload), so it is not checked here.
	for _, tc := range []struct {
		name string
		v    any
	}{
		{"[]Ticket", []basket.Ticket{tk, tk}},
		{"map[string]Ticket", map[string]basket.Ticket{"shopper": tk}},
		{"struct with a Ticket field", struct{ Ticket basket.Ticket }{tk}},
		{"[]*Ticket", []*basket.Ticket{&tk}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := printed(t, tc.v, false)
			delete(out, "slog JSON")
			checkCredentialsHidden(t, out, creds, []string{"2026-11-23T09:05:00"})
		})
	}

	for verb, want := range map[string]string{
		"%v":  "basket.Ticket{Token: [redacted 112 bytes], ShortCode: [redacted 11 bytes], ExpiresAt: 2026-11-23T09:05:00Z}",
		"%+v": "basket.Ticket{Token: [redacted 112 bytes], ShortCode: [redacted 11 bytes], ExpiresAt: 2026-11-23T09:05:00Z}",
		"%#v": "basket.Ticket{Token: [redacted 112 bytes], ShortCode: [redacted 11 bytes], ExpiresAt: 2026-11-23T09:05:00Z}",
		"%q":  `"basket.Ticket{Token: [redacted 112 bytes], ShortCode: [redacted 11 bytes], ExpiresAt: 2026-11-23T09:05:00Z}"`,
	} {
		assert.Equal(t, want, fmt.Sprintf(verb, tk), verb)
	}
	assert.Equal(t, `basket.Ticket{Token: [redacted 112 bytes], ShortCode: "", ExpiresAt: 2026-11-23T09:05:00Z}`,
		basket.Ticket{Token: printToken, ExpiresAt: printAt}.String(), "an empty short code reads as empty")
	assert.Equal(t, `basket.Ticket{Token: "", ShortCode: "", ExpiresAt: 0001-01-01T00:00:00Z}`, basket.Ticket{}.String())

	var jb bytes.Buffer
	slog.New(slog.NewJSONHandler(&jb, nil)).Info("issued", "ticket", tk)
	var line struct {
		Ticket map[string]any `json:"ticket"`
	}
	require.NoError(t, json.Unmarshal(jb.Bytes(), &line))
	assert.Equal(t, map[string]any{
		"token": "[redacted 112 bytes]", "short_code": "[redacted 11 bytes]", "expires_at": "2026-11-23T09:05:00Z",
	}, line.Ticket, "slog JSON handler: a group named like the JSON fields")
}

// TestTicketJSONIsThePayload: redaction is for printing and logging only.
// A Ticket's JSON is what the shopper's phone receives, so it carries the
// real token and short code, and decodes back to the same Ticket.
func TestTicketJSONIsThePayload(t *testing.T) {
	tk := basket.Ticket{Token: printToken, ShortCode: printCode, ExpiresAt: printAt}
	j, err := json.Marshal(tk)
	require.NoError(t, err)
	assert.JSONEq(t, `{"token":"`+printToken+`","short_code":"`+printCode+`","expires_at":"2026-11-23T09:05:00Z"}`, string(j))
	var back basket.Ticket
	require.NoError(t, json.Unmarshal(j, &back))
	assert.Equal(t, tk, back)
}

// TestIssuedTicketRedacted: the same with a ticket issued by the Service
// (a real token and short code): printing or logging it never shows them,
// while its JSON, sent to the phone, does.
func TestIssuedTicketRedacted(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, withHandoff(t))
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	tk, err := f.svc.IssueCheckIn(ctx, shopper, b.ID, basket.HandoffRequest{Location: demo.Bellecour, TTL: 5 * time.Minute, ShortCode: true})
	require.NoError(t, err)
	require.NotEmpty(t, tk.ShortCode)
	checkCredentialsHidden(t, printed(t, tk, false), []string{tk.Token, tk.ShortCode}, []string{"redacted"})
	j, err := json.Marshal(tk)
	require.NoError(t, err)
	assert.Contains(t, string(j), tk.Token)
	assert.Contains(t, string(j), tk.ShortCode)
}

// TestCheckInRequestRedacted: a CheckInRequest carries the scanned token
// or the typed short code. Printed under every fmt verb, encoded as JSON
// and logged with slog (JSON and text handlers), directly or in a pointer,
// slice, map or exported struct field, it shows its method and its
// target's channel and location, never the credential.
func TestCheckInRequestRedacted(t *testing.T) {
	target := demo.Store(demo.Bellecour, time.Time{})
	byToken := basket.CheckInRequest{Token: printToken, Method: "qr", Target: target}
	byCode := basket.CheckInRequest{ShortCode: printCode, Method: "short-code", Target: target}
	creds := []string{printToken, printCode}
	want := []string{target.ChannelID, demo.Bellecour}
	for _, tc := range []struct {
		name string
		v    any
		want []string
	}{
		{"by token", byToken, append([]string{"qr", "redacted 112 bytes"}, want...)},
		{"by short code", byCode, append([]string{"short-code", "redacted 11 bytes"}, want...)},
		{"pointer", &byToken, want},
		{"slice", []basket.CheckInRequest{byToken, byCode}, want},
		{"map", map[string]basket.CheckInRequest{"a": byToken, "b": byCode}, want},
		{"struct with a CheckInRequest field", struct{ Req basket.CheckInRequest }{byCode}, want},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkCredentialsHidden(t, printed(t, tc.v, true), creds, tc.want)
		})
	}

	assert.Equal(t,
		`basket.CheckInRequest{Token: [redacted 112 bytes], ShortCode: "", Method: "qr", Target: {ChannelID: "store-lyon-bellecour", LocationID: "lyon-bellecour"}}`,
		fmt.Sprintf("%+v", byToken))
	assert.Equal(t, fmt.Sprintf("%+v", byToken), fmt.Sprintf("%#v", byToken))
	assert.Equal(t, fmt.Sprintf("%q", byCode.String()), fmt.Sprintf("%q", byCode))

	var jb bytes.Buffer
	slog.New(slog.NewJSONHandler(&jb, nil)).Info("check-in", "req", byCode)
	var line struct {
		Req map[string]any `json:"req"`
	}
	require.NoError(t, json.Unmarshal(jb.Bytes(), &line))
	assert.Equal(t, map[string]any{
		"token": "", "short_code": "[redacted 11 bytes]", "method": "short-code",
		"channel": "store-lyon-bellecour", "location": "lyon-bellecour",
	}, line.Req)
}

// TestCheckInRequestJSON: a CheckInRequest encodes with its Go field names,
// as it did without a MarshalJSON, the credential redacted and the whole
// target kept; decoding (a tablet's request reaching a handler) is not
// affected and reads the real token.
func TestCheckInRequestJSON(t *testing.T) {
	target := demo.Store(demo.Bellecour, time.Time{})
	j, err := json.Marshal(basket.CheckInRequest{Token: printToken, Method: "qr", Target: target})
	require.NoError(t, err)
	var got struct {
		Token, ShortCode, Method string
		Target                   channel.Context
	}
	require.NoError(t, json.Unmarshal(j, &got))
	assert.Equal(t, "[redacted 112 bytes]", got.Token)
	assert.Empty(t, got.ShortCode)
	assert.Equal(t, "qr", got.Method)
	assert.Equal(t, target, got.Target)

	var in basket.CheckInRequest
	require.NoError(t, json.Unmarshal([]byte(`{"Token":"`+printToken+`","Method":"nfc","Target":{"channel_id":"store-x","location_id":"x"}}`), &in))
	assert.Equal(t, printToken, in.Token)
	assert.Equal(t, "nfc", in.Method)
	assert.Equal(t, "x", in.Target.LocationID)
}
