package bridge

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the NSCA data packet, NUL-terminated fields: host_name[64],
// svc_description[128], plugin_output[4096] (512 in legacy 2.7 mode).
// NSCA cuts longer values byte-wise.
const (
	MaxHostLen         = 63
	MaxServiceLen      = 127
	MaxOutputLen       = 4095
	MaxOutputLenLegacy = 511
)

// PipeReplacement replaces '|' in output: Nagios and Icinga read the text
// after a '|' as performance data, so a '|' in a log line would split it.
// U+2502 (BOX DRAWINGS LIGHT VERTICAL) looks the same to a reader.
const PipeReplacement = '\u2502'

// Ellipsis ends an output that was cut to fit.
const Ellipsis = "\u2026"

// ErrBadName reports a host or service name that NSCA or the Nagios
// command file would not deliver unchanged.
var ErrBadName = errors.New("name not deliverable")

// ValidateHost refuses a host name that would not reach its object
// unchanged: see validateName.
func ValidateHost(name string) error { return validateName(name, "host", MaxHostLen) }

// ValidateService refuses a service name that would not reach its object
// unchanged: see validateName.
func ValidateService(name string) error { return validateName(name, "service", MaxServiceLen) }

// validateName refuses an empty name, one longer than max bytes (NSCA cuts
// it, and the cut name names no object), invalid UTF-8, a control character
// (a newline, CR or NUL ends or cuts the command-file line), ';' (the
// command file's field separator: it would move the rest into another
// field, and can set a different service), leading or trailing space,
// U+FFFD (what the alert parsers make of invalid UTF-8: "\xff\xfe" is no
// name an operator defined either), and the invisible format, bidi and
// separator characters (Unicode Cf, Zl, Zp: U+200B, U+202E, U+2028...),
// which make a name that looks like another or like none.
// Names are refused, not repaired: a repaired name would name an object
// that does not exist, and the result would be dropped silently.
func validateName(name, kind string, max int) error {
	q := quoteShort(name)
	switch {
	case name == "":
		return fmt.Errorf("%w: empty %s name", ErrBadName, kind)
	case len(name) > max:
		return fmt.Errorf("%w: %s name %s is %d bytes, more than the %d NSCA delivers", ErrBadName, kind, q, len(name), max)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: %s name %s is not valid UTF-8", ErrBadName, kind, q)
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("%w: %s name %s has leading or trailing space", ErrBadName, kind, q)
	}
	for _, r := range name {
		if r == ';' {
			return fmt.Errorf("%w: %s name %s holds ';'", ErrBadName, kind, q)
		}
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: %s name %s holds the control character %U", ErrBadName, kind, q, r)
		}
		if r == utf8.RuneError {
			return fmt.Errorf("%w: %s name %s holds U+FFFD (it was not valid UTF-8)", ErrBadName, kind, q)
		}
		if unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
			return fmt.Errorf("%w: %s name %s holds the invisible format or separator character %U", ErrBadName, kind, q, r)
		}
	}
	return nil
}

// quoteShort quotes attacker text for an error message: Go-quoted (no
// control character survives) and cut to 80 bytes.
func quoteShort(s string) string {
	if len(s) > 80 {
		return fmt.Sprintf("%q...", TruncateUTF8(s, 80))
	}
	return fmt.Sprintf("%q", s)
}

// SanitizeOutput makes s safe as plugin output for the NSCA command file
// and the Icinga 2 API, and cuts it to max bytes (0: no limit):
//
//   - invalid UTF-8 becomes U+FFFD;
//   - '|' becomes PipeReplacement (no forged performance data);
//   - NUL and the other control characters become U+FFFD, tab a space, and
//     so do the bidirectional overrides and isolates (no reordered text);
//   - line breaks (LF, CR, CRLF, NEL, U+2028, U+2029) become a space, or
//     with multiline one LF: real newlines are safe only with nsca >= 2.10.1
//     (which escapes them) or the Icinga 2 API; older nsca daemons write
//     them raw, which ends the command-file line and lets the text after
//     it be read as a command; multiline output has no empty lines;
//   - the result is cut at a UTF-8 boundary and, when cut, ends with
//     Ellipsis, within max bytes.
//
// Trailing spaces and newlines are dropped.
func SanitizeOutput(s string, max int, multiline bool) string {
	return TruncateUTF8Mark(sanitize(s, multiline), max)
}

// sanitize applies SanitizeOutput's replacements.
func sanitize(s string, multiline bool) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteRune(utf8.RuneError)
		case r == '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				break // the LF writes the break
			}
			writeBreak(&b, multiline)
		case r == '\n' || r == '\u0085' || r == '\u2028' || r == '\u2029':
			writeBreak(&b, multiline)
		case r == '\t':
			b.WriteByte(' ')
		case r == '|':
			b.WriteRune(PipeReplacement)
		case unicode.IsControl(r) || isBidiControl(r):
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return strings.TrimRight(b.String(), " \n")
}

// writeBreak writes a line break: in multiline output one LF, never at the
// start and never two in a row (no empty lines); otherwise a space.
func writeBreak(b *strings.Builder, multiline bool) {
	if multiline {
		if s := b.String(); s != "" && s[len(s)-1] != '\n' {
			b.WriteByte('\n')
		}
	} else {
		b.WriteByte(' ')
	}
}

func isBidiControl(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}

// SanitizeLine is SanitizeOutput for text that must stay on one line.
func SanitizeLine(s string, max int) string { return SanitizeOutput(s, max, false) }

// TruncateUTF8 returns the longest prefix of s of at most max bytes that
// does not split a UTF-8 sequence. max <= 0 means no limit.
func TruncateUTF8(s string, max int) string {
	if max <= 0 || len(s) <= max {
		return s
	}
	cut := max
	// Back up over continuation bytes to the start of the cut rune; if
	// that rune fits whole, keep it.
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// TruncateUTF8Mark is TruncateUTF8 that ends a cut string with Ellipsis,
// still within max bytes.
func TruncateUTF8Mark(s string, max int) string {
	if max <= 0 || len(s) <= max {
		return s
	}
	if max <= len(Ellipsis) {
		return TruncateUTF8(s, max)
	}
	return TruncateUTF8(s, max-len(Ellipsis)) + Ellipsis
}

// sanitizeID keeps an alert id for logs and the spool: the characters of
// "<epoch>.<n>" ids, at most 64 bytes; anything else becomes '_'.
func sanitizeID(id string) string {
	id = TruncateUTF8(id, 64)
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || strings.ContainsRune(".-_:", r) {
			return r
		}
		return '_'
	}, id)
}
