package bridge

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Templates (host and output) are text with {name} placeholders; "{{" and
// "}}" stand for literal braces. A value inserted for a placeholder is
// never read as a template again.

// checkTemplate checks the syntax of t and that every placeholder is in
// fields (or, with fieldPrefix, is "field.NAME").
func checkTemplate(t string, fields []string, fieldPrefix bool) error {
	var bad error
	expandTo(nil, t, func(name string) string {
		if bad != nil {
			return ""
		}
		if rest, ok := strings.CutPrefix(name, "field."); ok && fieldPrefix && rest != "" {
			return ""
		}
		if !slices.Contains(fields, name) {
			bad = fmt.Errorf("unknown placeholder {%s}", name)
		}
		return ""
	}, &bad)
	return bad
}

// expand replaces the placeholders of t with value(name). Syntax errors
// are kept as literal text (Validate reports them).
func expand(t string, value func(name string) string) string {
	if !strings.ContainsAny(t, "{}") {
		return t
	}
	var b strings.Builder
	var ignored error
	expandTo(&b, t, value, &ignored)
	return b.String()
}

var (
	errUnclosed = errors.New("unclosed {")
	errLoneBra  = errors.New("} without { (write }} for a literal brace)")
)

// expandTo writes t expanded into b (if not nil), recording the first
// syntax error in *perr.
func expandTo(b *strings.Builder, t string, value func(string) string, perr *error) {
	write := func(s string) {
		if b != nil {
			b.WriteString(s)
		}
	}
	fail := func(err error) {
		if *perr == nil {
			*perr = err
		}
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c == '{' && i+1 < len(t) && t[i+1] == '{':
			write("{")
			i++
		case c == '}' && i+1 < len(t) && t[i+1] == '}':
			write("}")
			i++
		case c == '{':
			end := strings.IndexByte(t[i:], '}')
			if end < 0 {
				fail(errUnclosed)
				write(t[i:])
				return
			}
			write(value(t[i+1 : i+end]))
			i += end
		case c == '}':
			fail(errLoneBra)
			write("}")
		default:
			write(t[i : i+1])
		}
	}
}
