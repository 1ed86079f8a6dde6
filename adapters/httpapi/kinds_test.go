package httpapi

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/omnibasket/omnibasket/adapters/httpstock"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/message"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// update rewrites the golden files of this package's tests (go test
// -update). Other golden tests of the package reuse it.
var update = flag.Bool("update", false, "rewrite golden files")

// problemCase is one documented example of the table: an error as the
// library builds it, and the problem the client sees.
type problemCase struct {
	name   string
	err    error
	status int
	kind   string
	field  string
	line   string
}

func problemCases() []problemCase {
	return []problemCase{
		// The HTTP layer.
		{"malformed header", &RequestError{In: "header", Field: "If-Match", Reason: `must be the basket's ETag, like "7"`}, 400, "bad-request", "If-Match", ""},
		{"not JSON", &MediaTypeError{Got: "text/plain"}, 415, "unsupported-media-type", "", ""},
		{"body too large", &BodyTooLargeError{Limit: 1 << 20}, 413, "body-too-large", "", ""},
		{"expired bearer token", &CredentialsError{Scheme: "Bearer", Reason: ReasonExpired}, 401, "unauthenticated", "", ""},
		{"unknown API key", &CredentialsError{Scheme: "ApiKey", Reason: ReasonUnknownKey}, 401, "unauthenticated", "", ""},
		{"unknown location", &UnknownContextError{LocationID: "paris-01"}, 422, "unknown-context", "location_id", ""},
		{"unknown channel", &UnknownContextError{ChannelID: "app"}, 422, "unknown-context", "channel_id", ""},
		{"location of several channels", &UnknownContextError{LocationID: "x", Ambiguous: true}, 422, "unknown-context", "channel_id", ""},
		{"channel of several locations", &UnknownContextError{ChannelID: "web", Ambiguous: true}, 422, "unknown-context", "location_id", ""},
		{"no route", ErrNoRoute, 404, "no-route", "", ""},

		// Conditions and idempotency.
		{"stale If-Match", &basket.StaleVersionError{ID: uuid.Nil, Expected: 5, Current: 7}, 412, "stale-version", "", ""},
		{"idempotency key reused", basket.ErrIdempotencyMismatch, 422, "idempotency-key-reused", "", ""},
		{"version conflict after retries", &basket.VersionConflictError{Expected: 3, Current: 4}, 409, "version-conflict", "", ""},
		{"document series conflict", &basket.SeriesConflictError{Series: "INV-2026", Last: time.Unix(0, 0)}, 409, "version-conflict", "", ""},

		// Check-in.
		{"expired check-in token", handoff.ErrExpired, 422, "token-expired", "", ""},
		{"used check-in token", fmt.Errorf("check-in: %w", handoff.ErrAlreadyUsed), 422, "token-already-used", "", ""},
		{"forged check-in token", handoff.ErrBadSignature, 422, "token-bad-signature", "", ""},
		{"short-code guessing", handoff.ErrTooManyAttempts, 429, "too-many-attempts", "", ""},
		{"wrong approval", handoff.ErrWrongSubject, 422, "approval-wrong-subject", "", ""},
		{"check-in without handoff", &basket.InputError{Field: "Config.Handoff", Reason: "check-in tokens are not configured", Kind: basket.ErrNotConfigured}, 501, "not-configured", "", ""},

		// The basket.
		{"edit of a quote", basket.ErrQuoteFrozen, 409, "quote-frozen", "", ""},
		{"paid twice", basket.ErrAlreadyPaid, 409, "already-paid", "", ""},
		{"reopening an order", &basket.TransitionError{From: basket.Ordered, To: basket.Cart}, 409, "immutable", "", ""},
		{"quote of an abandoned basket", &basket.TransitionError{From: basket.Abandoned, To: basket.Quote}, 409, "invalid-transition", "", ""},
		{"unknown line", &basket.InputError{Field: "LineID", Reason: "L0042", Kind: basket.ErrUnknownLine}, 404, "unknown-line", "line_id", "L0042"},
		{"unknown parent line", &basket.InputError{Field: "ParentID", Reason: "L0007", Kind: basket.ErrUnknownLine}, 404, "unknown-line", "parent_id", "L0007"},
		{"no override", &basket.InputError{Field: "LineID", Reason: "line L0002 has no override", Kind: basket.ErrNoOverride}, 404, "no-override", "line_id", ""},
		{"override above the limit", &basket.LimitError{LineID: "L0003", Role: "associate", Asked: pricing.MustParse("30.00", "EUR"), Limit: pricing.MustParse("10.00", "EUR")}, 403, "approval-required", "", "L0003"},
		{"bad line quantity", &basket.InputError{Field: "Lines[L0003].Quantity", Reason: "must be positive"}, 422, "invalid", "lines[L0003].quantity", "L0003"},
		{"return of a foreign line", &basket.InputError{Field: "Return.Lines[L0009]", Reason: "not a line of the order", Kind: basket.ErrUnknownLine}, 404, "unknown-line", "return.lines[L0009]", "L0009"},
		{"merge of another's basket", &basket.InputError{Field: "Actor", Reason: "a check-in is redeemed by a store associate", Kind: basket.ErrForbidden}, 403, "forbidden", "actor", ""},
		{"order with a line short", &basket.InputError{Field: "Lines", Reason: "line L0001 cannot be fulfilled in full", Kind: basket.ErrNotOrderable}, 409, "not-orderable", "lines", ""},
		{"price label", fmt.Errorf("scan: %w", basket.ErrPriceLabel), 422, "price-label", "", ""},
		{"cheese by the unit", basket.ErrMeasuredGoods, 422, "measured-goods", "", ""},
		{"half a mug", basket.ErrFractionalQuantity, 422, "fractional-quantity", "", ""},
		{"unknown SKU", &basket.InputError{Field: "SKU", Reason: "NOPE is not in the catalogue", Kind: &catalog.UnknownProductError{SKUs: []string{"NOPE"}}}, 422, "unknown-product", "sku", ""},
		{"unknown barcode", &catalog.UnknownProductError{Barcodes: []catalog.GTIN{catalog.MustGTIN("4006381333931")}}, 422, "unknown-product", "barcode", ""},
		{"misread barcode", &catalog.BarcodeError{Code: "4006381333932", Rule: catalog.RuleCheckDigit}, 422, "invalid-barcode", "barcode", ""},
		{"not settled", &basket.InputError{Field: "Tenders", Reason: "12.00 EUR remains to pay", Kind: payment.ErrNotSettled}, 422, "not-settled", "tenders", ""},

		// Stock and the stock service.
		{"out of stock", &stock.ShortageError{Shortages: []stock.Shortage{{SKU: "MUG-STONE", LocationID: demo.Bellecour, Requested: 3, Available: 1}}}, 409, "out-of-stock", "", ""},
		{"unknown level is out of stock", &stock.ShortageError{Shortages: []stock.Shortage{{SKU: "MUG-STONE", LocationID: demo.Bellecour, Requested: 3, Unknown: true}}}, 409, "out-of-stock", "", ""},
		{"stock service circuit open", &httpstock.Error{Endpoint: "https://erp.internal/levels", Err: httpstock.ErrCircuitOpen}, 503, "stock-service-unavailable", "", ""},
		{"stock service 500", &httpstock.Error{Endpoint: "https://erp.internal/levels", Attempts: 3, StatusCode: 500, Err: &httpstock.StatusError{StatusCode: 500}}, 502, "stock-service-error", "", ""},
		{"stock service in a snapshot", fmt.Errorf("%w: locations: %w", basket.ErrSnapshot, &httpstock.Error{Err: fmt.Errorf("%w: levels is not an array", httpstock.ErrMalformed)}), 502, "stock-service-malformed", "", ""},
		{"stock level unknown", stock.ErrUnknown, 503, "stock-unknown", "", ""},
		{"no reservation", &stock.NotFoundError{BasketID: "b", LocationID: demo.Bellecour}, 404, "reservation-not-found", "", ""},
		{"stock request key reused", &stock.ConflictError{BasketID: "b", RequestKey: "k"}, 422, "stock-request-key-reused", "", ""},
		{"stock input", &stock.InputError{Field: "Lines[2].Quantity", Reason: "must be positive"}, 422, "stock-invalid", "lines[2].quantity", ""},

		// Money.
		{"price list broken in a snapshot", fmt.Errorf("%w: prices: %w", basket.ErrSnapshot, &pricing.InputError{Field: "Amount", Reason: "bad"}), 502, "snapshot-incomplete", "", ""},
		{"currency mismatch", &pricing.InputError{Field: "Amount", Reason: "USD in a EUR basket", Kind: pricing.ErrCurrencyMismatch}, 422, "currency-mismatch", "amount", ""},
		{"no price here", &pricing.NoPriceError{SKU: "MUG-STONE", Lists: []string{"store"}}, 422, "no-price", "", ""},
		{"no tax rate", &pricing.NoTaxRateError{Zone: "FR", Category: "books"}, 500, "no-tax-rate", "", ""},
		{"amount input", &pricing.InputError{Field: "Weight", Reason: "negative"}, 422, "pricing-invalid", "weight", ""},

		// Payment and loyalty.
		{"card above what remains", &payment.TenderError{Index: 1, Kind: payment.Card, Reason: "above", Err: payment.ErrOverTender}, 422, "over-tender", "tenders[1]", ""},
		{"unknown gift card", &payment.CodeError{Code: "GC-0", Status: payment.Unknown}, 422, "voucher-unknown", "code", ""},
		{"blocked gift card", &payment.CodeError{Code: "GC-0", Status: payment.Blocked}, 422, "voucher-not-redeemable", "code", ""},
		{"gift card balance", &payment.BalanceError{Code: "GC-0", Balance: pricing.MustParse("3.00", "EUR"), Requested: pricing.MustParse("5.00", "EUR")}, 422, "insufficient-balance", "", ""},
		{"redemption reused", &payment.ConflictError{ID: "r1"}, 422, "redemption-id-reused", "", ""},
		{"negative tender", &payment.InputError{Field: "Amount", Reason: "below zero", Kind: payment.ErrNegative}, 422, "negative-amount", "amount", ""},
		{"points in another currency", &loyalty.InputError{Field: "Amount", Reason: "USD", Err: pricing.ErrCurrencyMismatch}, 422, "currency-mismatch", "amount", ""},
		{"not enough points", &loyalty.InsufficientError{Account: "A1", Requested: 500, Available: 100}, 422, "insufficient-points", "", ""},
		{"no loyalty account", &loyalty.NotFoundError{Account: "A1"}, 404, "loyalty-not-found", "", ""},
		{"loyalty operation reused", &loyalty.ConflictError{ID: "op"}, 422, "loyalty-operation-reused", "", ""},
		{"loyalty reservation closed", &loyalty.ClosedError{Reservation: "r"}, 409, "loyalty-reservation-closed", "", ""},
		{"loyalty input", &loyalty.InputError{Field: "Points", Reason: "must be positive"}, 422, "loyalty-invalid", "points", ""},

		// The server's configuration.
		{"promotion counting measured units", &promotion.ValidationError{PromotionID: "P1", Field: "Effect", Reason: "measured", Err: &promotion.MeasuredError{PromotionID: "P1", SKU: "CHEESE", Use: "bundle-price"}}, 500, "promotion-measured-units", "", ""},
		{"promotion input", &promotion.InputError{Field: "lines[0].Quantity", Reason: "negative"}, 500, "promotion-invalid", "", ""},
		{"invalid channel context", &channel.FieldError{Field: "TaxZone", Reason: "must not be empty"}, 500, "invalid-context", "", ""},
		{"sentence catalogue", &message.InputError{Locale: "fr", Key: "price-changed", Reason: "{", Kind: message.ErrSyntax}, 500, "message-syntax", "", ""},
		{"catalogue duplicate", &catalog.ProductError{SKU: "X", Field: "SKU", Reason: "twice", Kind: catalog.ErrDuplicateKey}, 500, "catalogue-duplicate-key", "", ""},
		{"catalogue product", &catalog.ProductError{SKU: "X", Field: "Name", Reason: "empty"}, 500, "catalogue-invalid-product", "", ""},

		// Time limits and faults.
		{"timeout", fmt.Errorf("saving: %w", context.DeadlineExceeded), 503, "timeout", "", ""},
		{"timeout inside a snapshot", fmt.Errorf("%w: prices: %w", basket.ErrSnapshot, context.DeadlineExceeded), 503, "timeout", "", ""},
		{"client gone, basket missing", errors.Join(basket.ErrNotFound, context.Canceled), 404, "not-found", "", ""},
		{"client gone", context.Canceled, 499, "canceled", "", ""},
		{"anything else", errors.New("postgres: dial tcp 10.0.0.7:5432: connection refused"), 500, "internal", "", ""},
	}
}

func TestProblemForDocumentedExamples(t *testing.T) {
	for _, c := range problemCases() {
		t.Run(c.name, func(t *testing.T) {
			p := problemFor(c.err)
			assert.Equal(t, c.status, p.Status)
			assert.Equal(t, c.kind, p.Kind)
			assert.Equal(t, ProblemTypePrefix+c.kind, p.Type)
			assert.Equal(t, c.field, p.Field)
			assert.Equal(t, c.line, p.LineID)
			if c.status < 500 && c.kind != "canceled" {
				assert.Equal(t, c.err.Error(), p.Detail)
			}
		})
	}
}

func TestProblemForExtensionMembers(t *testing.T) {
	p := problemFor(&basket.StaleVersionError{Expected: 5, Current: 7})
	require.NotNil(t, p.CurrentVersion)
	assert.Equal(t, int64(7), *p.CurrentVersion)

	p = problemFor(fmt.Errorf("ordering: %w", &stock.ShortageError{Shortages: []stock.Shortage{
		{SKU: "MUG-STONE", LocationID: demo.Bellecour, Requested: 3, Available: 1},
		{SKU: "VASE-TALL", LocationID: demo.Bellecour, Requested: 2, Unknown: true},
	}}))
	assert.Equal(t, []ProblemShortage{
		{SKU: "MUG-STONE", LocationID: demo.Bellecour, Requested: 3, Available: 1, Missing: 2},
		{SKU: "VASE-TALL", LocationID: demo.Bellecour, Requested: 2, Missing: 2, Unknown: true},
	}, p.Shortages)
	assert.Nil(t, problemFor(basket.ErrNotFound).Shortages)
}

// TestEveryKindMatchesItself pins the order of the table: each row's own
// error, bare or wrapped, maps to that row, so no earlier row shadows it
// (a kind listed after a kind it wraps would map to the wrapped one).
func TestEveryKindMatchesItself(t *testing.T) {
	for _, k := range ErrorKinds() {
		for _, err := range []error{k.Err, fmt.Errorf("context: %w", k.Err), fmt.Errorf("a: %w", fmt.Errorf("b: %w", k.Err))} {
			p := problemFor(err)
			assert.Equal(t, k.Kind, p.Kind, "%v", err)
			assert.Equal(t, k.Status, p.Status, "%v", err)
		}
	}
}

// TestWrappedMapsTheSame: whatever wraps an error (fmt.Errorf, several
// levels, errors.Join with an error of no kind), its problem is the same.
func TestWrappedMapsTheSame(t *testing.T) {
	cases := problemCases()
	rapid.Check(t, func(t *rapid.T) {
		c := cases[rapid.IntRange(0, len(cases)-1).Draw(t, "case")]
		want := problemFor(c.err)
		err := c.err
		for i := range rapid.IntRange(1, 4).Draw(t, "depth") {
			if rapid.Bool().Draw(t, "join") {
				err = errors.Join(err, errors.New("unrelated"))
			} else {
				err = fmt.Errorf("layer %d: %w", i, err)
			}
		}
		got := problemFor(err)
		if got.Status != want.Status || got.Kind != want.Kind || got.Field != want.Field || got.LineID != want.LineID {
			t.Fatalf("%s: %v gives %+v, the bare error %+v", c.name, err, got, want)
		}
	})
}

// TestServerFaultsHideTheirText: the text of an error answered with a 5xx
// (a DSN, a host, a table) reaches the log, never the client; the
// response names no field or line of the server's own data.
func TestServerFaultsHideTheirText(t *testing.T) {
	const secret = "postgres://omnibasket:hunter2@10.0.0.7/prod"
	var errs []error
	for _, k := range ErrorKinds() {
		if k.Status >= 500 {
			errs = append(errs, fmt.Errorf("%s: %w", secret, k.Err))
		}
	}
	errs = append(errs, errors.New(secret),
		&basket.InputError{Field: "Snapshot.Fees", Reason: secret, Kind: basket.ErrSnapshot},
		fmt.Errorf("%s: %w", secret, context.DeadlineExceeded))
	require.Greater(t, len(errs), 10)

	var logged bytes.Buffer
	a := &API{log: slog.New(slog.NewTextHandler(&logged, nil))}
	for _, err := range errs {
		rec := httptest.NewRecorder()
		a.writeProblem(rec, httptest.NewRequest(http.MethodGet, "/v1/baskets", nil), err)
		assert.GreaterOrEqual(t, rec.Code, 500, "%v", err)
		assert.NotContains(t, rec.Body.String(), "hunter2", "%v", err)
		assert.NotContains(t, rec.Body.String(), "10.0.0.7", "%v", err)
		assert.NotContains(t, rec.Body.String(), `"field"`, "%v", err)
		assert.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
	}
	assert.Contains(t, logged.String(), "hunter2", "the operator still sees the cause")
}

var kindName = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// TestKindsAreUniqueAndWellFormed: one type per row, URI-safe, no clash
// with the kinds problemFor adds itself, statuses of errors only, titles a
// tablet can show as they are.
func TestKindsAreUniqueAndWellFormed(t *testing.T) {
	seen := map[string]bool{"internal": true, "timeout": true, "canceled": true}
	errs := map[error]string{}
	for _, k := range ErrorKinds() {
		assert.Regexp(t, kindName, k.Kind)
		assert.False(t, seen[k.Kind], "kind %q is used twice", k.Kind)
		seen[k.Kind] = true
		if other, dup := errs[k.Err]; dup {
			t.Errorf("%v has two rows: %q and %q", k.Err, other, k.Kind)
		}
		errs[k.Err] = k.Kind
		assert.True(t, k.Status >= 400 && k.Status <= 599 && http.StatusText(k.Status) != "", "%s: status %d", k.Kind, k.Status)
		assert.NotEmpty(t, k.Title, k.Kind)
		assert.LessOrEqual(t, len(k.Title), 60, "%s: a title is a short sentence", k.Kind)
		assert.Regexp(t, `^[A-Z][^\n]*[^.\s]$`, k.Title, "%s: a title starts with a capital and has no final period", k.Kind)
	}
}

// The packages whose exported errors a Service call or the API can
// return: their every exported package-level Err… variable must have a
// row.
var errorPackages = []string{
	"adapters/httpapi", "adapters/httpstock", "basket", "basket/handoff", "catalog", "channel",
	"loyalty", "message", "payment", "pricing", "promotion", "stock",
}

// Packages with exported errors that never reach a request, and why.
var errorPackagesExcluded = map[string]string{
	"adapters/csv": "loads files when the server starts or reloads; a load error never answers a request",
	"adapters/postgres": "its own errors come from history retention (DropHistory) and from rebuilding a version " +
		"whose month retention dropped, which a request meets only if idempotency records outlive the history: " +
		"a day of idempotency against months of history rules it out (docs/capacity.md)",
}

// libraryErrors maps "package.Name" to the variable, for the
// completeness test to find each one's row by identity. Aliases name the
// same value as the variable they alias.
var libraryErrors = map[string]error{
	"httpapi.ErrBadRequest": ErrBadRequest, "httpapi.ErrUnauthenticated": ErrUnauthenticated,
	"httpapi.ErrUnsupportedMediaType": ErrUnsupportedMediaType, "httpapi.ErrBodyTooLarge": ErrBodyTooLarge, "httpapi.ErrSlowRequest": ErrSlowRequest,
	"httpapi.ErrUnknownContext": ErrUnknownContext, "httpapi.ErrNoRoute": ErrNoRoute,
	"httpapi.ErrMethodNotAllowed": ErrMethodNotAllowed, "httpapi.ErrTooManyRequests": ErrTooManyRequests,

	"httpstock.ErrCircuitOpen": httpstock.ErrCircuitOpen, "httpstock.ErrStatus": httpstock.ErrStatus,
	"httpstock.ErrMalformed": httpstock.ErrMalformed, "httpstock.ErrTooLarge": httpstock.ErrTooLarge,
	"httpstock.ErrConfig": httpstock.ErrConfig,

	"basket.ErrNotFound": basket.ErrNotFound, "basket.ErrAlreadyExists": basket.ErrAlreadyExists,
	"basket.ErrVersionConflict": basket.ErrVersionConflict, "basket.ErrStaleVersion": basket.ErrStaleVersion,
	"basket.ErrInvalid": basket.ErrInvalid, "basket.ErrUnknownLine": basket.ErrUnknownLine,
	"basket.ErrDuplicateCoupon": basket.ErrDuplicateCoupon, "basket.ErrImmutable": basket.ErrImmutable,
	"basket.ErrInvalidTransition": basket.ErrInvalidTransition, "basket.ErrNotOrderable": basket.ErrNotOrderable,
	"basket.ErrIdempotencyMismatch": basket.ErrIdempotencyMismatch, "basket.ErrForbidden": basket.ErrForbidden,
	"basket.ErrSnapshot": basket.ErrSnapshot, "basket.ErrQuoteFrozen": basket.ErrQuoteFrozen,
	"basket.ErrNotConfigured": basket.ErrNotConfigured, "basket.ErrNotReturnable": basket.ErrNotReturnable,
	"basket.ErrReturnWindowClosed": basket.ErrReturnWindowClosed, "basket.ErrFulfilmentState": basket.ErrFulfilmentState,
	"basket.ErrMeasuredGoods": basket.ErrMeasuredGoods, "basket.ErrPriceLabel": basket.ErrPriceLabel,
	"basket.ErrProductMismatch": basket.ErrProductMismatch, "basket.ErrIdempotencyKeyUsed": basket.ErrIdempotencyKeyUsed,
	"basket.ErrApprovalRequired": basket.ErrApprovalRequired, "basket.ErrNoOverride": basket.ErrNoOverride,
	"basket.ErrMeasureTooPrecise": basket.ErrMeasureTooPrecise, "basket.ErrFractionalQuantity": basket.ErrFractionalQuantity,
	"basket.ErrUnitMismatch": basket.ErrUnitMismatch, "basket.ErrNotPayable": basket.ErrNotPayable,
	"basket.ErrAlreadyPaid": basket.ErrAlreadyPaid, "basket.ErrUnknownTender": basket.ErrUnknownTender,

	"handoff.ErrRejected": handoff.ErrRejected, "handoff.ErrMalformed": handoff.ErrMalformed,
	"handoff.ErrUnknownKey": handoff.ErrUnknownKey, "handoff.ErrBadSignature": handoff.ErrBadSignature,
	"handoff.ErrWrongPurpose": handoff.ErrWrongPurpose, "handoff.ErrWrongAudience": handoff.ErrWrongAudience,
	"handoff.ErrExpired": handoff.ErrExpired, "handoff.ErrNotYetValid": handoff.ErrNotYetValid,
	"handoff.ErrAlreadyUsed": handoff.ErrAlreadyUsed, "handoff.ErrUnknownCode": handoff.ErrUnknownCode,
	"handoff.ErrTooManyAttempts": handoff.ErrTooManyAttempts, "handoff.ErrInvalid": handoff.ErrInvalid,
	"handoff.ErrNoSigningKey": handoff.ErrNoSigningKey, "handoff.ErrTooManyCodes": handoff.ErrTooManyCodes,
	"handoff.ErrWrongSubject": handoff.ErrWrongSubject,

	"catalog.ErrInvalidBarcode": catalog.ErrInvalidBarcode, "catalog.ErrInvalidLayout": catalog.ErrInvalidLayout,
	"catalog.ErrUnknownProduct": catalog.ErrUnknownProduct, "catalog.ErrInvalidProduct": catalog.ErrInvalidProduct,
	"catalog.ErrDuplicateKey": catalog.ErrDuplicateKey,

	"channel.ErrInvalid": channel.ErrInvalid,

	"loyalty.ErrInvalid": loyalty.ErrInvalid, "loyalty.ErrInsufficientPoints": loyalty.ErrInsufficientPoints,
	"loyalty.ErrNotFound": loyalty.ErrNotFound, "loyalty.ErrConflict": loyalty.ErrConflict,
	"loyalty.ErrClosed": loyalty.ErrClosed, "loyalty.ErrNotBurnable": loyalty.ErrNotBurnable,

	"message.ErrInvalid": message.ErrInvalid, "message.ErrLocale": message.ErrLocale,
	"message.ErrUnknownKey": message.ErrUnknownKey, "message.ErrUnknownPlaceholder": message.ErrUnknownPlaceholder,
	"message.ErrSyntax": message.ErrSyntax, "message.ErrFormat": message.ErrFormat,

	"payment.ErrInvalid": payment.ErrInvalid, "payment.ErrNegative": payment.ErrNegative,
	"payment.ErrUnknownKind": payment.ErrUnknownKind, "payment.ErrCurrencyMismatch": payment.ErrCurrencyMismatch,
	"payment.ErrOverTender": payment.ErrOverTender, "payment.ErrNotSettled": payment.ErrNotSettled,
	"payment.ErrUnknownCode": payment.ErrUnknownCode, "payment.ErrNotRedeemable": payment.ErrNotRedeemable,
	"payment.ErrInsufficientBalance": payment.ErrInsufficientBalance, "payment.ErrRedemptionConflict": payment.ErrRedemptionConflict,
	"payment.ErrUnknownRedemption": payment.ErrUnknownRedemption, "payment.ErrReversed": payment.ErrReversed,

	"pricing.ErrCurrencyMismatch": pricing.ErrCurrencyMismatch, "pricing.ErrUnknownCurrency": pricing.ErrUnknownCurrency,
	"pricing.ErrOverflow": pricing.ErrOverflow, "pricing.ErrTooPrecise": pricing.ErrTooPrecise,
	"pricing.ErrSyntax": pricing.ErrSyntax, "pricing.ErrInvalid": pricing.ErrInvalid,
	"pricing.ErrNoPrice": pricing.ErrNoPrice, "pricing.ErrNoTaxRate": pricing.ErrNoTaxRate,

	"promotion.ErrInvalid": promotion.ErrInvalid, "promotion.ErrMeasuredUnits": promotion.ErrMeasuredUnits,

	"stock.ErrInvalid": stock.ErrInvalid, "stock.ErrInsufficientStock": stock.ErrInsufficientStock,
	"stock.ErrOutOfStock": stock.ErrOutOfStock, "stock.ErrUnknown": stock.ErrUnknown,
	"stock.ErrNotFound": stock.ErrNotFound, "stock.ErrConflict": stock.ErrConflict,
}

// moduleRoot is the module's directory, two levels up from this package.
func moduleRoot(t *testing.T) string {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(root, "go.mod"))
	require.NoError(t, err, "the module root holds go.mod")
	return root
}

// exportedErrors parses the non-test Go files of dir and returns
// "package.Name" for every exported package-level variable named Err….
func exportedErrors(t *testing.T, dir string) []string {
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	fset := token.NewFileSet()
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, s := range g.Specs {
				for _, n := range s.(*ast.ValueSpec).Names {
					if n.IsExported() && strings.HasPrefix(n.Name, "Err") {
						names = append(names, f.Name.Name+"."+n.Name)
					}
				}
			}
		}
	}
	slices.Sort(names)
	return names
}

// TestErrorKindsComplete: every exported error variable of the packages
// the API serves has a row (found by identity, so an alias counts as its
// target), and no package with exported errors escapes the list.
func TestErrorKindsComplete(t *testing.T) {
	root := moduleRoot(t)
	inTable := func(v error) bool {
		return slices.ContainsFunc(ErrorKinds(), func(k ErrorKind) bool { return k.Err == v })
	}
	found := map[string]bool{}
	for _, pkg := range errorPackages {
		names := exportedErrors(t, filepath.Join(root, pkg))
		require.NotEmpty(t, names, "%s has no exported errors: take it off errorPackages", pkg)
		for _, name := range names {
			found[name] = true
			v, ok := libraryErrors[name]
			switch {
			case !ok:
				t.Errorf("%s (in %s) is not in libraryErrors: add it there and give it a row in errorKinds()", name, pkg)
			case !inTable(v):
				t.Errorf("%s has no row in errorKinds()", name)
			}
		}
	}
	for name := range libraryErrors {
		assert.True(t, found[name], "libraryErrors names %s, which the packages no longer export", name)
	}

	// Every other package with exported errors is excluded on purpose.
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		base := d.Name()
		if rel != "." && (strings.HasPrefix(base, ".") || base == "testdata" || base == "internal" || base == "examples" || base == "cmd" || strings.HasSuffix(base, "test")) {
			return filepath.SkipDir // test suites, programs and private code return nothing to a client
		}
		if rel == "." || slices.Contains(errorPackages, rel) {
			return nil
		}
		if names := exportedErrors(t, path); len(names) > 0 {
			_, excluded := errorPackagesExcluded[rel]
			assert.True(t, excluded, "%s exports %v: add it to errorPackages (and its errors to the table), or to errorPackagesExcluded with the reason", rel, names)
		}
		return nil
	})
	require.NoError(t, err)
}

// TestProblemForServiceErrors drives the demo retailer's real Service,
// stock and check-in into failing, and checks what a client would see.
func TestProblemForServiceErrors(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(demo.Start())
	shop, err := demo.NewShop(ctx, demo.ShopOptions{Clock: clk})
	require.NoError(t, err)
	shopper := basket.Actor{Kind: basket.Shopper, ID: "cust-1"}
	b, err := shop.Service.Create(ctx, shopper, basket.CreateRequest{
		ID: uuid.MustParse("0b8e2f4c-2d0a-4f5e-9c1a-7d3b5e6f8a90"), Owner: basket.Owner{CustomerID: "cust-1"}, Context: demo.Web(clk.Now()),
	})
	require.NoError(t, err)

	check := func(err error, status int, kind, field, line string) Problem {
		t.Helper()
		require.Error(t, err)
		p := problemFor(err)
		assert.Equal(t, status, p.Status, "%v", err)
		assert.Equal(t, kind, p.Kind, "%v", err)
		assert.Equal(t, field, p.Field, "%v", err)
		assert.Equal(t, line, p.LineID, "%v", err)
		return p
	}

	_, err = shop.Service.RemoveLine(ctx, shopper, b.ID, "L0099")
	check(err, 404, "unknown-line", "line_id", "L0099")

	_, err = shop.Service.Get(ctx, shopper, uuid.MustParse("6f1c1d9e-8a5b-4c3d-9e2f-1a2b3c4d5e6f"))
	check(err, 404, "not-found", "", "")

	other := basket.Actor{Kind: basket.Shopper, ID: "cust-2"}
	_, err = shop.Service.Get(ctx, other, b.ID)
	check(err, 404, "not-found", "", "") // no grant looks like no basket

	_, err = shop.Service.AddLine(ctx, shopper, b.ID, basket.NewLine{SKU: "NO-SUCH-SKU", Quantity: 1})
	check(err, 422, "unknown-product", "sku", "")

	_, err = shop.Service.AddLine(ctx, shopper, b.ID, basket.NewLine{SKU: demo.Items()[0].SKU, Quantity: 1}, basket.WithIfVersion(b.Version+5))
	p := check(err, 412, "stale-version", "", "")
	require.NotNil(t, p.CurrentVersion)
	assert.Equal(t, b.Version, *p.CurrentVersion)

	_, err = shop.Stock.Reserve(ctx, stock.ReserveRequest{BasketID: b.ID.String(), RequestKey: "k1", LocationID: demo.Bellecour,
		Lines: []stock.ReserveLine{{SKU: demo.Items()[0].SKU, Quantity: 1_000_000}}, ExpiresAt: clk.Now().Add(time.Hour)})
	p = check(err, 409, "out-of-stock", "", "")
	require.Len(t, p.Shortages, 1)
	assert.Equal(t, demo.Items()[0].SKU, p.Shortages[0].SKU)
	assert.Equal(t, int64(1_000_000), p.Shortages[0].Requested)

	_, err = shop.Handoff.Redeem(ctx, "not-a-token", handoff.Expectation{Purpose: handoff.CheckIn, Retailer: demo.Retailer, Location: demo.Bellecour})
	check(err, 422, "token-malformed", "", "")

	_, err = pricing.Parse("1.234", "EUR")
	check(err, 422, "amount-too-precise", "", "")
	_, err = pricing.Parse("12.00", "XYZ")
	check(err, 422, "unknown-currency", "", "")
}

func TestSnakeField(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "",
		"sku":                    "sku",
		"SKU":                    "sku",
		"LineID":                 "line_id",
		"Context.LocationID":     "context.location_id",
		"Lines[L0003].Quantity":  "lines[L0003].quantity",
		"lines[2].Amount":        "lines[2].amount",
		"Overrides[L0002].Limit": "overrides[L0002].limit",
		"SKUList":                "sku_list",
		"Burn.Rates[0].Value":    "burn.rates[0].value",
		"Config.Handoff":         "config.handoff",
		"HTTPStatus2xx":          "http_status2xx",
	} {
		assert.Equal(t, want, snakeField(in), in)
	}
}

// TestLineOfOnlyReturnsLineIDs: whatever an error's field and reason say,
// lineOf returns a line ID or nothing.
func TestLineOfOnlyReturnsLineIDs(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		field := rapid.SampledFrom([]string{"LineID", "ParentID", "Lines", "SKU", ""}).Draw(t, "field") +
			rapid.StringMatching(`(\[[A-Za-z0-9]{0,6}\])?(\.[A-Za-z]{1,8})?`).Draw(t, "rest")
		reason := rapid.StringMatching(`L?[0-9]{0,6}|line L[0-9]{4} has no override|[a-z ]{0,12}`).Draw(t, "reason")
		err := &basket.InputError{Field: field, Reason: reason, Kind: basket.ErrUnknownLine}
		if id := lineOf(fmt.Errorf("w: %w", err)); id != "" {
			if !isLineID(id) || !strings.Contains(field, "["+id+"]") && id != reason {
				t.Fatalf("lineOf(%q, %q) = %q", field, reason, id)
			}
		}
	})
}

// The golden table in docs/api-errors.md.
const (
	goldenDoc   = "docs/api-errors.md"
	goldenBegin = "<!-- BEGIN GENERATED: go test ./adapters/httpapi -run TestErrorKindsDoc -update -->"
	goldenEnd   = "<!-- END GENERATED -->"
)

// errorKindsMarkdown renders ErrorKinds() as the Markdown table of the
// documentation, in matching order.
func errorKindsMarkdown() string {
	var b strings.Builder
	b.WriteString("| # | type (`urn:omnibasket:problem:…`) | status | title | matches |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for i, k := range ErrorKinds() {
		fmt.Fprintf(&b, "| %d | `%s` | %d %s | %s | %s |\n", i+1, k.Kind, k.Status, http.StatusText(k.Status), k.Title, errorNames(k.Err))
	}
	return b.String()
}

// errorNames lists the names of the variables that hold err, from
// libraryErrors, sorted ("pricing.ErrCurrencyMismatch,
// payment.ErrCurrencyMismatch").
func errorNames(err error) string {
	var names []string
	for name, v := range libraryErrors {
		if v == err {
			names = append(names, "`"+name+"`")
		}
	}
	slices.Sort(names)
	if len(names) == 0 {
		return "`" + strconv.Quote(err.Error()) + "`"
	}
	return strings.Join(names, ", ")
}

// TestErrorKindsDoc: the table of docs/api-errors.md is the table of the
// code, so a renamed type or a changed status shows in review as a
// change of the documented contract. go test -update rewrites it.
func TestErrorKindsDoc(t *testing.T) {
	path := filepath.Join(moduleRoot(t), goldenDoc)
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	doc := string(raw)
	begin := strings.Index(doc, goldenBegin)
	end := strings.Index(doc, goldenEnd)
	require.True(t, begin >= 0 && end > begin, "%s keeps the generated table between %q and %q", goldenDoc, goldenBegin, goldenEnd)
	table := errorKindsMarkdown()
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(doc[:begin+len(goldenBegin)]+"\n"+table+doc[end:]), 0o644))
		return
	}
	assert.Equal(t, table, doc[begin+len(goldenBegin)+1:end], "%s is stale: run go test ./adapters/httpapi -run TestErrorKindsDoc -update and review the diff", goldenDoc)
}
