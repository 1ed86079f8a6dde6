package basket

// enum is one of the package's small named enumerations, each with a
// String method giving its wire name.
type enum interface {
	~uint8
	String() string
}

// parseEnum finds the value in first…last whose name is b, for the
// UnmarshalText methods of the enumerations.
func parseEnum[T enum](b []byte, first, last T, field string) (T, error) {
	for v := first; v <= last; v++ {
		if v.String() == string(b) {
			return v, nil
		}
	}
	var zero T
	return zero, invalid(field, "unknown value %q", b)
}
