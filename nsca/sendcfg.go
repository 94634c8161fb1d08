package nsca

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// SendConfig is what a send_nsca.cfg sets.
type SendConfig struct {
	Password string // default empty
	Method   Method // default MethodXOR, as send_nsca
	// Legacy is legacy_2_7_mode; LegacySet says the file set it (the file
	// takes precedence over --legacy-2-7-mode).
	Legacy    bool
	LegacySet bool
}

// maxPassword is send_nsca's password buffer minus its NUL.
const maxPassword = 511

// ConfigError is a send_nsca.cfg line that send_nsca (or this package,
// for encryption methods it cannot use) refuses.
type ConfigError struct {
	File string
	Line int
	// Msg is the message in send_nsca's own words, e.g. "Unknown option
	// specified in config file 'x' - Line 3" (what `ossec-nagios send`
	// prints, like send_nsca, on stdout).
	Msg string
	Err error // the method error (ErrUnknownMethod, ErrUnsupportedMethod, ErrNotImplemented) or nil
}

func (e *ConfigError) Error() string {
	s := e.Msg
	if s != "" {
		s = strings.ToLower(s[:1]) + s[1:]
	}
	return s
}

func (e *ConfigError) Unwrap() error { return e.Err }

// ReadSendConfig reads a send_nsca.cfg exactly as send_nsca 2.10.2 does
// (PROTOCOL.md §6): lines up to 5118 bytes; '#' in the first column and
// empty lines are skipped; the name is what precedes the first '=' (leading
// '=' skipped) and the value everything after it up to the newline, spaces
// and a CR included; an empty value is an error. Names are matched by
// substring, in this order: "password", "encryption_method",
// "legacy_2_7_mode"; anything else is an error. On top of send_nsca,
// encryption_method also takes names ("3des", "rijndael-256"), and a method
// the daemon rejects or this package cannot encrypt with is an error
// naming the method. file names the file in messages.
//
// The warnings name lines whose value starts or ends with a space or tab,
// or holds a CR: they are kept as part of the value, which is rarely what
// was meant (a password " x" or "x\r" does not match the daemon's "x").
// They never show the password.
func ReadSendConfig(r io.Reader, file string) (SendConfig, []string, error) {
	cfg := SendConfig{Method: MethodXOR}
	var warns []string
	br := bufio.NewReader(r)
	for line := 1; ; line++ {
		raw, err := readCLine(br, maxInputBuffer-2)
		if err == io.EOF && raw == "" {
			return cfg, warns, nil
		}
		if err != nil && err != io.EOF {
			return cfg, warns, fmt.Errorf("read config file '%s': %w", file, err)
		}
		if raw == "" || raw[0] == '#' || raw[0] == 0 || raw[0] == '\n' {
			continue
		}
		if i := strings.IndexByte(raw, 0); i >= 0 { // C string
			raw = raw[:i]
		}
		cfgErr := func(format string, a ...any) *ConfigError {
			return &ConfigError{File: file, Line: line, Msg: fmt.Sprintf(format, a...)}
		}
		// strtok(buf, "="): skip leading '=', the name runs to the next '='.
		rest := strings.TrimLeft(raw, "=")
		if rest == "" {
			return cfg, warns, cfgErr("No variable name specified in config file '%s' - Line %d", file, line)
		}
		name, after, hasEq := strings.Cut(rest, "=")
		// strtok(NULL, "\n"): skip leading newlines, run to the next one.
		value := ""
		if hasEq {
			value, _, _ = strings.Cut(strings.TrimLeft(after, "\n"), "\n")
		}
		if value == "" {
			return cfg, warns, cfgErr("No variable value specified in config file '%s' - Line %d", file, line)
		}
		key := ""
		switch {
		case strings.Contains(name, "password"):
			key = "password"
			if len(value) > maxPassword {
				return cfg, warns, cfgErr("Password is too long in config file '%s' - Line %d", file, line)
			}
			cfg.Password = value
		case strings.Contains(name, "encryption_method"):
			key = "encryption_method"
			m, err := parseCfgMethod(value)
			if err != nil {
				e := cfgErr("Invalid encryption method (%s) in config file '%s' - Line %d", strings.TrimSpace(value), file, line)
				e.Err = err
				return cfg, warns, e
			}
			if err := m.Validate(); err != nil {
				e := cfgErr("Unusable encryption method in config file '%s' - Line %d: %s", file, line, trimPrefix(err.Error()))
				e.Err = err
				return cfg, warns, e
			}
			cfg.Method = m
		case strings.Contains(name, "legacy_2_7_mode"):
			key = "legacy_2_7_mode"
			switch {
			case strings.Contains(value, "true") || strings.Contains(value, "yes"):
				cfg.Legacy, cfg.LegacySet = true, true
			case strings.Contains(value, "false") || strings.Contains(value, "no"):
				cfg.Legacy, cfg.LegacySet = false, true
			default:
				warns = append(warns, fmt.Sprintf("config file '%s' line %d: legacy_2_7_mode value is neither yes/true nor no/false; ignored (as send_nsca does)", file, line))
			}
		default:
			return cfg, warns, cfgErr("Unknown option specified in config file '%s' - Line %d", file, line)
		}
		if w := spaceWarning(value); w != "" {
			warns = append(warns, fmt.Sprintf("config file '%s' line %d: the value of %s %s; send_nsca keeps it as part of the value", file, line, key, w))
		}
	}
}

// maxInputBuffer is send_nsca's MAX_INPUT_BUFFER.
const maxInputBuffer = 5120

// readCLine reads like fgets with a buffer of max+1: up to max bytes or
// through the next '\n'.
func readCLine(br *bufio.Reader, max int) (string, error) {
	var b strings.Builder
	for b.Len() < max {
		c, err := br.ReadByte()
		if err != nil {
			return b.String(), err
		}
		b.WriteByte(c)
		if c == '\n' {
			break
		}
	}
	return b.String(), nil
}

func spaceWarning(v string) string {
	var what []string
	if strings.ContainsAny(v[:1], " \t") {
		what = append(what, "starts with a space")
	}
	if strings.ContainsAny(v[len(v)-1:], " \t") || (strings.HasSuffix(v, "\r") && len(v) > 1 && strings.ContainsAny(v[len(v)-2:len(v)-1], " \t")) {
		what = append(what, "ends with a space")
	}
	if strings.Contains(v, "\r") {
		what = append(what, "holds a carriage return (CRLF file?)")
	}
	return strings.Join(what, " and ")
}

// parseCfgMethod reads an encryption_method value: a number as C atoi
// reads it (leading white space, sign, digits, anything after ignored), or
// a method name.
func parseCfgMethod(v string) (Method, error) {
	t := strings.TrimLeft(v, " \t\n\v\f\r")
	digits := t
	if strings.HasPrefix(digits, "+") || strings.HasPrefix(digits, "-") {
		digits = digits[1:]
	}
	if digits != "" && digits[0] >= '0' && digits[0] <= '9' {
		n := 0
		for _, c := range []byte(digits) {
			if c < '0' || c > '9' {
				break
			}
			n = n*10 + int(c-'0')
			if n > 1000 {
				break
			}
		}
		if strings.HasPrefix(t, "-") {
			n = -n
		}
		if n < 0 || n >= len(methods) {
			return 0, fmt.Errorf("encryption method %d: %w", n, ErrUnknownMethod)
		}
		// Numbers both parsers refuse (13, 17, 18, 21) keep send_nsca's
		// "Invalid encryption method" message.
		if m := Method(n); m.isUnusedNumber() {
			return 0, fmt.Errorf("encryption method %s: %w", m.describe(), ErrUnsupportedMethod)
		}
		return Method(n), nil
	}
	m, err := ParseMethod(v)
	if err != nil {
		return 0, err
	}
	return m, nil
}

// isUnusedNumber: a number nsca's and send_nsca's config parsers refuse.
func (m Method) isUnusedNumber() bool {
	mi, ok := m.info()
	return ok && mi.reject == rejectNoNumber
}
