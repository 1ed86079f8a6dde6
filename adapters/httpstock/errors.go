package httpstock

import (
	"errors"
	"fmt"

	"github.com/omnibasket/omnibasket/stock"
)

// Causes of a failed call, found with errors.Is on an [*Error]. Timeouts
// and cancellations are reported with the context package's errors
// (context.DeadlineExceeded, context.Canceled).
var (
	// ErrCircuitOpen: the circuit breaker is open after repeated failures;
	// no request was sent.
	ErrCircuitOpen = errors.New("httpstock: circuit open")
	// ErrStatus: the endpoint answered with a status other than 2xx (see
	// [*StatusError]).
	ErrStatus = errors.New("httpstock: unexpected HTTP status")
	// ErrMalformed: the body of a 2xx answer does not follow the schema.
	ErrMalformed = errors.New("httpstock: malformed response")
	// ErrTooLarge: the body is larger than [Options.MaxResponseBytes].
	ErrTooLarge = errors.New("httpstock: response too large")
	// ErrConfig: [New] or [NewCache] was given an unusable option.
	ErrConfig = errors.New("httpstock: invalid configuration")
)

// Error reports a call that could not get the stock levels. The levels are
// unknown: it matches [stock.ErrUnknown] with errors.Is, and its cause too.
type Error struct {
	// Endpoint is the URL called, with any password redacted.
	Endpoint string
	// Attempts is the number of requests sent (0 when the circuit was open
	// or the context was already done).
	Attempts int
	// StatusCode is the HTTP status of the last answer; 0 when there was
	// none.
	StatusCode int
	// Err is the cause.
	Err error
}

// Error describes the failure.
func (e *Error) Error() string {
	return fmt.Sprintf("httpstock: stock unknown: %s (%d attempts): %v", e.Endpoint, e.Attempts, e.Err)
}

// Unwrap returns [stock.ErrUnknown] and the cause.
func (e *Error) Unwrap() []error { return []error{stock.ErrUnknown, e.Err} }

// StatusError is an answer with a status other than 2xx. It matches
// [ErrStatus].
type StatusError struct {
	// StatusCode is the HTTP status code.
	StatusCode int
	// Body is the start of the answer's body (at most 512 bytes), to help
	// diagnose the endpoint.
	Body string
}

// Error names the status.
func (e *StatusError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("httpstock: unexpected HTTP status %d", e.StatusCode)
	}
	return fmt.Sprintf("httpstock: unexpected HTTP status %d: %q", e.StatusCode, e.Body)
}

// Unwrap returns [ErrStatus].
func (e *StatusError) Unwrap() error { return ErrStatus }

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}
