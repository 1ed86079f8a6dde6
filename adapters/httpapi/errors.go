package httpapi

import (
	"errors"
	"fmt"
)

// The errors of the HTTP layer itself, before a request reaches the
// Service. Each is also a [Problem] type (see [ErrorKinds]).
var (
	// ErrBadRequest: a header, path segment, query parameter or body is
	// malformed (matched by every *RequestError).
	ErrBadRequest = errors.New("httpapi: bad request")
	// ErrUnauthenticated: the request carries no credentials, or
	// credentials that are not valid.
	ErrUnauthenticated = errors.New("httpapi: unauthenticated")
	// ErrUnsupportedMediaType: the body is not JSON.
	ErrUnsupportedMediaType = errors.New("httpapi: unsupported media type")
	// ErrBodyTooLarge: the body is over the configured limit.
	ErrBodyTooLarge = errors.New("httpapi: body too large")
	// ErrUnknownContext: no channel context matches the channel or
	// location asked for.
	ErrUnknownContext = errors.New("httpapi: unknown channel or location")
	// ErrNoRoute: no operation has this path.
	ErrNoRoute = errors.New("httpapi: no such resource")
	// ErrMethodNotAllowed: the path exists, but not with this method (the
	// Allow header lists those it has).
	ErrMethodNotAllowed = errors.New("httpapi: method not allowed on this resource")
	// ErrSlowRequest: the body did not arrive within the request's time
	// limit.
	ErrSlowRequest = errors.New("httpapi: the request body arrived too slowly")
	// ErrTooManyRequests: a rate limit refused the request.
	ErrTooManyRequests = errors.New("httpapi: too many requests")
)

// RequestError reports malformed input: where it is (header, path, query,
// body), which field, and why. It matches [ErrBadRequest].
type RequestError struct {
	In     string // "header", "path", "query" or "body"
	Field  string // empty when the whole part is at fault
	Reason string
}

func (e *RequestError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("httpapi: the request %s %s", e.In, e.Reason)
	}
	return fmt.Sprintf("httpapi: %s %s %s", e.In, e.Field, e.Reason)
}

// Unwrap returns [ErrBadRequest].
func (e *RequestError) Unwrap() error { return ErrBadRequest }

// MediaTypeError reports a body sent with a content type other than JSON.
// It matches [ErrUnsupportedMediaType].
type MediaTypeError struct{ Got string }

func (e *MediaTypeError) Error() string {
	if e.Got == "" {
		return "httpapi: the body has no Content-Type; send application/json"
	}
	return fmt.Sprintf("httpapi: the body is %q; send application/json", e.Got)
}

// Unwrap returns [ErrUnsupportedMediaType].
func (e *MediaTypeError) Unwrap() error { return ErrUnsupportedMediaType }

// BodyTooLargeError reports a body over the limit. It matches
// [ErrBodyTooLarge].
type BodyTooLargeError struct{ Limit int64 }

func (e *BodyTooLargeError) Error() string {
	return fmt.Sprintf("httpapi: the body is over the limit of %d bytes", e.Limit)
}

// Unwrap returns [ErrBodyTooLarge].
func (e *BodyTooLargeError) Unwrap() error { return ErrBodyTooLarge }
