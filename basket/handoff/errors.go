package handoff

import "errors"

// ErrRejected matches (with [errors.Is]) every error that means "the
// presented token or short code is not accepted": [ErrMalformed],
// [ErrBadSignature], [ErrUnknownKey], [ErrExpired], [ErrNotYetValid],
// [ErrWrongAudience], [ErrWrongPurpose], [ErrAlreadyUsed], [ErrUnknownCode],
// [ErrTooManyAttempts] and, for approvals, [ErrWrongSubject]. Bad input from the embedding program
// ([ErrInvalid]) and storage failures are not rejections.
var ErrRejected = errors.New("handoff: rejected")

// rejection is the type of the sentinel errors that refuse a credential.
// Each one also matches [ErrRejected].
type rejection string

func (r rejection) Error() string { return string(r) }

// Is reports whether target is the umbrella [ErrRejected].
func (r rejection) Is(target error) bool { return target == ErrRejected }

// Refusals of a presented token or short code. Their messages never name a
// key, a secret or the part of the MAC that did not match.
var (
	// ErrMalformed: the token is not a well-formed version-1 token (bad
	// length, bad base64, unknown version byte, truncated or trailing
	// fields), or a short code has the wrong length or characters.
	ErrMalformed error = rejection("handoff: malformed token")
	// ErrUnknownKey: the token names a key that the key ring does not hold,
	// that is not active yet or that is retired.
	ErrUnknownKey error = rejection("handoff: unknown key")
	// ErrBadSignature: the MAC does not match the token's contents.
	ErrBadSignature error = rejection("handoff: bad signature")
	// ErrWrongPurpose: a check-in token was presented for a check-out, or
	// the reverse.
	ErrWrongPurpose error = rejection("handoff: wrong purpose")
	// ErrWrongAudience: the token was issued for another retailer or another
	// location.
	ErrWrongAudience error = rejection("handoff: wrong audience")
	// ErrExpired: the token's expiry, plus the allowed clock skew, has passed.
	ErrExpired error = rejection("handoff: token expired")
	// ErrNotYetValid: the token was issued further in the future than the
	// allowed clock skew (the issuer's clock is ahead).
	ErrNotYetValid error = rejection("handoff: token not yet valid")
	// ErrAlreadyUsed: the token's nonce was already consumed: tokens and
	// short codes are single use. [ReplayStore] implementations return it.
	ErrAlreadyUsed error = rejection("handoff: token already used")
	// ErrUnknownCode: no live short code matches at this location.
	ErrUnknownCode error = rejection("handoff: unknown short code")
	// ErrTooManyAttempts: the location has used up its failed short-code
	// attempts for the current window, or the basket its location-tag
	// attempts ([TagConfig.Attempts]); try again after the window.
	ErrTooManyAttempts error = rejection("handoff: too many attempts")
)

// Errors about the embedding program's input or configuration.
var (
	// ErrInvalid: bad input to a constructor, to Issue or IssueShortCode,
	// or an invalid [Expectation]. Nothing was changed.
	ErrInvalid = errors.New("handoff: invalid input")
	// ErrNoSigningKey: no key of the ring is active at the current time.
	ErrNoSigningKey = errors.New("handoff: no active signing key")
	// ErrTooManyCodes: the location already holds the maximum number of
	// live short codes (see [ShortCodeConfig.MaxLive]).
	ErrTooManyCodes = errors.New("handoff: too many live short codes at this location")
)
