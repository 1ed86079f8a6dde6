package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
)

// MaxJSONDepth is the deepest nesting of arrays and objects a request body
// may have. The API's own documents are at most 6 deep; the limit stops a
// body of ten thousand '[' from costing the decoder's stack.
const MaxJSONDepth = 32

// decodeJSON reads a request body strictly: the content type must be
// JSON, the body a single JSON value within the size limit set by the
// handler's middleware, no deeper than MaxJSONDepth, with no field the
// target type does not know. On error v may be partly filled and must not
// be used.
func decodeJSON(r *http.Request, v any) error {
	if err := jsonContentType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &BodyTooLargeError{Limit: tooBig.Limit}
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return ErrSlowRequest
		}
		return &RequestError{In: "body", Reason: "could not be read: " + err.Error()}
	}
	return unmarshalStrict(data, v)
}

// unmarshalStrict is decodeJSON without the request: the fuzzed decoder.
func unmarshalStrict(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return &RequestError{In: "body", Reason: "is empty; send a JSON object"}
	}
	if d := jsonDepth(data); d > MaxJSONDepth {
		return &RequestError{In: "body", Reason: fmt.Sprintf("nests deeper than %d levels", MaxJSONDepth)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return &RequestError{In: "body", Reason: "holds more than one JSON value"}
	}
	return nil
}

func jsonContentType(ct string) error {
	if ct == "" {
		return &MediaTypeError{Got: ""}
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))) {
		return &MediaTypeError{Got: ct}
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return &MediaTypeError{Got: ct}
	}
	return nil
}

// jsonDepth is the deepest nesting in data, ignoring brackets in strings.
func jsonDepth(data []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range data {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

// jsonError names the field a decoding error is about, in the API's terms.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return &RequestError{In: "body", Reason: fmt.Sprintf("is not valid JSON at byte %d: %s", syntax.Offset, syntax.Error())}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return &RequestError{In: "body", Reason: "must be a JSON " + jsonKind(typ.Type.Kind().String())}
		}
		return &RequestError{In: "body", Field: field, Reason: "must be a JSON " + jsonKind(typ.Type.Kind().String()) + ", not " + typ.Value}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &RequestError{In: "body", Reason: "ends before the JSON value does"}
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return &RequestError{In: "body", Field: strings.Trim(f, `"`), Reason: "is not a field of this request"}
	}
	return &RequestError{In: "body", Reason: strings.TrimPrefix(msg, "json: ")}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map", "ptr":
		return "object"
	}
	return "number"
}
