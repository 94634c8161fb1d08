package alert

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrNotAlert reports a block that does not begin with an alerts.log header
// line "** Alert <epoch>.<n>:".
var ErrNotAlert = errors.New("not an alerts.log alert")

// DefaultMaxAlertBytes bounds the bytes kept of one alerts.log alert. Larger
// alerts are still skipped over correctly; their tail is dropped and
// Alert.Truncated is set.
const DefaultMaxAlertBytes = 1 << 20

const headerPrefix = "** Alert "

// parseHeader reports whether line is an alerts.log header and returns its
// id: "** Alert " digits "." digits ":".
func parseHeader(line []byte) (ID, int, bool) {
	if !bytes.HasPrefix(line, []byte(headerPrefix)) {
		return ID{}, 0, false
	}
	rest := line[len(headerPrefix):]
	colon := bytes.IndexByte(rest, ':')
	if colon < 0 || colon > 40 {
		return ID{}, 0, false
	}
	dot := bytes.IndexByte(rest[:colon], '.')
	if dot < 0 {
		return ID{}, 0, false
	}
	e, ok1 := parseUintBytes(rest[:dot])
	n, ok2 := parseUintBytes(rest[dot+1 : colon])
	if !ok1 || !ok2 {
		return ID{}, 0, false
	}
	return ID{Epoch: e, N: n}, len(headerPrefix) + colon + 1, true
}

// IsHeader reports whether line begins an alerts.log alert.
func IsHeader(line []byte) bool {
	_, _, ok := parseHeader(line)
	return ok
}

// Scanner reads alerts.log alert by alert, in constant memory. An alert
// starts at a header line and ends where the next header line begins (never
// at a blank line). Bytes before the first header (a file cut in the middle
// of an alert) are skipped and counted.
type Scanner struct {
	// MaxAlertBytes bounds the bytes kept per alert (DefaultMaxAlertBytes
	// when zero).
	MaxAlertBytes int

	r       *bufio.Reader
	pos     int64 // absolute offset of the next unread byte
	block   []byte
	next    []byte // the header line that ended the last alert, reused
	blockAt int64
	blockN  int64 // real length of block, including dropped bytes
	haveHdr bool  // block holds the start of an alert
	atStart bool  // the next chunk starts a line
	eof     bool
	err     error
	skipped int64

	cur    Alert
	curOff int64
	curLen int64
}

// NewScanner returns a Scanner reading r from its start; offsets count from 0.
func NewScanner(r io.Reader) *Scanner { return NewScannerAt(r, 0) }

// NewScannerAt returns a Scanner whose offsets start at base (r is already
// positioned at base of the file).
func NewScannerAt(r io.Reader, base int64) *Scanner {
	return &Scanner{r: bufio.NewReaderSize(r, 64<<10), pos: base, atStart: true}
}

func (s *Scanner) limit() int {
	if s.MaxAlertBytes > 0 {
		return s.MaxAlertBytes
	}
	return DefaultMaxAlertBytes
}

// chunk returns the next piece of a line (a whole line when it fits the
// buffer), whether it starts a line, and io.EOF at the end.
func (s *Scanner) chunk() ([]byte, bool, error) {
	b, err := s.r.ReadSlice('\n')
	start := s.atStart
	switch {
	case err == nil:
		s.atStart = true
	case errors.Is(err, bufio.ErrBufferFull):
		s.atStart = false
		err = nil
	case errors.Is(err, io.EOF):
		s.atStart = true
		if len(b) > 0 {
			err = nil
		}
	}
	return b, start, err
}

func (s *Scanner) appendBlock(b []byte) {
	s.blockN += int64(len(b))
	if room := s.limit() - len(s.block); room > 0 {
		if len(b) > room {
			b = b[:room]
		}
		s.block = append(s.block, b...)
	}
}

// Scan advances to the next alert. It returns false at the end of the input
// or on a read error (see Err).
func (s *Scanner) Scan() bool {
	if s.err != nil {
		return false
	}
	// Find the first header.
	for !s.haveHdr {
		if s.eof {
			return false
		}
		b, start, err := s.chunk()
		if err != nil {
			return s.fail(err)
		}
		if start && IsHeader(b) {
			s.block = s.block[:0]
			s.blockN = 0
			s.blockAt = s.pos
			s.appendBlock(b)
			s.haveHdr = true
		} else {
			s.skipped += int64(len(b))
		}
		s.pos += int64(len(b))
	}
	next := s.next[:0]
	nextAt := int64(-1)
	for !s.eof {
		b, start, err := s.chunk()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return s.fail(err)
			}
			s.eof = true
			break
		}
		if start && IsHeader(b) {
			next = append(next, b...)
			nextAt = s.pos
			s.pos += int64(len(b))
			break
		}
		s.appendBlock(b)
		s.pos += int64(len(b))
	}
	a, err := ParseLogAlert(s.block)
	if err != nil {
		// Cannot happen: the block starts with a header.
		return s.fail(err)
	}
	a.Truncated = s.blockN > int64(len(s.block))
	s.cur, s.curOff, s.curLen = a, s.blockAt, s.blockN
	if nextAt >= 0 {
		s.block = append(s.block[:0], next...)
		s.next = next
		s.blockN = int64(len(next))
		s.blockAt = nextAt
	} else {
		s.haveHdr = false
	}
	return true
}

func (s *Scanner) fail(err error) bool {
	if errors.Is(err, io.EOF) {
		s.eof = true
		return false
	}
	s.err = fmt.Errorf("read alerts.log at offset %d: %w", s.pos, err)
	return false
}

// Alert returns the alert found by the last Scan.
func (s *Scanner) Alert() Alert { return s.cur }

// Offset returns the byte offset of the current alert's header line.
func (s *Scanner) Offset() int64 { return s.curOff }

// Len returns the byte length of the current alert, up to the next header.
func (s *Scanner) Len() int64 { return s.curLen }

// Skipped returns the bytes skipped before the first header.
func (s *Scanner) Skipped() int64 { return s.skipped }

// Err returns the first read error, nil at a clean end of input.
func (s *Scanner) Err() error { return s.err }

// ParseLogAlert parses one alerts.log alert: the bytes from its header line
// up to (not including) the next header. It fails only when the block does
// not start with a header; every other line is optional, so an odd alert
// yields what could be read.
//
// When the block is valid UTF-8 (the usual case) every string of the Alert
// is a substring of Raw, so an alert costs one copy of its bytes and a few
// slices; otherwise each line is copied with invalid sequences replaced.
func ParseLogAlert(block []byte) (Alert, error) {
	nl := bytes.IndexByte(block, '\n')
	first := block
	if nl >= 0 {
		first = block[:nl]
	}
	id, hlen, ok := parseHeader(first)
	if !ok {
		return Alert{}, fmt.Errorf("parse alert at %q: %w", clip(first, 40), ErrNotAlert)
	}
	raw := string(block)
	a := Alert{
		// The id's digits have no leading zeros (parseHeader), so the text
		// between "** Alert " and ":" is what id.String() would print.
		ID:       raw[len(headerPrefix) : hlen-1],
		Time:     time.Unix(id.Epoch, 0),
		Raw:      raw,
		Source:   SourceAlertsLog,
		Resolved: true,
	}
	valid := utf8.ValidString(raw)
	var lines []string
	if valid {
		a.Rule.Groups = parseGroupsString(raw[hlen:len(first)])
		if nl >= 0 {
			lines = splitLinesString(raw[nl+1:])
		}
	} else {
		a.Rule.Groups = parseGroups(first[hlen:])
		if nl >= 0 {
			lines = splitLines(block[nl+1:])
		}
	}
	i := 0
	// Date and location.
	if i < len(lines) && isDateLine(lines[i]) {
		loc := ""
		if len(lines[i]) > 21 {
			loc = lines[i][21:]
		}
		a.applyWhere(ParseLocation(loc))
		i++
	}
	// Labels (Wazuh) until the Rule line.
	r := -1
	for j := i; j < len(lines); j++ {
		if parseRuleLine(lines[j], &a.Rule) {
			r = j
			break
		}
	}
	if r >= 0 {
		for _, l := range lines[i:r] {
			if k, v, ok := strings.Cut(l, ": "); ok && k != "" {
				if a.Agent.Labels == nil {
					a.Agent.Labels = map[string]string{}
				}
				a.Agent.Labels[k] = v
			}
		}
		i = r + 1
		i = a.parseOptional(lines, i)
	}
	body := lines[i:]
	for len(body) > 0 && body[len(body)-1] == "" {
		body = body[:len(body)-1]
	}
	a.FullLog, a.Fields = splitBody(body, a.Fields)
	return a, nil
}

func (a *Alert) applyWhere(w Where) {
	a.Location = w.Location
	a.Agent.Name = w.Agent
	if a.Agent.Name == "" {
		a.Agent.Name = w.Host
	}
	a.Agent.IP = w.IP
	if w.AgentlessScript != "" {
		if a.Fields == nil {
			a.Fields = map[string]string{}
		}
		a.Fields["agentless.script"] = w.AgentlessScript
		a.Fields["agentless.user"] = w.AgentlessUser
	}
}

// splitLines splits on "\n", drops one trailing "\r" per line and makes
// every line valid UTF-8.
func splitLines(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	if b[len(b)-1] == '\n' {
		b = b[:len(b)-1]
	}
	n := bytes.Count(b, []byte{'\n'}) + 1
	out := make([]string, 0, n)
	for {
		l, rest, more := bytes.Cut(b, []byte{'\n'})
		l = bytes.TrimSuffix(l, []byte{'\r'})
		out = append(out, validString(l))
		if !more {
			return out
		}
		b = rest
	}
}

// splitLinesString is splitLines for a string that is valid UTF-8: the
// lines are substrings of s.
func splitLinesString(s string) []string {
	if len(s) == 0 {
		return nil
	}
	if s[len(s)-1] == '\n' {
		s = s[:len(s)-1]
	}
	out := make([]string, 0, strings.Count(s, "\n")+1)
	for {
		l, rest, more := strings.Cut(s, "\n")
		out = append(out, strings.TrimSuffix(l, "\r"))
		if !more {
			return out
		}
		s = rest
	}
}

func validString(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func clip(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	return validString(b)
}

// parseGroups reads what follows "** Alert <id>:": " mail  - a,b," or
// " - a,b" or " mail" (OSSEC 0.x).
func parseGroups(rest []byte) []string {
	_, g, ok := bytes.Cut(rest, []byte(" - "))
	if !ok {
		return nil
	}
	var out []string
	for _, f := range strings.Split(validString(bytes.TrimRight(g, "\r")), ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// parseGroupsString is parseGroups for a header that is valid UTF-8: the
// groups are substrings of rest.
func parseGroupsString(rest string) []string {
	_, g, ok := strings.Cut(rest, " - ")
	if !ok {
		return nil
	}
	g = strings.TrimRight(g, "\r")
	var out []string
	for len(g) > 0 {
		f := g
		if c := strings.IndexByte(g, ','); c >= 0 {
			f, g = g[:c], g[c+1:]
		} else {
			g = ""
		}
		if f = strings.TrimSpace(f); f != "" {
			if out == nil {
				out = make([]string, 0, strings.Count(g, ",")+1)
			}
			out = append(out, f)
		}
	}
	return out
}

// isDateLine checks the fixed "YYYY Mon DD HH:MM:SS" prefix.
func isDateLine(l string) bool {
	if len(l) < 20 || (len(l) > 20 && l[20] != ' ') {
		return false
	}
	if ok, known := quickDate(l[:20]); known {
		return ok
	}
	_, err := time.Parse("2006 Jan 02 15:04:05", l[:20])
	return err == nil
}

// quickDate decides what time.Parse("2006 Jan 02 15:04:05", d) would for
// the shape OSSEC writes (digits where the layout has them, the month
// abbreviation capitalised as in the layout): ok is whether d is a valid
// date; known is false for any other shape, left to time.Parse.
func quickDate(d string) (ok, known bool) {
	digits := func(i, n int) (int, bool) {
		v := 0
		for _, c := range []byte(d[i : i+n]) {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	year, ok1 := digits(0, 4)
	day, ok2 := digits(9, 2)
	hour, ok3 := digits(12, 2)
	minute, ok4 := digits(15, 2)
	sec, ok5 := digits(18, 2)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || d[4] != ' ' || d[8] != ' ' || d[11] != ' ' || d[14] != ':' || d[17] != ':' {
		return false, false
	}
	month := strings.Index("JanFebMarAprMayJunJulAugSepOctNovDec", d[5:8])
	if month < 0 || month%3 != 0 {
		return false, false
	}
	mdays := [12]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month/3]
	if month/3 == 1 && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		mdays = 29
	}
	return day >= 1 && day <= mdays && hour < 24 && minute < 60 && sec < 60, true
}

// parseRuleLine parses "Rule: <id> (level <n>) -> '<description>'".
func parseRuleLine(l string, r *Rule) bool {
	rest, ok := strings.CutPrefix(l, "Rule: ")
	if !ok {
		return false
	}
	idS, rest, ok := strings.Cut(rest, " (level ")
	if !ok {
		return false
	}
	lvS, rest, ok := strings.Cut(rest, ") -> ")
	if !ok {
		return false
	}
	id, ok1 := ruleID(idS)
	lv, ok2 := ruleLevel(lvS)
	if !ok1 || !ok2 {
		return false
	}
	r.ID, r.Level = id, lv
	// The description may itself hold quotes: take what lies between the
	// first and the last one.
	if f, l := strings.IndexByte(rest, '\''), strings.LastIndexByte(rest, '\''); f >= 0 && l > f {
		r.Description = rest[f+1 : l]
	} else {
		r.Description = strings.Trim(rest, "'")
	}
	return true
}

// optionalLines are the lines OSSEC prints after the Rule line, in order.
var optionalLines = []string{"Src IP: ", "Src Location: ", "Src Port: ", "Dst IP: ", "Dst Location: ", "Dst Port: ", "User: "}

// parseOptional reads the fixed block after the Rule line and returns the
// index of the first body line.
func (a *Alert) parseOptional(lines []string, i int) int {
	k := 0
	for i < len(lines) && k < len(optionalLines) {
		matched := false
		for j := k; j < len(optionalLines); j++ {
			v, ok := strings.CutPrefix(lines[i], optionalLines[j])
			if !ok {
				continue
			}
			if v == "(none)" {
				v = ""
			}
			switch j {
			case 0:
				a.SrcIP = v
			case 1:
				a.setField("srcgeoip", v)
			case 2:
				a.SrcPort = v
			case 3:
				a.DstIP = v
			case 4:
				a.setField("dstgeoip", v)
			case 5:
				a.DstPort = v
			case 6:
				a.User = v
			}
			k = j + 1
			matched = true
			break
		}
		if !matched {
			break
		}
		i++
	}
	return i
}

func (a *Alert) setField(k, v string) {
	if v == "" {
		return
	}
	if a.Fields == nil {
		a.Fields = map[string]string{}
	}
	a.Fields[k] = v
}

// splitBody separates the log lines from the Wazuh dynamic fields printed
// after them ("name: value", the name made of letters, digits and "._-").
// Only a trailing run of such lines counts as fields: a field-like line
// followed by a plain line is log text ("ossec: output: ..." after "Previous
// output:"). A quoted value that does not end on its line
// ("win.system.message: \"...") continues until a line ending with a quote.
// Syscheck bodies are kept whole.
func splitBody(body []string, fields map[string]string) ([]string, map[string]string) {
	if len(body) == 0 {
		return nil, fields
	}
	if isSyscheckBody(body[0]) {
		return body, fields
	}
	type kv struct{ k, v string }
	logLines := make([]string, 1, len(body))
	logLines[0] = body[0]
	var pending []kv
	pendingFrom := -1 // index in body of the first pending field line
	for i := 1; i < len(body); i++ {
		k, v, ok := dynamicField(body[i])
		if !ok {
			if pendingFrom >= 0 {
				logLines = append(logLines, body[pendingFrom:i]...)
				pending, pendingFrom = pending[:0], -1
			}
			logLines = append(logLines, body[i])
			continue
		}
		if pendingFrom < 0 {
			pendingFrom = i
		}
		if strings.HasPrefix(v, `"`) && (len(v) == 1 || !strings.HasSuffix(v, `"`)) {
			j := i + 1
			for j < len(body) && !strings.HasSuffix(body[j], `"`) {
				j++
			}
			if j < len(body) {
				v = strings.Join(append([]string{v}, body[i+1:j+1]...), "\n")
				i = j
			}
		}
		pending = append(pending, kv{k, v})
	}
	for _, p := range pending {
		if fields == nil {
			fields = map[string]string{}
		}
		if _, dup := fields[p.k]; !dup {
			fields[p.k] = p.v
		}
	}
	return logLines, fields
}

func dynamicField(l string) (string, string, bool) {
	k, v, ok := strings.Cut(l, ": ")
	if !ok {
		if k, ok = strings.CutSuffix(l, ":"); !ok {
			return "", "", false
		}
	}
	if k == "" || len(k) > 128 {
		return "", "", false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "", "", false
		}
	}
	if c := k[0]; c == '.' || c == '-' || c >= '0' && c <= '9' {
		return "", "", false
	}
	return k, v, true
}

func isSyscheckBody(first string) bool {
	return strings.HasPrefix(first, "Integrity checksum changed for: ") ||
		strings.HasPrefix(first, "New file '") ||
		(strings.HasPrefix(first, "File '") && (strings.HasSuffix(first, "' modified") ||
			strings.HasSuffix(first, "' added") || strings.HasSuffix(first, "' deleted") ||
			strings.Contains(first, "' was deleted.")))
}
