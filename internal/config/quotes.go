package config

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
)

// checkQuotes refuses a value that opens a quote (", """ or `) and does
// not close it on its own line. go-ini reads such a value on through the
// following lines until a closing quote turns up, so one missing quote
// would silently swallow the sections and keys after it (a password
// holding "[ar]\ndeadline=0\n[service ..." and NSCA dropping every
// packet). It splits lines, keys and values as go-ini does, so it sees
// exactly the values go-ini would read as multi-line. The error names the
// line, the section and the key, never the value (it may be a password).
func checkQuotes(data []byte, file string) error {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	section := ""
	for n := 1; len(data) > 0; n++ {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			line, data = data, nil
		}
		line = bytes.TrimLeftFunc(line, unicode.IsSpace)
		switch {
		case len(line) == 0 || line[0] == '#' || line[0] == ';':
			continue
		case line[0] == '[':
			if i := bytes.LastIndexByte(line, ']'); i > 0 {
				section = string(line[1:i])
			}
			continue
		}
		key, value, ok := splitKeyValue(string(line))
		if !ok {
			continue // go-ini reports the line
		}
		value = strings.TrimLeftFunc(value, unicode.IsSpace)
		if q := openingQuote(value); q != "" && !strings.Contains(value[len(q):], q) {
			return &Error{File: file, Line: n, Section: section, Key: key,
				Err: fmt.Errorf("%w: the value opens with %s and does not close it on the same line (a value cannot span lines)", ErrSyntax, q)}
		}
	}
	return nil
}

// splitKeyValue splits a key line as go-ini's readKeyName does: a key may
// be quoted with ", """ or `; the value starts after the first delimiter
// that follows the key.
func splitKeyValue(line string) (key, value string, ok bool) {
	delims := iniOptions.KeyValueDelimiters
	var q string
	switch {
	case len(line) > 6 && strings.HasPrefix(line, `"""`):
		q = `"""`
	case line[0] == '"':
		q = `"`
	case line[0] == '`':
		q = "`"
	}
	if q == "" {
		i := strings.IndexAny(line, delims)
		if i <= 0 {
			return "", "", false
		}
		return strings.TrimSpace(line[:i]), line[i+1:], true
	}
	end := strings.Index(line[len(q):], q)
	if end < 0 {
		return "", "", false
	}
	end += len(q)
	i := strings.IndexAny(line[end+len(q):], delims)
	if i < 0 {
		return "", "", false
	}
	return strings.TrimSpace(line[len(q):end]), line[end+len(q)+i+1:], true
}

// openingQuote returns the quote a value opens with, as go-ini's
// readValue recognises it (with UnescapeValueDoubleQuotes), or "".
func openingQuote(v string) string {
	switch {
	case len(v) > 3 && strings.HasPrefix(v, `"""`):
		return `"""`
	case strings.HasPrefix(v, "`"):
		return "`"
	case strings.HasPrefix(v, `"`):
		return `"`
	}
	return ""
}
