package channel

import (
	"errors"
	"fmt"
)

// ErrInvalid is matched by every validation error of this package.
var ErrInvalid = errors.New("channel: invalid context")

// FieldError names the field of a [Context] that is wrong and why.
// errors.Is(err, ErrInvalid) holds for every FieldError.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("channel: invalid context: %s: %s", e.Field, e.Reason)
}

// Is makes a FieldError match [ErrInvalid].
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }
