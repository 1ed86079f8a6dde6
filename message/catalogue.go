package message

import (
	"maps"
	"slices"
	"strings"
)

// Catalogue holds the sentences and number formats of every language it
// knows: English and French built in, and whatever a retailer adds with
// [WithSentences] and [WithFormat]. It is immutable once built, so one
// catalogue serves every goroutine.
type Catalogue struct {
	specs map[string][]string // key → its placeholders
	langs map[string]*language
}

// language is one locale's own sentences and format; what it lacks is
// found further along the fallback chain.
type language struct {
	tag       string
	sentences map[string]sentence
	format    *Format
}

// Option adds to or rewords a catalogue being built by [New].
type Option func(*config)

type config struct {
	steps []step
}

// step is one option: sentences, or a format, for a locale.
type step struct {
	locale    string
	sentences map[string]string
	format    *Format
}

// WithSentences adds a language, or rewords sentences of one already
// known (English and French are built in): sentences maps keys (see
// [Keys]) to templates with named placeholders, "{name} is {new} here".
// Write "{{" and "}}" for literal braces. A key left out keeps its
// sentence, or falls back along the locale's chain: "fr-CA" → "fr" → "en".
// Later options win over earlier ones.
func WithSentences(locale string, sentences map[string]string) Option {
	cp := maps.Clone(sentences)
	return func(c *config) { c.steps = append(c.steps, step{locale: locale, sentences: cp}) }
}

// WithFormat sets how a locale writes amounts. A locale without a format
// of its own uses the first one along its chain ("de-CH" → "de" → "en").
func WithFormat(locale string, f Format) Option {
	f.Symbols = maps.Clone(f.Symbols)
	return func(c *config) { c.steps = append(c.steps, step{locale: locale, format: &f}) }
}

// New builds a catalogue: the built-in English and French, then the
// options in order. Every template is checked here, so that printing
// never fails: an unknown key, an unknown placeholder, an unclosed brace
// or an unreadable format is an [*InputError] (matching [ErrInvalid] and
// its kind), the first in option order and then key order, and no
// catalogue is returned.
func New(opts ...Option) (*Catalogue, error) {
	c := &Catalogue{specs: map[string][]string{}, langs: map[string]*language{}}
	for _, k := range Keys() {
		c.specs[k.Name] = k.Placeholders
	}
	en, fr := englishFormat(), frenchFormat()
	cfg := config{steps: []step{
		{locale: "en", sentences: english(), format: &en},
		{locale: "fr", sentences: french(), format: &fr},
	}}
	for _, o := range opts {
		o(&cfg)
	}
	for _, s := range cfg.steps {
		if err := c.apply(s); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Catalogue) apply(s step) error {
	tag, ok := canonical(s.locale)
	if !ok {
		return &InputError{Locale: s.locale, Reason: "not a BCP 47 language tag such as \"fr\" or \"fr-CA\"", Kind: ErrLocale}
	}
	l := c.langs[tag]
	if l == nil {
		l = &language{tag: tag, sentences: map[string]sentence{}}
		c.langs[tag] = l
	}
	if s.format != nil {
		if why := s.format.validate(); why != "" {
			return &InputError{Locale: tag, Reason: why, Kind: ErrFormat}
		}
		l.format = s.format
	}
	for _, key := range slices.Sorted(maps.Keys(s.sentences)) {
		names, ok := c.specs[key]
		if !ok {
			return &InputError{Locale: tag, Key: key, Reason: "no sentence has this key (see message.Keys)", Kind: ErrUnknownKey}
		}
		compiled, err := compile(s.sentences[key], names)
		if err != nil {
			err.Locale, err.Key = tag, key
			return err
		}
		l.sentences[key] = compiled
	}
	return nil
}

// Locales lists the locales the catalogue has sentences or a format for,
// sorted.
func (c *Catalogue) Locales() []string { return slices.Sorted(maps.Keys(c.langs)) }

// Missing lists, sorted, the keys locale has no sentence of its own for:
// those it says in the language it falls back to. A retailer's test that
// its own translation is complete asserts it is empty.
func (c *Catalogue) Missing(locale string) []string {
	tag, _ := canonical(locale)
	l := c.langs[tag]
	var own map[string]sentence
	if l != nil {
		own = l.sentences
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(c.specs)) {
		if _, ok := own[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

// canonical returns a language tag in its canonical case with "-"
// separators ("fr_ca" → "fr-CA", "zh-hant-tw" → "zh-Hant-TW"), or false
// when it is not one: subtags of 1 to 8 letters or digits, the first of
// 2 to 8 letters.
func canonical(tag string) (string, bool) {
	if tag == "" || len(tag) > 64 {
		return "", false
	}
	parts := strings.FieldsFunc(tag, func(r rune) bool { return r == '-' || r == '_' })
	if strings.Count(tag, "-")+strings.Count(tag, "_") != len(parts)-1 { // an empty subtag: "fr--CA", "-fr"
		return "", false
	}
	private := false // after a singleton ("u", "x"): extensions, all lower case
	for i, p := range parts {
		if len(p) > 8 || !alnum(p) || i == 0 && (len(p) < 2 || !letters(p)) {
			return "", false
		}
		switch {
		case i == 0 || private:
			parts[i] = strings.ToLower(p)
		case len(p) == 1:
			private, parts[i] = true, strings.ToLower(p)
		case len(p) == 4 && i == 1 && letters(p):
			parts[i] = strings.ToUpper(p[:1]) + strings.ToLower(p[1:]) // a script
		case len(p) == 2 && letters(p):
			parts[i] = strings.ToUpper(p) // a region
		default:
			parts[i] = strings.ToLower(p)
		}
	}
	return strings.Join(parts, "-"), true
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; !(c >= 'a' && c <= 'z') && !(s[i] >= '0' && s[i] <= '9') {
			return false
		}
	}
	return true
}

func letters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// fallbacks returns the tags a locale is looked up under, most specific
// first: "fr-Latn-CA" → "fr-Latn-CA", "fr-Latn", "fr"; a tag with
// extensions or private use ("-u-…", "-x-…") is looked up whole, then
// without them. English closes every chain. An empty or malformed locale
// is English.
func fallbacks(locale string) []string {
	tag, ok := canonical(locale)
	if !ok {
		return []string{"en"}
	}
	out := []string{tag}
	parts := strings.Split(tag, "-")
	for i, p := range parts {
		if i > 0 && len(p) == 1 {
			parts = parts[:i]
			break
		}
	}
	for n := len(parts); n > 0; n-- {
		if t := strings.Join(parts[:n], "-"); t != out[len(out)-1] {
			out = append(out, t)
		}
	}
	if out[len(out)-1] != "en" {
		out = append(out, "en")
	}
	return out
}
