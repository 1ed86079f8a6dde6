package message

import (
	"slices"
	"strconv"
	"strings"
)

// sentence is a compiled template: literal text and placeholders whose
// names were checked once, when the catalogue was built, so that rendering
// cannot fail.
type sentence []part

type part struct {
	text string // literal text, or the placeholder's name
	arg  bool   // text names a placeholder
}

// compile reads a template: text with {placeholder}s, "{{" and "}}" for
// literal braces. A placeholder must be one of names; a blank template is
// refused, as a report line that says nothing is a mistake.
func compile(src string, names []string) (sentence, *InputError) {
	if strings.TrimSpace(src) == "" {
		return nil, &InputError{Reason: "a sentence must say something", Kind: ErrSyntax}
	}
	var out sentence
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, part{text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(src); {
		switch c := src[i]; {
		case c == '{' && i+1 < len(src) && src[i+1] == '{', c == '}' && i+1 < len(src) && src[i+1] == '}':
			lit.WriteByte(c)
			i += 2
		case c == '{':
			end := strings.IndexAny(src[i+1:], "{}")
			if end < 0 || src[i+1+end] != '}' {
				return nil, &InputError{Reason: "a { at byte " + strconv.Itoa(i) + " is not closed (write {{ for a brace)", Kind: ErrSyntax}
			}
			name := src[i+1 : i+1+end]
			if !slices.Contains(names, name) {
				return nil, &InputError{Placeholder: name, Reason: "{" + name + "} is not one of " + braced(names), Kind: ErrUnknownPlaceholder}
			}
			flush()
			out = append(out, part{text: name, arg: true})
			i += end + 2
		case c == '}':
			return nil, &InputError{Reason: "a } at byte " + strconv.Itoa(i) + " closes nothing (write }} for a brace)", Kind: ErrSyntax}
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return out, nil
}

// render writes the sentence, asking value for each placeholder as it
// comes (only the values a sentence uses are formatted).
func (s sentence) render(value func(placeholder string) string) string {
	var b strings.Builder
	for _, p := range s {
		if p.arg {
			b.WriteString(value(p.text))
		} else {
			b.WriteString(p.text)
		}
	}
	return b.String()
}

func braced(names []string) string {
	if len(names) == 0 {
		return "nothing: this sentence has no placeholder"
	}
	return "{" + strings.Join(names, "}, {") + "}"
}
