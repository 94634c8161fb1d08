package alert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// maxJSONTail is how much of the end of an over-long alerts.json line is
// kept: enough to find its top-level "location", which Wazuh writes last.
const maxJSONTail = 64 << 10

// ParseCutJSONAlert decodes an alerts.json line of which only head, its
// first bytes, and tail, its last bytes, were kept (the line was longer
// than the scanner's limit). What the head holds is decoded as
// ParseJSONAlert would: every top-level member complete in it (the rule,
// agent, id, timestamp come first in Wazuh and OSSEC alerts), and
// full_log or previous_output, when the limit cuts it, up to the cut; any
// other member the limit cuts is left out. A top-level
// "location" that ends the line is taken from tail. Raw is head and
// Truncated is set. A head that is not the start of a JSON object, or
// holds no rule object, is an error wrapping ErrBadJSON.
func ParseCutJSONAlert(head, tail []byte) (Alert, error) {
	obj, hasLocation, err := closeJSONPrefix(head)
	if err != nil {
		return Alert{}, fmt.Errorf("decode cut JSON alert: %w: %w", ErrBadJSON, err)
	}
	if !hasLocation {
		if loc := tailLocation(tail); loc != nil {
			obj = append(obj[:len(obj)-1:len(obj)-1], `,"location":`...)
			obj = append(obj, loc...)
			obj = append(obj, '}')
		}
	}
	a, err := ParseJSONAlert(obj)
	if err != nil {
		return Alert{}, err
	}
	a.Raw = string(bytes.TrimRight(head, "\r\n"))
	a.Truncated = true
	return a, nil
}

// closeJSONPrefix turns the beginning of a JSON object into a complete
// object holding the top-level members complete in it and a cut
// full_log or previous_output (see ParseCutJSONAlert), and reports
// whether one of them is "location".
func closeJSONPrefix(head []byte) (obj []byte, hasLocation bool, err error) {
	d := json.NewDecoder(bytes.NewReader(head))
	d.UseNumber()
	tok, err := d.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, false, errors.New("the line does not start a JSON object")
	}
	good := d.InputOffset() // after the last complete member
	isLocation := func(k string) bool { return strings.EqualFold(k, "location") }
	for {
		tok, err := d.Token()
		if err != nil {
			break // cut in or before a key
		}
		if tok == json.Delim('}') { // the object ends within the head
			return head[:d.InputOffset():d.InputOffset()], hasLocation, nil
		}
		key, ok := tok.(string)
		if !ok {
			return nil, false, fmt.Errorf("unexpected %v where a key belongs", tok)
		}
		keyEnd := d.InputOffset()
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			if end, ok := cutStringEnd(head, int(keyEnd)); ok && isLogText(key) {
				obj = append(append([]byte(nil), head[:end]...), '"', '}')
				return obj, hasLocation || isLocation(key), nil
			}
			break
		}
		if end := d.InputOffset(); end == int64(len(head)) && len(v) > 0 && (v[0] == '-' || v[0] >= '0' && v[0] <= '9') {
			break // a number the cut may have shortened
		}
		good = d.InputOffset()
		hasLocation = hasLocation || isLocation(key)
	}
	obj = append(append([]byte(nil), head[:good]...), '}')
	return obj, hasLocation, nil
}

// isLogText reports whether a top-level member is the event's text, whose
// beginning is worth sending; a cut name, address, id or time is wrong,
// not short, and is left out.
func isLogText(key string) bool {
	return strings.EqualFold(key, "full_log") || strings.EqualFold(key, "previous_output")
}

// cutStringEnd looks past a key ending at keyEnd for a string value that
// the end of head cuts, and returns where to cut it so that no escape
// sequence or UTF-8 character is split.
func cutStringEnd(head []byte, keyEnd int) (int, bool) {
	i := keyEnd
	skipWS := func() {
		for i < len(head) && (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' || head[i] == '\r') {
			i++
		}
	}
	skipWS()
	if i >= len(head) || head[i] != ':' {
		return 0, false
	}
	i++
	skipWS()
	if i >= len(head) || head[i] != '"' {
		return 0, false
	}
	i++
	start, safe := i, i
	highSurrogate := -1 // where a \uD800-\uDBFF escape ending at safe starts
	for i < len(head) {
		at := i
		switch c := head[i]; {
		case c == '"' || c < 0x20:
			return 0, false // a complete string or not JSON: not a cut string
		case c != '\\':
			i++
		case i+1 >= len(head):
			i = len(head) + 1 // a lone backslash at the cut
		case head[i+1] == 'u':
			i += 6
		default:
			i += 2
		}
		if i <= len(head) {
			safe = i
			highSurrogate = -1
			if i-at == 6 && (head[at+2] == 'd' || head[at+2] == 'D') && strings.IndexByte("89abAB", head[at+3]) >= 0 {
				highSurrogate = at
			}
		}
	}
	if highSurrogate >= 0 {
		// The pair's second half was cut: keep neither.
		return highSurrogate, true
	}
	// Back off a UTF-8 character the cut split.
	if r := head[start:safe]; len(r) > 0 {
		j := len(r) - 1
		for j > 0 && j > len(r)-utf8.UTFMax && !utf8.RuneStart(r[j]) {
			j--
		}
		if !utf8.FullRune(r[j:]) {
			safe = start + j
		}
	}
	return safe, true
}

// locationAtEnd matches a top-level "location" member ending the line: a
// `,"` cannot occur inside a JSON string (a quote there is escaped), and a
// single `}` after the value closes the outermost object.
var locationAtEnd = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`,\s*"location"\s*:\s*("(?:[^"\\\x00-\x1f]|\\.)*")\s*\}\s*$`)
})

// tailLocation returns the JSON string of a top-level "location" that
// ends the line whose last bytes tail holds, nil when there is none.
func tailLocation(tail []byte) []byte {
	m := locationAtEnd().FindSubmatch(tail)
	if m == nil {
		return nil
	}
	var s string
	if json.Unmarshal(m[1], &s) != nil {
		return nil
	}
	return m[1]
}
