package alert

import (
	"encoding/json"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// The fast path of ParseJSONAlert: a single pass over the alert that reads
// only what the Alert needs, with every unescaped string a substring of Raw
// and no map[string]any for data and syscheck, driven by the field tables
// of jsonparse.go. It accepts only input on which it gives exactly what
// encoding/json gives through the struct built from the same tables, and
// gives up (ok = false) on anything else, which then goes through
// encoding/json: invalid UTF-8, a syntax error, a value of an unexpected
// type, a field named twice or in another case, a duplicate key in an
// object that is flattened, two data or syscheck keys that flatten to the
// same name, nesting deeper than maxFastDepth. FuzzParseJSONAlertReference
// holds it to the encoding/json result.

// maxFastDepth bounds the nesting the fast path follows (encoding/json's
// own limit is 10000).
const maxFastDepth = 512

type fastJSON struct {
	s     string
	i     int
	depth int
	ctl   bool // s holds a control character (<0x20) somewhere
	*fastScratch
}

// fastScratch is the reusable working memory of one decode.
type fastScratch struct {
	keys   []string // keys of the open flattened objects, for duplicates
	prefix []byte   // the dotted key of the object being flattened
	pairs  []fieldPair
	arena  []byte // the dotted keys, made one string at the end
}

// fieldPair is one flattened leaf: its key is k, or arena[off:end] when k
// is empty.
type fieldPair struct {
	k, v     string
	off, end int
}

var fastScratchPool = sync.Pool{New: func() any { return new(fastScratch) }}

// fastDecodeJSON decodes raw, the alert with its line end removed.
func fastDecodeJSON(raw string) (jsonDoc, bool) {
	var d jsonDoc
	ascii, ctl := scanBytes(raw)
	if !ascii && !utf8.ValidString(raw) {
		return d, false
	}
	p := fastJSON{s: raw, ctl: ctl}
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] != '{' {
		return d, false
	}
	p.fastScratch = fastScratchPool.Get().(*fastScratch)
	p.keys, p.pairs, p.arena = p.keys[:0], p.pairs[:0], p.arena[:0]
	ok := p.object(unsafe.Pointer(&d), alertObject)
	if ok && len(p.pairs) > 0 {
		arena := string(p.arena)
		d.Fields = make(map[string]string, len(p.pairs))
		for _, kv := range p.pairs {
			if kv.k == "" {
				kv.k = arena[kv.off:kv.end]
			}
			d.Fields[kv.k] = kv.v
		}
		// Two keys that flatten to one name: the order would decide.
		ok = len(d.Fields) == len(p.pairs)
	}
	clear(p.keys[:cap(p.keys)]) // hold no strings of raw in the pool
	clear(p.pairs[:cap(p.pairs)])
	fastScratchPool.Put(p.fastScratch)
	return d, ok
}

func (p *fastJSON) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// member reads the next key of an object whose '{' was consumed and n of
// whose members were read, up to and including the ':'. done is true when
// the object ended (its '}' consumed).
func (p *fastJSON) member(n int) (key string, done, ok bool) {
	p.ws()
	if p.i >= len(p.s) {
		return "", false, false
	}
	c := p.s[p.i]
	if c == '}' {
		p.i++
		return "", true, true
	}
	if n > 0 {
		if c != ',' {
			return "", false, false
		}
		p.i++
		p.ws()
	}
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return "", false, false
	}
	key, ok = p.str()
	if !ok {
		return "", false, false
	}
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] != ':' {
		return "", false, false
	}
	p.i++
	p.ws()
	return key, false, p.i < len(p.s)
}

func (p *fastJSON) enter() bool {
	p.depth++
	p.i++ // '{' or '['
	return p.depth <= maxFastDepth
}

// scanBytes reports whether s is all ASCII and whether it holds a control
// character, eight bytes at a time.
func scanBytes(s string) (ascii, ctl bool) {
	const lo, hi = 0x2020202020202020, 0x8080808080808080
	var high, low uint64
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		high |= x
		low |= (x - lo) &^ x // the top bit of a byte below 0x20 (exact where x < 0x80)
	}
	for ; i < len(s); i++ {
		c := uint64(s[i])
		high |= c
		if c < 0x20 {
			low |= hi
		}
	}
	ascii = high&hi == 0
	if !ascii {
		// The borrow trick is inexact next to bytes >= 0x80: count again.
		for j := 0; j < len(s); j++ {
			if s[j] < 0x20 {
				return false, true
			}
		}
		return false, false
	}
	return true, low&hi != 0
}

// shortString finds the closing quote of a string that starts at start
// (after its opening quote) within its first 16 bytes, with no backslash
// or control character before it; -1 when it is not such a string.
func shortString(s string, start int) int {
	end := min(start+16, len(s))
	for j := start; j < end; j++ {
		switch c := s[j]; {
		case c == '"':
			return j
		case c == '\\', c < 0x20:
			return -1
		}
	}
	return -1
}

// str reads a string at p.i (at its opening quote).
func (p *fastJSON) str() (string, bool) {
	start := p.i + 1
	if q := shortString(p.s, start); q >= 0 {
		p.i = q + 1
		return p.s[start:q], true
	}
	n := strings.IndexByte(p.s[start:], '"')
	if n < 0 {
		return "", false
	}
	seg := p.s[start : start+n]
	if b := indexBackslash(seg); b >= 0 {
		return p.strEscaped(start, start+b)
	}
	if p.ctl {
		for i := 0; i < len(seg); i++ {
			if seg[i] < 0x20 {
				return "", false
			}
		}
	}
	p.i = start + n + 1
	return seg, true
}

// indexBackslash is strings.IndexByte(s, '\\') without the call for the
// short strings that most keys and values are.
func indexBackslash(s string) int {
	if len(s) >= 32 {
		return strings.IndexByte(s, '\\')
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			return i
		}
	}
	return -1
}

// skipStr reads over a string at p.i (at its opening quote) without
// unquoting it.
func (p *fastJSON) skipStr() bool {
	j := p.i + 1
	if q := shortString(p.s, j); q >= 0 {
		p.i = q + 1
		return true
	}
	for {
		n := strings.IndexByte(p.s[j:], '"')
		if n < 0 {
			return false
		}
		seg := p.s[j : j+n]
		b := indexBackslash(seg)
		if b >= 0 {
			seg = seg[:b]
		}
		if p.ctl {
			for i := 0; i < len(seg); i++ {
				if seg[i] < 0x20 {
					return false
				}
			}
		}
		if b < 0 {
			p.i = j + n + 1
			return true
		}
		j += b // at the backslash
		if j+1 >= len(p.s) {
			return false
		}
		switch p.s[j+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			j += 2
		case 'u':
			if _, ok := hex4(p.s[j+2:]); !ok {
				return false
			}
			j += 6
		default:
			return false
		}
	}
}

// strEscaped unquotes a string with escapes as encoding/json does (a lone
// surrogate becomes U+FFFD); start is its first byte, j its first
// backslash.
func (p *fastJSON) strEscaped(start, j int) (string, bool) {
	// Find the end, checking every escape and control character, first:
	// the unquoted string is no longer than the quoted one.
	p.i = start - 1
	if !p.skipStr() {
		return "", false
	}
	end := p.i - 1 // the closing quote
	var b strings.Builder
	b.Grow(end - start)
	b.WriteString(p.s[start:j])
	for j < end {
		// p.s[j] is a backslash.
		switch e := p.s[j+1]; e {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, _ := hex4(p.s[j+2:])
			j += 6
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4u(p.s[j:end]); ok {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						r = dec
						j += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			b.WriteRune(r)
			j -= 2
		default: // '"', '\\', '/'
			b.WriteByte(e)
		}
		j += 2
		k := strings.IndexByte(p.s[j:end], '\\')
		if k < 0 {
			b.WriteString(p.s[j:end])
			break
		}
		b.WriteString(p.s[j : j+k])
		j += k
	}
	return b.String(), true
}

// hex4u reads "\uXXXX" at the start of s.
func hex4u(s string) (rune, bool) {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return 0, false
	}
	return hex4(s[2:])
}

func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[:4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number reads a JSON number and returns its literal text.
func (p *fastJSON) number() (string, bool) {
	s, i := p.s, p.i
	start := i
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return "", false
	}
	if i < len(s) && s[i] == '.' {
		i++
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return "", false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return "", false
		}
	}
	p.i = i
	return s[start:i], true
}

func (p *fastJSON) literal(word string) bool {
	if !strings.HasPrefix(p.s[p.i:], word) {
		return false
	}
	p.i += len(word)
	return true
}

// skip reads over any value at p.i.
func (p *fastJSON) skip() bool {
	if p.i >= len(p.s) {
		return false
	}
	switch c := p.s[p.i]; {
	case c == '"':
		return p.skipStr()
	case c == '{':
		if !p.enter() {
			return false
		}
		for n := 0; ; n++ {
			_, done, ok := p.member(n)
			if !ok {
				return false
			}
			if done {
				p.depth--
				return true
			}
			if !p.skip() {
				return false
			}
		}
	case c == '[':
		if !p.enter() {
			return false
		}
		for n := 0; ; n++ {
			p.ws()
			if p.i >= len(p.s) {
				return false
			}
			if p.s[p.i] == ']' {
				p.i++
				p.depth--
				return true
			}
			if n > 0 {
				if p.s[p.i] != ',' {
					return false
				}
				p.i++
				p.ws()
			}
			if !p.skip() {
				return false
			}
		}
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	default:
		_, ok := p.number()
		return ok
	}
}

// stringField reads a value for a Go string field: a string, or null
// (which leaves it empty).
func (p *fastJSON) stringField() (string, bool) {
	switch p.s[p.i] {
	case '"':
		return p.str()
	case 'n':
		return "", p.literal("null")
	}
	return "", false
}

// flexField reads a value for a flexString: a string, a number (its
// literal) or null.
func (p *fastJSON) flexField() (flexString, bool) {
	c := p.s[p.i]
	if c == '-' || c >= '0' && c <= '9' {
		n, ok := p.number()
		return flexString(n), ok
	}
	s, ok := p.stringField()
	return flexString(s), ok
}

// stringsField reads a value for a []string: an array of strings (empty:
// a non-nil empty slice) or null (nil).
func (p *fastJSON) stringsField() ([]string, bool) {
	if p.s[p.i] == 'n' {
		return nil, p.literal("null")
	}
	if p.s[p.i] != '[' {
		return nil, false
	}
	p.i++
	out := make([]string, 0, 4)
	for n := 0; ; n++ {
		p.ws()
		if p.i >= len(p.s) {
			return nil, false
		}
		if p.s[p.i] == ']' {
			p.i++
			return out, true
		}
		if n > 0 {
			if p.s[p.i] != ',' {
				return nil, false
			}
			p.i++
			p.ws()
		}
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, false
		}
		s, ok := p.str()
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
}

// scalar reads a value as scalarString would print it once decoded into
// an any with UseNumber; arrays and objects go through encoding/json.
func (p *fastJSON) scalar() (string, bool) {
	switch c := p.s[p.i]; {
	case c == '"':
		return p.str()
	case c == 't':
		return "true", p.literal("true")
	case c == 'f':
		return "false", p.literal("false")
	case c == 'n':
		return "", p.literal("null")
	case c == '[' || c == '{':
		start := p.i
		if !p.skip() {
			return "", false
		}
		return marshalRaw(p.s[start:p.i])
	default:
		return p.number()
	}
}

// marshalRaw returns what scalarString prints for the array or object raw.
// An array of plain ASCII scalars without whitespace, escapes or the
// characters json.Marshal escapes prints as itself.
func marshalRaw(raw string) (string, bool) {
	plain := raw[0] == '['
	for i := 0; plain && i < len(raw); i++ {
		switch c := raw[i]; {
		case c <= ' ' || c >= 0x7f, c == '\\', c == '<', c == '>', c == '&', c == '{':
			plain = false
		}
	}
	if plain {
		return raw, true
	}
	d := json.NewDecoder(strings.NewReader(raw))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return "", false
	}
	return scalarString(v), true
}

// flatten adds the leaves of the object at p.i to p.pairs under dotted
// keys (p.prefix, then the key), as flatten does for its map.
func (p *fastJSON) flatten() bool {
	if p.s[p.i] != '{' || !p.enter() {
		return false
	}
	mark := len(p.keys)
	for n := 0; ; n++ {
		k, done, ok := p.member(n)
		if !ok {
			return false
		}
		if done {
			break
		}
		for _, seen := range p.keys[mark:] {
			if seen == k {
				return false // the last one would win
			}
		}
		p.keys = append(p.keys, k)
		plen := len(p.prefix)
		if p.s[p.i] == '{' {
			p.prefix = append(append(p.prefix, k...), '.')
			if !p.flatten() {
				return false
			}
			p.prefix = p.prefix[:plen]
			continue
		}
		v, ok := p.scalar()
		if !ok {
			return false
		}
		kv := fieldPair{k: k, v: v}
		if plen > 0 {
			kv.k, kv.off = "", len(p.arena)
			p.arena = append(append(p.arena, p.prefix...), k...)
			kv.end = len(p.arena)
		}
		p.pairs = append(p.pairs, kv)
	}
	p.keys = p.keys[:mark]
	p.depth--
	return true
}

// labels reads agent.labels: an object of values printed by scalarString,
// or null.
func (p *fastJSON) labels() (map[string]string, bool) {
	if p.s[p.i] == 'n' {
		return nil, p.literal("null")
	}
	if p.s[p.i] != '{' || !p.enter() {
		return nil, false
	}
	out := map[string]string{}
	for n := 0; ; n++ {
		k, done, ok := p.member(n)
		if !ok {
			return nil, false
		}
		if done {
			break
		}
		v, ok := p.scalar()
		if !ok {
			return nil, false
		}
		l := len(out)
		out[k] = v
		if len(out) == l {
			return nil, false // duplicate key
		}
	}
	p.depth--
	return out, true
}

// foldsToAny reports whether a key that matched none of an object's
// fields exactly could match one case-insensitively, as encoding/json
// would (non-ASCII keys are not examined: any of them counts).
func foldsToAny(key string, o *jsonObject) bool {
	lower := true
	for i := 0; i < len(key); i++ {
		if c := key[i]; c >= utf8.RuneSelf {
			return true
		} else if c >= 'A' && c <= 'Z' {
			lower = false
		}
	}
	if lower && o.lowerClosed {
		// Every field name folds to a lower-case name that is itself a
		// field, matched exactly before this.
		return false
	}
	for i := range o.fields {
		if strings.EqualFold(key, o.fields[i].name) {
			return true
		}
	}
	return false
}

// object reads the object at p.i (its '{' not yet consumed) into the
// struct at base, by its table o. A field named twice, or a key that
// names a field in another case, gives up: encoding/json decides those.
func (p *fastJSON) object(base unsafe.Pointer, o *jsonObject) bool {
	if !p.enter() {
		return false
	}
	var set uint64
	for n := 0; ; n++ {
		k, done, ok := p.member(n)
		if !ok {
			return false
		}
		if done {
			p.depth--
			return true
		}
		i := lookupField(o.fields, k)
		if i < 0 {
			if foldsToAny(k, o) || !p.skip() {
				return false
			}
			continue
		}
		if set&(1<<i) != 0 {
			return false
		}
		set |= 1 << i
		if !p.field(base, &o.fields[i]) {
			return false
		}
	}
}

// field reads the value of field f at p.i into the struct at base.
func (p *fastJSON) field(base unsafe.Pointer, f *jsonField) bool {
	var ok bool
	switch f.kind {
	case kindString:
		*fieldAt[string](base, f.off), ok = p.stringField()
	case kindFlex:
		*fieldAt[flexString](base, f.off), ok = p.flexField()
	case kindStrings:
		*fieldAt[[]string](base, f.off), ok = p.stringsField()
	case kindNumber:
		var s string
		if p.s[p.i] == 'n' {
			ok = p.literal("null")
		} else {
			s, ok = p.number()
		}
		*fieldAt[json.Number](base, f.off) = json.Number(s)
	case kindLabels:
		*fieldAt[map[string]string](base, f.off), ok = p.labels()
	case kindFlatten:
		if p.s[p.i] == 'n' {
			return p.literal("null")
		}
		p.prefix = append(p.prefix[:0], f.prefix...)
		return p.flatten()
	case kindObject:
		if p.s[p.i] == 'n' {
			// null: no object (encoding/json leaves a struct as it is and
			// a pointer nil; a second one gave up above).
			return p.literal("null")
		}
		if p.s[p.i] != '{' {
			return false
		}
		sub := unsafe.Add(base, f.off)
		if f.sub.present >= 0 {
			*fieldAt[bool](sub, uintptr(f.sub.present)) = true
		}
		return p.object(sub, f.sub)
	}
	return ok
}
