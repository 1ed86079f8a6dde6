// Package redact holds what every type that carries a secret needs to
// print itself safely: one fmt.Formatter body that answers every verb with
// the type's own redacted description, so that no verb (%x, %d, %+v …)
// falls through to reflection over the fields.
package redact

import "fmt"

// Format writes s for every verb, honouring the directive's width and
// flags: quoted for %q, gos for %#v. Call it from a Format method:
//
//	func (k Key) Format(f fmt.State, verb rune) { redact.Format(f, verb, k.String(), k.GoString()) }
func Format(f fmt.State, verb rune, s, gos string) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = fmt.Fprint(f, gos)
	case verb == 'q':
		_, _ = fmt.Fprintf(f, fmt.FormatString(f, 'q'), s)
	default:
		_, _ = fmt.Fprintf(f, fmt.FormatString(f, 's'), s)
	}
}
