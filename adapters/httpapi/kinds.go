package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/omnibasket/omnibasket/adapters/httpstock"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/message"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// errorKinds is the table behind [ErrorKinds], in matching order. The
// order follows three rules, each pinned by a test:
//
//  1. a kind comes before every kind it wraps (basket.ErrQuoteFrozen
//     before basket.ErrImmutable, each handoff refusal before
//     handoff.ErrRejected, basket.ErrPriceLabel before
//     basket.ErrMeasuredGoods before basket.ErrInvalid);
//  2. upstream failures come before basket.ErrSnapshot, which wraps them
//     (so a stock service that is down is named), and basket.ErrSnapshot
//     comes before the pricing, promotion and catalogue kinds, so that a
//     provider's broken data is the server's fault (5xx) and never
//     mistaken for the client's bad input (422);
//  3. the specific kinds of every package come before the packages'
//     "invalid input" umbrellas, so that an error carrying a cause (a
//     loyalty input error caused by a currency mismatch) is reported by
//     its cause.
//
// Aliases share their row: stock.ErrOutOfStock is stock.ErrInsufficientStock
// and payment.ErrCurrencyMismatch is pricing.ErrCurrencyMismatch.
//
// A row's Kind is part of the API: clients switch on it. Never rename
// one; add a row instead (docs/api-errors.md is regenerated from this
// table and a test compares the two).
func errorKinds() []ErrorKind {
	return []ErrorKind{
		// The HTTP layer, before a request reaches the Service.
		{ErrUnauthenticated, http.StatusUnauthorized, "unauthenticated", "Sign in first"},
		{ErrUnsupportedMediaType, http.StatusUnsupportedMediaType, "unsupported-media-type", "Send the body as application/json"},
		{ErrSlowRequest, http.StatusRequestTimeout, "slow-request", "The request arrived too slowly"},
		{ErrBodyTooLarge, http.StatusRequestEntityTooLarge, "body-too-large", "The body is too large"},
		{ErrNoRoute, http.StatusNotFound, "no-route", "No such resource"},
		{ErrMethodNotAllowed, http.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed here"},
		{ErrBadRequest, http.StatusBadRequest, "bad-request", "The request is malformed"},
		{ErrUnknownContext, http.StatusUnprocessableEntity, "unknown-context", "No such channel or location"},
		{ErrTooManyRequests, http.StatusTooManyRequests, "too-many-requests", "Too many requests"},

		// Conditional and idempotent calls.
		{basket.ErrStaleVersion, http.StatusPreconditionFailed, "stale-version", "The basket has changed since you read it"},
		{basket.ErrIdempotencyMismatch, http.StatusUnprocessableEntity, "idempotency-key-reused", "The Idempotency-Key was used for another request"},
		{basket.ErrIdempotencyKeyUsed, http.StatusConflict, "idempotency-key-in-use", "A request with this Idempotency-Key is still running"},

		// Check-in and check-out tokens, short codes and approvals: each
		// refusal before the umbrella handoff.ErrRejected.
		{handoff.ErrMalformed, http.StatusUnprocessableEntity, "token-malformed", "This code cannot be read"},
		{handoff.ErrUnknownKey, http.StatusUnprocessableEntity, "token-unknown-key", "This code is not valid"},
		{handoff.ErrBadSignature, http.StatusUnprocessableEntity, "token-bad-signature", "This code is not valid"},
		{handoff.ErrWrongPurpose, http.StatusUnprocessableEntity, "token-wrong-purpose", "This code is for another step"},
		{handoff.ErrWrongAudience, http.StatusUnprocessableEntity, "token-wrong-audience", "This code is for another store"},
		{handoff.ErrExpired, http.StatusUnprocessableEntity, "token-expired", "This code has expired; ask for a new one"},
		{handoff.ErrNotYetValid, http.StatusUnprocessableEntity, "token-not-yet-valid", "This code is not valid yet; check the clocks"},
		{handoff.ErrAlreadyUsed, http.StatusUnprocessableEntity, "token-already-used", "This code was already used; ask for a new one"},
		{handoff.ErrUnknownCode, http.StatusUnprocessableEntity, "short-code-unknown", "No such code at this store"},
		{handoff.ErrTooManyAttempts, http.StatusTooManyRequests, "too-many-attempts", "Too many wrong codes; wait a moment"},
		{handoff.ErrWrongSubject, http.StatusUnprocessableEntity, "approval-wrong-subject", "This approval is for another change"},
		{handoff.ErrRejected, http.StatusUnprocessableEntity, "token-rejected", "This code is not accepted"},
		{handoff.ErrTooManyCodes, http.StatusTooManyRequests, "too-many-short-codes", "Too many codes are waiting at this store"},
		{handoff.ErrNoSigningKey, http.StatusInternalServerError, "no-signing-key", "Check-in codes cannot be issued right now"},

		// The basket: specific kinds before those they wrap.
		{basket.ErrQuoteFrozen, http.StatusConflict, "quote-frozen", "The quote is frozen; reopen it as a cart to change it"},
		{basket.ErrAlreadyPaid, http.StatusConflict, "already-paid", "The basket is already paid"},
		{basket.ErrImmutable, http.StatusConflict, "immutable", "The basket is ordered and can no longer change"},
		{basket.ErrInvalidTransition, http.StatusConflict, "invalid-transition", "The basket cannot go to that status now"},
		{basket.ErrNotFound, http.StatusNotFound, "not-found", "No such basket"},
		{basket.ErrUnknownLine, http.StatusNotFound, "unknown-line", "No such line in the basket"},
		{basket.ErrNoOverride, http.StatusNotFound, "no-override", "This line has no price override"},
		{basket.ErrUnknownTender, http.StatusNotFound, "unknown-tender", "No such payment on the basket"},
		{basket.ErrForbidden, http.StatusForbidden, "forbidden", "You are not allowed to do this"},
		{basket.ErrApprovalRequired, http.StatusForbidden, "approval-required", "A manager's approval is needed"},
		{basket.ErrVersionConflict, http.StatusConflict, "version-conflict", "The basket kept changing; try again"},
		{basket.ErrAlreadyExists, http.StatusConflict, "already-exists", "A basket with this ID already exists"},
		{basket.ErrDuplicateCoupon, http.StatusConflict, "duplicate-coupon", "This coupon is already in the basket"},
		{basket.ErrNotOrderable, http.StatusConflict, "not-orderable", "The basket cannot be ordered as it is"},
		{basket.ErrNotPayable, http.StatusConflict, "not-payable", "The basket cannot be paid yet"},
		{basket.ErrNotReturnable, http.StatusConflict, "not-returnable", "These items cannot be returned"},
		{basket.ErrReturnWindowClosed, http.StatusConflict, "return-window-closed", "The return period is over"},
		{basket.ErrFulfilmentState, http.StatusConflict, "fulfilment-state", "This step is not possible for this order now"},
		{basket.ErrPriceLabel, http.StatusUnprocessableEntity, "price-label", "Price labels cannot be scanned; scan a weight label"},
		{basket.ErrMeasuredGoods, http.StatusUnprocessableEntity, "measured-goods", "This product is sold by measure; give a weight or length"},
		{basket.ErrMeasureTooPrecise, http.StatusUnprocessableEntity, "measure-too-precise", "The measure has too many decimals"},
		{basket.ErrFractionalQuantity, http.StatusUnprocessableEntity, "fractional-quantity", "This product is sold by the unit; give a whole number"},
		{basket.ErrUnitMismatch, http.StatusUnprocessableEntity, "unit-mismatch", "The quantity is not in the product's unit"},
		{basket.ErrProductMismatch, http.StatusUnprocessableEntity, "product-mismatch", "The product details disagree with the catalogue"},

		// Stock, and the stock service upstream: before basket.ErrSnapshot,
		// which wraps a provider's failure.
		{httpstock.ErrCircuitOpen, http.StatusServiceUnavailable, "stock-service-unavailable", "The stock service is unavailable; try again shortly"},
		{httpstock.ErrStatus, http.StatusBadGateway, "stock-service-error", "The stock service failed"},
		{httpstock.ErrMalformed, http.StatusBadGateway, "stock-service-malformed", "The stock service sent an unreadable answer"},
		{httpstock.ErrTooLarge, http.StatusBadGateway, "stock-service-too-large", "The stock service sent too large an answer"},
		{httpstock.ErrConfig, http.StatusInternalServerError, "stock-service-misconfigured", "The stock service is misconfigured"},
		{stock.ErrInsufficientStock, http.StatusConflict, "out-of-stock", "Not enough stock"},
		{stock.ErrUnknown, http.StatusServiceUnavailable, "stock-unknown", "Stock levels cannot be read right now"},
		{basket.ErrSnapshot, http.StatusBadGateway, "snapshot-incomplete", "Prices or stock could not be read; try again"},
		{basket.ErrNotConfigured, http.StatusNotImplemented, "not-configured", "This server does not offer this operation"},
		{catalog.ErrUnknownProduct, http.StatusUnprocessableEntity, "unknown-product", "This product is not in the catalogue"},
		{catalog.ErrInvalidBarcode, http.StatusUnprocessableEntity, "invalid-barcode", "This barcode cannot be read"},
		{stock.ErrNotFound, http.StatusNotFound, "reservation-not-found", "No such reservation"},
		{stock.ErrConflict, http.StatusUnprocessableEntity, "stock-request-key-reused", "The request key was used for another reservation"},

		// Money and prices.
		{pricing.ErrCurrencyMismatch, http.StatusUnprocessableEntity, "currency-mismatch", "The amount is in another currency"},
		{pricing.ErrUnknownCurrency, http.StatusUnprocessableEntity, "unknown-currency", "Unknown currency"},
		{pricing.ErrOverflow, http.StatusUnprocessableEntity, "amount-out-of-range", "The amount is too large"},
		{pricing.ErrTooPrecise, http.StatusUnprocessableEntity, "amount-too-precise", "The amount has too many decimals for its currency"},
		{pricing.ErrSyntax, http.StatusUnprocessableEntity, "amount-syntax", "The amount is not a number"},
		{pricing.ErrNoPrice, http.StatusUnprocessableEntity, "no-price", "This product has no price here"},
		{pricing.ErrNoTaxRate, http.StatusInternalServerError, "no-tax-rate", "This product has no tax rate here"},

		// Payment: tenders, gift cards and vouchers.
		{payment.ErrNegative, http.StatusUnprocessableEntity, "negative-amount", "The amount must not be negative"},
		{payment.ErrUnknownKind, http.StatusUnprocessableEntity, "unknown-tender-kind", "Unknown kind of payment"},
		{payment.ErrOverTender, http.StatusUnprocessableEntity, "over-tender", "A card cannot pay more than what remains"},
		{payment.ErrNotSettled, http.StatusUnprocessableEntity, "not-settled", "The payments do not cover the total"},
		{payment.ErrUnknownCode, http.StatusUnprocessableEntity, "voucher-unknown", "No such gift card or voucher"},
		{payment.ErrNotRedeemable, http.StatusUnprocessableEntity, "voucher-not-redeemable", "This gift card or voucher cannot be used now"},
		{payment.ErrInsufficientBalance, http.StatusUnprocessableEntity, "insufficient-balance", "Not enough balance on this card"},
		{payment.ErrRedemptionConflict, http.StatusUnprocessableEntity, "redemption-id-reused", "The redemption ID was used for other debits"},
		{payment.ErrUnknownRedemption, http.StatusNotFound, "redemption-not-found", "No such redemption"},
		{payment.ErrReversed, http.StatusConflict, "redemption-reversed", "This redemption was reversed"},

		// Loyalty.
		{loyalty.ErrInsufficientPoints, http.StatusUnprocessableEntity, "insufficient-points", "Not enough loyalty points"},
		{loyalty.ErrNotBurnable, http.StatusUnprocessableEntity, "points-not-burnable", "Points cannot pay in this currency"},
		{loyalty.ErrNotFound, http.StatusNotFound, "loyalty-not-found", "No such loyalty account or reservation"},
		{loyalty.ErrConflict, http.StatusUnprocessableEntity, "loyalty-operation-reused", "The loyalty operation ID was used for another operation"},
		{loyalty.ErrClosed, http.StatusConflict, "loyalty-reservation-closed", "This points reservation is already closed"},

		// The retailer's own configuration: promotions, catalogue data,
		// sentence catalogues and channel contexts come from the server,
		// never from the client, so they are server faults.
		{promotion.ErrMeasuredUnits, http.StatusInternalServerError, "promotion-measured-units", "A promotion counts units of goods sold by measure"},
		{catalog.ErrInvalidProduct, http.StatusInternalServerError, "catalogue-invalid-product", "The catalogue holds a product that cannot be sold"},
		{catalog.ErrDuplicateKey, http.StatusInternalServerError, "catalogue-duplicate-key", "The catalogue names two products the same"},
		{catalog.ErrInvalidLayout, http.StatusInternalServerError, "catalogue-invalid-layout", "The barcode layouts are misconfigured"},
		{message.ErrLocale, http.StatusInternalServerError, "message-locale", "The sentence catalogue is misconfigured"},
		{message.ErrUnknownKey, http.StatusInternalServerError, "message-unknown-key", "The sentence catalogue is misconfigured"},
		{message.ErrUnknownPlaceholder, http.StatusInternalServerError, "message-unknown-placeholder", "The sentence catalogue is misconfigured"},
		{message.ErrSyntax, http.StatusInternalServerError, "message-syntax", "The sentence catalogue is misconfigured"},
		{message.ErrFormat, http.StatusInternalServerError, "message-format", "The sentence catalogue is misconfigured"},

		// The "invalid input" umbrellas, last.
		{basket.ErrInvalid, http.StatusUnprocessableEntity, "invalid", "The request is not valid"},
		{handoff.ErrInvalid, http.StatusUnprocessableEntity, "handoff-invalid", "The check-in request is not valid"},
		{stock.ErrInvalid, http.StatusUnprocessableEntity, "stock-invalid", "The stock request is not valid"},
		{pricing.ErrInvalid, http.StatusUnprocessableEntity, "pricing-invalid", "The amount or price is not valid"},
		{payment.ErrInvalid, http.StatusUnprocessableEntity, "payment-invalid", "The payment is not valid"},
		{loyalty.ErrInvalid, http.StatusUnprocessableEntity, "loyalty-invalid", "The loyalty request is not valid"},
		{promotion.ErrInvalid, http.StatusInternalServerError, "promotion-invalid", "The promotions are misconfigured"},
		{channel.ErrInvalid, http.StatusInternalServerError, "invalid-context", "The channel is misconfigured"},
		{message.ErrInvalid, http.StatusInternalServerError, "message-invalid", "The sentence catalogue is misconfigured"},
	}
}

// lineOf names the basket line an error is about, if any: the LineID of
// a [*basket.LimitError], or the line an [*basket.InputError] names. The
// basket package names a line in an InputError in two ways, both read
// here: the ID itself as Reason with Field "LineID" or "ParentID" (an
// unknown line), and the ID in brackets in Field ("Lines[L0003].Quantity",
// "Overrides[L0002].Amount"). Only strings shaped like a line ID
// ("L0001") are returned, so a reason or an index is never mistaken for
// one.
func lineOf(err error) string {
	var limit *basket.LimitError
	if errors.As(err, &limit) && isLineID(limit.LineID) {
		return limit.LineID
	}
	var in *basket.InputError
	if !errors.As(err, &in) {
		return ""
	}
	if (in.Field == "LineID" || in.Field == "ParentID") && isLineID(in.Reason) {
		return in.Reason
	}
	for f := in.Field; ; {
		i := strings.IndexByte(f, '[')
		if i < 0 {
			return ""
		}
		j := strings.IndexByte(f[i:], ']')
		if j < 0 {
			return ""
		}
		if id := f[i+1 : i+j]; isLineID(id) {
			return id
		}
		f = f[i+j:]
	}
}

// isLineID reports whether s is shaped like a basket line ID: "L" and at
// least four digits.
func isLineID(s string) bool {
	if len(s) < 5 || s[0] != 'L' {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// fieldOf names the input an error is about, in the API's terms: a
// [*RequestError]'s field as it is (it already names the header, path
// segment, query parameter or body field), the field of the library's
// typed input errors in snake_case ("Lines[L0003].Quantity" becomes
// "lines[L0003].quantity", "LineID" becomes "line_id"), "sku" or
// "barcode" for an unknown product, "channel_id" or "location_id" for an
// unknown context.
func fieldOf(err error) string {
	var (
		req     *RequestError
		unknown *UnknownContextError
		bin     *basket.InputError
		product *catalog.UnknownProductError
		code    *catalog.BarcodeError
		sin     *stock.InputError
		pin     *pricing.InputError
		payin   *payment.InputError
		tender  *payment.TenderError
		voucher *payment.CodeError
		lin     *loyalty.InputError
	)
	switch {
	case errors.As(err, &req):
		return req.Field
	case errors.As(err, &unknown):
		// The field to fix: the one given, or the one to add when the
		// one given is ambiguous.
		switch {
		case unknown.Ambiguous && unknown.ChannelID == "":
			return "channel_id"
		case unknown.Ambiguous || unknown.LocationID != "":
			return "location_id"
		}
		return "channel_id"
	case errors.As(err, &bin):
		return snakeField(bin.Field)
	case errors.As(err, &product):
		if len(product.SKUs) == 0 && len(product.Barcodes) > 0 {
			return "barcode"
		}
		return "sku"
	case errors.As(err, &code):
		return "barcode"
	case errors.As(err, &tender):
		return "tenders[" + strconv.Itoa(tender.Index) + "]"
	case errors.As(err, &voucher):
		return "code"
	case errors.As(err, &payin):
		return snakeField(payin.Field)
	case errors.As(err, &sin):
		return snakeField(sin.Field)
	case errors.As(err, &pin):
		return snakeField(pin.Field)
	case errors.As(err, &lin):
		return snakeField(lin.Field)
	}
	return ""
}

// snakeField turns a Go field path ("Context.LocationID",
// "Lines[L0003].Quantity") into the API's snake_case
// ("context.location_id", "lines[L0003].quantity"), keeping what is in
// brackets (a line ID or an index) as it is.
func snakeField(f string) string {
	var b strings.Builder
	b.Grow(len(f) + 4)
	depth := 0
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case c == '[':
			depth++
		case c == ']' && depth > 0:
			depth--
		case depth == 0 && c >= 'A' && c <= 'Z':
			// An upper-case letter starts a word when it follows a lower-case
			// letter or a digit ("lineID" → line_id), or when it ends an
			// acronym before a lower-case letter ("SKUList" → sku_list).
			if i > 0 {
				prev := f[i-1]
				lowerPrev := prev >= 'a' && prev <= 'z' || prev >= '0' && prev <= '9'
				upperPrev := prev >= 'A' && prev <= 'Z'
				lowerNext := i+1 < len(f) && f[i+1] >= 'a' && f[i+1] <= 'z'
				if lowerPrev || upperPrev && lowerNext {
					b.WriteByte('_')
				}
			}
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}
