package alert

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrBadARArgs reports legacy active-response arguments that do not follow
// "add|delete user srcip alertid ruleid location...".
var ErrBadARArgs = errors.New("bad active-response arguments")

// ErrBadARMessage reports a Wazuh >= 4.2 stdin message that cannot be used.
var ErrBadARMessage = errors.New("bad active-response message")

// Action is what execd asks for.
type Action string

// The actions execd sends.
const (
	ActionAdd    Action = "add"
	ActionDelete Action = "delete"
)

// LegacyRequest is what OSSEC (all versions) and Wazuh < 4.2 pass on the
// command line: add|delete user srcip alertid ruleid location... [filename]
// [extra_args...], where execd split every field on spaces and "-" means
// empty.
type LegacyRequest struct {
	Action   Action
	User     string
	SrcIP    string
	AlertID  string
	ID       ID
	RuleID   int
	Location string // re-joined with single spaces
	Filename string // syscheck file, when it could be told apart
	// Extra holds the words after the location that are not part of it:
	// "-" placeholders for the filename and Wazuh >= 3.5's extra_args, or
	// extra_args words.
	Extra []string
}

// ParseLegacyArgs parses the arguments after the program name. The
// location was split on spaces by execd and the filename and extra_args
// follow it, so they are found from the end: trailing "-" words are the
// empty filename and extra_args, and for a syscheck location the words
// after "syscheck" are the file name.
func ParseLegacyArgs(args []string) (LegacyRequest, error) {
	if len(args) < 5 {
		return LegacyRequest{}, fmt.Errorf("%w: want add|delete USER SRCIP ALERTID RULEID [LOCATION...], got %d arguments", ErrBadARArgs, len(args))
	}
	var r LegacyRequest
	switch args[0] {
	case "add", "delete":
		r.Action = Action(args[0])
	default:
		return r, fmt.Errorf("%w: action %q is not add or delete", ErrBadARArgs, clip([]byte(args[0]), 32))
	}
	r.User = dash(args[1])
	r.SrcIP = strings.TrimPrefix(dash(args[2]), "::ffff:")
	id, err := ParseID(args[3])
	if err != nil {
		return r, fmt.Errorf("%w: %w", ErrBadARArgs, err)
	}
	r.AlertID, r.ID = args[3], id
	if rid, ok := ruleID(args[4]); ok {
		r.RuleID = rid
	} else {
		return r, fmt.Errorf("%w: rule id %q is not a number", ErrBadARArgs, clip([]byte(args[4]), 32))
	}
	rest := args[5:]
	// Trailing "-" are the empty filename and extra_args (at most two).
	end := len(rest)
	for n := 0; n < 2 && end > 0 && rest[end-1] == "-"; n++ {
		end--
	}
	if end < len(rest) {
		r.Extra = append([]string(nil), rest[end:]...)
	}
	loc := rest[:end]
	// A syscheck location is followed by the (space-split) file name.
	for i, w := range loc {
		if w == "syscheck" || strings.HasSuffix(w, "->syscheck") {
			if i+1 < len(loc) {
				r.Filename = unescapeShell(strings.Join(loc[i+1:], " "))
			}
			loc = loc[:i+1]
			break
		}
	}
	r.Location = strings.Join(loc, " ")
	if r.Location == "-" {
		r.Location = ""
	}
	return r, nil
}

func dash(s string) string {
	if s == "-" {
		return ""
	}
	return s
}

// unescapeShell undoes os_shell_escape (a backslash before special bytes).
func unescapeShell(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Query returns what the request knows to resolve its alert with.
func (r LegacyRequest) Query() Query {
	return Query{ID: r.AlertID, RuleID: r.RuleID, SrcIP: r.SrcIP, User: r.User, Location: r.Location}
}

// Fallback is the "not resolved" alert carrying what the arguments know.
func (r LegacyRequest) Fallback() Alert {
	a := r.Query().Fallback()
	a.Source = SourceARLegacy
	return a
}

// MaxARMessage bounds the one line read from execd on stdin.
const MaxARMessage = 8 << 20

// ARMessage is a Wazuh >= 4.2 active-response message (stdin).
type ARMessage struct {
	// Dialect is 4 for Wazuh 4.2-4.14 (version, origin, parameters), 5
	// for Wazuh >= 5.0 (a finding with wazuh.active_response).
	Dialect int
	// Wazuh5 is the channel of a Wazuh 5 message, nil for 4.x.
	Wazuh5  *Wazuh5AR
	Version int
	Origin  struct {
		Name   string `json:"name"`
		Module string `json:"module"`
	}
	Command    string
	ExtraArgs  []string
	Program    string
	Keys       []string        // of a control message (check_keys, continue, abort)
	AlertJSON  json.RawMessage // parameters.alert as sent
	Alert      Alert           // parameters.alert decoded; zero when absent
	HasAlert   bool
	RawMessage []byte
}

type arWire struct {
	Version json.Number `json:"version"`
	Origin  *struct {
		Name   string `json:"name"`
		Module string `json:"module"`
	} `json:"origin"`
	Command    *string `json:"command"`
	Parameters *struct {
		ExtraArgs []string        `json:"extra_args"`
		Alert     json.RawMessage `json:"alert"`
		Program   string          `json:"program"`
		Keys      []string        `json:"keys"`
	} `json:"parameters"`
}

// ReadLine reads exactly one line (up to and including "\n") from r and
// never waits for more: execd keeps stdin open, so reading to EOF would hang
// both processes. A last line without "\n" before EOF is accepted.
func ReadLine(r *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	for {
		b, err := r.ReadSlice('\n')
		if len(line)+len(b) > max {
			return nil, fmt.Errorf("%w: line longer than %d bytes", ErrBadARMessage, max)
		}
		line = append(line, b...)
		switch {
		case err == nil:
			return line, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(line) > 0:
			return line, nil
		case errors.Is(err, io.EOF):
			return nil, fmt.Errorf("%w: no message on stdin: %w", ErrBadARMessage, io.ErrUnexpectedEOF)
		default:
			return nil, fmt.Errorf("read active-response message: %w", err)
		}
	}
}

// ReadARMessage reads one message line from execd and decodes it, with its
// alert (parameters.alert, taken as is: its id is not resolved).
func ReadARMessage(r *bufio.Reader) (*ARMessage, error) {
	line, err := ReadLine(r, MaxARMessage)
	if err != nil {
		return nil, err
	}
	return ParseARMessage(line)
}

// ParseARMessage decodes one message. It accepts the "#!-execd " prefix an
// agent receives, and the \x21 \x24 \x27 \x60 sequences that managers
// 4.2.0-4.2.4 wrote for ! $ ' and backtick.
func ParseARMessage(line []byte) (*ARMessage, error) {
	line = bytes.TrimSpace(line)
	line = bytes.TrimPrefix(line, []byte("#!-execd "))
	if m, ok, err := parseWazuh5(line); ok {
		return m, err
	}
	var w arWire
	if err := json.Unmarshal(line, &w); err != nil {
		fixed := unescapeX(line)
		if err2 := json.Unmarshal(fixed, &w); err2 != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadARMessage, err)
		}
		line = fixed
	}
	if w.Command == nil || w.Parameters == nil {
		return nil, fmt.Errorf("%w: no command or parameters", ErrBadARMessage)
	}
	m := &ARMessage{Dialect: 4, Command: *w.Command, RawMessage: append([]byte(nil), line...)}
	if v, err := w.Version.Int64(); err == nil {
		m.Version = int(v)
	}
	if w.Origin != nil {
		m.Origin.Name, m.Origin.Module = w.Origin.Name, w.Origin.Module
	}
	p := w.Parameters
	m.ExtraArgs, m.Program, m.Keys = p.ExtraArgs, p.Program, p.Keys
	if len(p.Alert) > 0 && !bytes.Equal(p.Alert, []byte("null")) {
		a, err := ParseJSONAlert(p.Alert)
		if err != nil {
			return nil, fmt.Errorf("%w: parameters.alert: %w", ErrBadARMessage, err)
		}
		a.Source = SourceARJSON
		m.AlertJSON, m.Alert, m.HasAlert = p.Alert, a, true
	}
	return m, nil
}

func unescapeX(b []byte) []byte {
	r := strings.NewReplacer(`\x21`, "!", `\x24`, "$", `\x27`, "'", `\x60`, "`")
	return []byte(r.Replace(string(b)))
}

// Action returns add or delete for execd's command (execd rewrites the
// command to "add"; a delete after a timeout keeps "delete").
func (m *ARMessage) Action() (Action, error) {
	if m.Dialect == 5 {
		// Wazuh 5: enable (the handshake follows), or disable (a later
		// run of a stateful channel, no handshake).
		switch m.Command {
		case CommandEnable:
			return ActionAdd, nil
		case CommandDisable:
			return ActionDelete, nil
		}
		return "", fmt.Errorf("%w: Wazuh 5 message: command %q is not enable or disable", ErrBadARMessage, clip([]byte(m.Command), 32))
	}
	switch m.Command {
	case "add", "delete":
		return Action(m.Command), nil
	case CommandEnable, CommandDisable:
		return "", fmt.Errorf("%w: command %q is Wazuh 5's, but the message has no wazuh.active_response", ErrBadARMessage, clip([]byte(m.Command), 32))
	}
	return "", fmt.Errorf("%w: command %q is not add or delete", ErrBadARMessage, clip([]byte(m.Command), 32))
}

// Verdict is execd's answer to a check_keys message.
type Verdict string

// The answers execd gives.
const (
	VerdictContinue Verdict = "continue"
	VerdictAbort    Verdict = "abort"
)

// Keys returns the stateful keys for an alert: the rule id and the agent
// (agent id, else name), so that a repeat of the same rule on the same agent
// within the timeout is aborted by execd.
//
// A Wazuh 5 alert's rule is its UUID.
func Keys(a Alert) []string {
	keys := []string{strconv.Itoa(a.Rule.ID)}
	if a.Rule.UID != "" {
		keys[0] = a.Rule.UID
	}
	switch {
	case a.Agent.ID != "":
		keys = append(keys, a.Agent.ID)
	case a.Agent.Name != "":
		keys = append(keys, a.Agent.Name)
	}
	return keys
}

// CheckKeys performs the check_keys handshake: it writes one control
// message line to w, then reads execd's one-line answer from r (the same
// reader the message was read from). Only an add has a handshake.
func CheckKeys(r *bufio.Reader, w io.Writer, program string, keys []string) (Verdict, error) {
	if err := writeCheckKeys(w, program, keys); err != nil {
		return "", err
	}
	line, err := ReadLine(r, MaxARMessage)
	if err != nil {
		return "", fmt.Errorf("check_keys: read answer: %w", err)
	}
	return ParseVerdict(line)
}

// CheckKeysContext is CheckKeys with the answer read from l, waiting no
// longer than ctx allows. An error wrapping ErrNoAnswer means execd did
// not answer (stdout not writable, stdin closed, or ctx ended first).
func CheckKeysContext(ctx context.Context, l *LineReader, w io.Writer, program string, keys []string) (Verdict, error) {
	if err := writeCheckKeys(w, program, keys); err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoAnswer, err)
	}
	line, err := l.ReadLine(ctx)
	if err != nil {
		if errors.Is(err, ErrBadARMessage) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return "", fmt.Errorf("check_keys: read answer: %w", err)
		}
		return "", fmt.Errorf("check_keys: %w: %w", ErrNoAnswer, err)
	}
	return ParseVerdict(line)
}

// ErrNoAnswer reports a check_keys handshake that got no answer.
var ErrNoAnswer = errors.New("no answer from execd")

// ParseVerdict decodes execd's answer to check_keys.
func ParseVerdict(line []byte) (Verdict, error) {
	m, err := ParseARMessage(line)
	if err != nil {
		return "", fmt.Errorf("check_keys: answer: %w", err)
	}
	switch Verdict(m.Command) {
	case VerdictContinue, VerdictAbort:
		return Verdict(m.Command), nil
	}
	return "", fmt.Errorf("check_keys: %w: answer %q is not continue or abort", ErrBadARMessage, clip([]byte(m.Command), 32))
}

func writeCheckKeys(w io.Writer, program string, keys []string) error {
	msg := struct {
		Version int    `json:"version"`
		Origin  any    `json:"origin"`
		Command string `json:"command"`
		Params  any    `json:"parameters"`
	}{
		Version: 1,
		Origin:  map[string]string{"name": program, "module": "active-response"},
		Command: "check_keys",
		Params:  map[string]any{"keys": keys},
	}
	b, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("check_keys: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("check_keys: write: %w", err)
	}
	return nil
}

// LineReader reads execd's lines from a stream that execd keeps open, one
// line per request, in a goroutine of its own: a caller can stop waiting
// (deadline, signal) while the read goes on. It never reads ahead beyond
// its buffer and never waits for EOF. A read still blocked when the caller
// gave up stays blocked until the stream yields or the process exits.
type LineReader struct {
	req  chan struct{}
	resp chan lineResult
	busy bool // a line was requested and not yet taken
}

type lineResult struct {
	line []byte
	err  error
}

// NewLineReader starts reading r on demand.
func NewLineReader(r io.Reader) *LineReader {
	l := &LineReader{req: make(chan struct{}), resp: make(chan lineResult, 1)}
	go func() {
		br := bufio.NewReader(r)
		var sticky error
		for range l.req {
			if sticky != nil {
				l.resp <- lineResult{err: sticky}
				continue
			}
			line, err := ReadLine(br, MaxARMessage)
			sticky = err
			l.resp <- lineResult{line, err}
		}
	}()
	return l
}

// ReadLine returns the next line, or ctx's error when ctx ends first; a
// later call then returns the line that was on its way.
func (l *LineReader) ReadLine(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !l.busy {
		l.req <- struct{}{} // the reader goroutine is idle: never blocks long
		l.busy = true
	}
	select {
	case r := <-l.resp:
		l.busy = false
		return r.line, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// ReadARMessageContext is ReadARMessage reading from l within ctx.
func ReadARMessageContext(ctx context.Context, l *LineReader) (*ARMessage, error) {
	line, err := l.ReadLine(ctx)
	if err != nil {
		return nil, err
	}
	return ParseARMessage(line)
}
