package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ossec-nagios/ossec-nagios/nsca"
)

// Exit codes of `ossec-nagios send`: send_nsca 2.10.2's.
const (
	sendOK       = 0
	sendCritical = 2   // config, connection, init packet, timeout, nothing sent
	sendUnknown  = 3   // usage, help, a write that failed
	sendTooLong  = 255 // an input set longer than 5120 bytes
)

// sendMaxSet is send_nsca's MAX_INPUT_BUFFER: a longer set aborts.
const sendMaxSet = 5120

// sendDefaultConfig is Debian's send_nsca.cfg.
const sendDefaultConfig = "/etc/send_nsca.cfg"

// hintDropped names why the daemon drops a packet without telling anyone.
const hintDropped = "the nsca daemon never reports a dropped packet to the client; it drops (and logs to syslog as \"invalid packet\") any packet whose password, encryption method or packet size (--legacy-2-7-mode) differ from its own nsca.cfg: compare password= and encryption_method= with nsca.cfg's password and decryption_method"

// sendOptions is what `ossec-nagios send` was asked, as send_nsca parses it.
type sendOptions struct {
	host      string
	port      int
	timeout   int // seconds
	delim     []byte
	setDelim  byte
	config    string
	quiet     bool
	legacy    bool
	verbose   bool
	help      bool
	version   bool
	hasSetEnd bool // -ds given as empty: no set delimiter
}

// parseSendArgs follows send_nsca's process_arguments: the first argument
// may be the host (old syntax); every flag also has a --flag or -flag twin.
func parseSendArgs(args []string) (sendOptions, error) {
	o := sendOptions{port: nsca.DefaultPort, timeout: 10, delim: []byte{'\t'}, setDelim: 0x17, config: sendDefaultConfig}
	if len(args) == 0 {
		o.help = true
		return o, nil
	}
	o.host = args[0]
	value := func(i int, flag string) (string, error) {
		if i+1 >= len(args) {
			return "", fmt.Errorf("%s needs a value", flag)
		}
		return args[i+1], nil
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		f := a
		if strings.HasPrefix(f, "--") {
			f = f[1:]
		}
		switch f {
		case "-h", "-help":
			o.help = true
		case "-V", "-version", "-l", "-license":
			o.version = true
		case "-quiet":
			o.quiet = true
		case "-legacy-2-7-mode":
			o.legacy = true
		case "-v", "-verbose":
			o.verbose = true
		case "-H", "-p", "-to", "-c", "-d", "-ds":
			v, err := value(i, a)
			if err != nil {
				return o, err
			}
			i++
			switch f {
			case "-H":
				o.host = v
			case "-p":
				o.port = cAtoi(v)
			case "-to":
				if o.timeout = cAtoi(v); o.timeout <= 0 {
					return o, fmt.Errorf("-to %q: want a positive number of seconds", v)
				}
			case "-c":
				o.config = v
			case "-d":
				o.delim = parseDelimiter(v)
			case "-ds":
				d := parseDelimiter(v)
				if len(d) == 0 {
					o.hasSetEnd = true
				} else {
					o.setDelim = d[0]
				}
			}
		default:
			if i > 0 {
				return o, fmt.Errorf("unknown argument %q", a)
			}
		}
	}
	return o, nil
}

// parseDelimiter is send_nsca's parse_delimiter: a longer argument that
// starts with a digit, '+' or '-' is a number in C notation (0x0a, 012,
// 10) giving the byte; anything else gives its first byte.
func parseDelimiter(arg string) []byte {
	if len(arg) > 1 && (arg[0] >= '0' && arg[0] <= '9' || arg[0] == '+' || arg[0] == '-') {
		return []byte{byte(cStrtol(arg))}
	}
	if arg == "" {
		return nil
	}
	return []byte{arg[0]}
}

// cAtoi is C's atoi: leading white space, a sign, digits; 0 if none.
func cAtoi(s string) int {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' || n > 1<<40 {
			break
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		return -n
	}
	return n
}

// cStrtol is strtol(s, NULL, 0): 0x for hex, a leading 0 for octal.
func cStrtol(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	base := int64(10)
	switch {
	case len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X") && strings.ContainsRune("0123456789abcdefABCDEF", rune(s[2])):
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base = 8
	}
	var n int64
	for _, c := range []byte(s) {
		var d int64
		switch {
		case c >= '0' && c <= '9':
			d = int64(c - '0')
		case c >= 'a' && c <= 'f':
			d = int64(c-'a') + 10
		case c >= 'A' && c <= 'F':
			d = int64(c-'A') + 10
		default:
			d = 99
		}
		if d >= base || n > 1<<40 {
			break
		}
		n = n*base + d
	}
	if neg {
		return -n
	}
	return n
}

func sendUsage(w io.Writer) {
	fmt.Fprintf(w, `
NSCA Client 2.10.2 compatible (ossec-nagios %s)
Encryption Routines: AVAILABLE (methods: %s)

Usage: ossec-nagios send [--quiet] -H <host_address> [-p port] [-to to_sec] [-d delim] [-ds set_delim] [-c config_file] [--legacy-2-7-mode] [-v]

Options:
 --quiet            = Be quiet unless there are errors
 <host_address>     = The IP address of the host running the NSCA daemon
 [port]             = The port on which the daemon is running - default is %d
 [to_sec]           = Number of seconds before connection attempt times out.
                      (default timeout is 10 seconds)
 [delim]            = Delimiter to use when parsing input (defaults to a tab).
                      Honors hex formatted values, e.g. 0x09.
 [set_delim]        = Delimiter to use when parsing different sets
                      (defaults to an ETB character).
                      Honors hex formatted values, e.g. 0x17.
 [config_file]      = Name of config file to use (default %s)
 --legacy-2-7-mode  = Allow sending to NSCA 2.7 daemon. This can also be specified in send_nsca.cfg, which takes precedence.
 -v, --verbose      = Show each packet on stderr, then wait briefly to see whether
                      the daemon dropped the packets (it closes the connection).

Input: one result per set, sets separated by ETB (0x17), fields by the delimiter:
Service Checks:
<host_name>[tab]<svc_description>[tab]<return_code>[tab]<plugin_output>
Host Checks:
<host_name>[tab]<return_code>[tab]<plugin_output>
Use -ds 0x0a for one result per line.

Examples:
  printf 'web01\tOSSEC\t2\tCRITICAL - test\n' | ossec-nagios send -H nagios1 -ds 0x0a -c /etc/send_nsca.cfg
  ossec-nagios resolve -format nsca 1780297522.5825 | ossec-nagios send -H 127.0.0.1 -ds 0x0a -v

Like send_nsca, -h exits 3.
`, version, implementedMethods(), nsca.DefaultPort, sendDefaultConfig)
}

func implementedMethods() string {
	var s []string
	for _, m := range nsca.Methods() {
		if m.Implemented() {
			s = append(s, strconv.Itoa(int(m)))
		}
	}
	return strings.Join(s, " ")
}

// sendOutput collects what the run prints, so that the whole-run timeout
// can end the command while the sender is still blocked.
type sendOutput struct {
	mu      sync.Mutex
	out     io.Writer
	err     io.Writer
	stopped bool
}

func (s *sendOutput) stdout(format string, a ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stopped {
		fmt.Fprintf(s.out, format, a...)
	}
}

func (s *sendOutput) stderr(format string, a ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stopped {
		fmt.Fprintf(s.err, format, a...)
	}
}

func (s *sendOutput) Write(p []byte) (int, error) { // the -v debug stream
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stopped {
		return s.err.Write(p)
	}
	return len(p), nil
}

// runSend is the send_nsca 2.10.2 drop-in.
func runSend(ctx context.Context, e *env, args []string) int {
	o, err := parseSendArgs(args)
	if err != nil {
		fmt.Fprintf(e.stderr, "Incorrect command line arguments supplied\n")
		fmt.Fprintf(e.stderr, "ossec-nagios send: %v\n", err)
		sendUsage(e.stdout)
		return sendUnknown
	}
	if o.help || o.version {
		if o.help {
			sendUsage(e.stdout)
		} else {
			fmt.Fprintf(e.stdout, "NSCA Client 2.10.2 compatible (ossec-nagios %s)\n", version)
		}
		return sendUnknown
	}

	cfg, err := readSendConfigFile(e, o.config)
	if err != nil {
		var ce *nsca.ConfigError
		if errors.As(err, &ce) {
			fmt.Fprintf(e.stdout, "%s\n", ce.Msg)
		} else {
			fmt.Fprintf(e.stdout, "Could not open config file '%s' for reading.\n", o.config)
		}
		fmt.Fprintf(e.stdout, "Error: Config file '%s' contained errors...\n", o.config)
		if ce != nil && ce.Err != nil {
			fmt.Fprintf(e.stderr, "hint: %v\n", ce.Err)
		}
		return sendCritical
	}
	legacy := o.legacy
	if cfg.LegacySet {
		legacy = cfg.Legacy
	}

	out := &sendOutput{out: e.stdout, err: e.stderr}
	ncfg := nsca.Config{
		Password: cfg.Password,
		Method:   cfg.Method,
		Legacy:   legacy,
		// One connection per result for the costly ciphers, once the
		// first result proved password and method (nsca.Config.Short).
		Short:   cfg.Method.Costly(),
		Timeout: time.Duration(o.timeout) * time.Second,
	}
	if o.verbose {
		ncfg.Debug = out
		ncfg.Confirm = 300 * time.Millisecond
	}
	// One alarm for the whole run, connection included, as send_nsca.
	ctx, cancel := context.WithTimeout(ctx, time.Duration(o.timeout)*time.Second)
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- sendRun(ctx, e.stdin, out, o, ncfg) }()
	var code int
	select {
	case code = <-done:
	case <-ctx.Done():
		select {
		case code = <-done: // it noticed at the same moment
		case <-time.After(100 * time.Millisecond):
			code = sendTimedOut // blocked (reading stdin): abandon it
		}
	}
	if code == sendTimedOut {
		out.mu.Lock()
		out.stopped = true
		out.mu.Unlock()
		fmt.Fprintf(e.stderr, "Error: Timeout after %d seconds\n", o.timeout)
		return sendCritical
	}
	return code
}

// sendTimedOut is sendRun's code for "the whole-run alarm went off".
const sendTimedOut = -1

// readSendConfigFile reads send_nsca.cfg and prints its warnings.
func readSendConfigFile(e *env, path string) (nsca.SendConfig, error) {
	f, err := os.Open(path)
	if err != nil {
		return nsca.SendConfig{}, err
	}
	defer f.Close()
	cfg, warns, err := nsca.ReadSendConfig(f, path)
	for _, w := range warns {
		fmt.Fprintf(e.stderr, "Warning: %s\n", w)
	}
	return cfg, err
}

// sendRun connects, reads the sets and sends them; it returns the exit
// code.
func sendRun(ctx context.Context, stdin io.Reader, out *sendOutput, o sendOptions, cfg nsca.Config) int {
	addr := net.JoinHostPort(o.host, strconv.Itoa(o.port))
	c, err := nsca.Dial(ctx, addr, cfg)
	if err != nil {
		if ctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded) {
			return sendTimedOut // -to covers the whole run, as send_nsca's alarm
		}
		var ne *nsca.Error
		var dnsErr *net.DNSError
		switch {
		case errors.As(err, &ne) && ne.Op == nsca.OpDial:
			switch {
			case errors.Is(err, syscall.ECONNREFUSED):
				out.stderr("Connection refused by host\n")
			case errors.As(err, &dnsErr):
				out.stderr("Host name lookup failed: '%s'\n", o.host)
			default:
				out.stderr("Connection refused or timed out\n")
			}
			out.stderr("Error: Could not connect to host %s on port %d\n", o.host, o.port)
		case errors.As(err, &ne) && ne.Op == nsca.OpReadInit:
			if errors.Is(err, nsca.ErrShortInitPacket) {
				out.stderr("Error: %s\n", capitalize(strings.TrimPrefix(ne.Err.Error(), "nsca: ")))
			} else {
				out.stderr("Error: Server closed connection before init packet was received\n")
			}
			out.stderr("Error: Could not read init packet from server\n")
			out.stderr("hint: the nsca daemon closes a connection before its init packet when it cannot run its decryption_method (libmcrypt lacks the algorithm), when tcp wrappers (hosts.allow) refuse this client, or when it is overloaded\n")
		default:
			out.stderr("Error: %v\n", err)
		}
		return sendCritical
	}
	defer c.Close()

	br := bufio.NewReaderSize(stdin, 64<<10)
	var batch []nsca.Check
	total := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		n, err := c.Send(ctx, batch...)
		total += n
		batch = batch[:0]
		return err
	}
	sendErr := func(err error) int {
		if ctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded) {
			return sendTimedOut // -to covers the whole run, as send_nsca's alarm
		}
		if errors.Is(err, nsca.ErrRejected) {
			out.stderr("Error: the nsca daemon closed the connection after %d data packet(s): it dropped a packet it could not decode\n", total)
			out.stderr("hint: %s\n", hintDropped)
			return sendCritical
		}
		out.stderr("Error: Could not send data to host\n")
		out.stderr("hint: %v; %s\n", err, hintDropped)
		return sendUnknown
	}
	for {
		set, err := readSet(br, o.setDelim, o.hasSetEnd)
		if errors.Is(err, errSetTooLong) {
			if ferr := flush(); ferr != nil {
				return sendErr(ferr)
			}
			out.stdout("Error: Input set is longer than max allowed.\n")
			return sendTooLong
		}
		if ch, ok := parseSet(set, o.delim); ok {
			batch = append(batch, ch)
		}
		eof := err != nil
		// Send what we have when the input pauses, so results go out as
		// they come; otherwise in batches over the one connection.
		if len(batch) >= 16 || (len(batch) > 0 && (eof || br.Buffered() == 0)) {
			if err := flush(); err != nil {
				return sendErr(err)
			}
		}
		if eof {
			if !errors.Is(err, io.EOF) {
				out.stderr("Error: read standard input: %v\n", err)
				return sendCritical
			}
			break
		}
	}
	if err := c.Close(); err != nil {
		out.stderr("Error: %v\n", err)
	}
	if total == 0 || !o.quiet {
		out.stdout("%d data packet(s) sent to host successfully.\n", total)
	}
	if total == 0 {
		return sendCritical
	}
	return sendOK
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

var errSetTooLong = errors.New("input set is longer than max allowed")

// readSet reads up to the set delimiter (or EOF) like send_nsca's getc
// loop: more than sendMaxSet bytes before the delimiter is an error. It
// returns io.EOF with the last set.
func readSet(br *bufio.Reader, delim byte, noDelim bool) ([]byte, error) {
	var set []byte
	for {
		c, err := br.ReadByte()
		if err != nil {
			return set, err
		}
		if len(set) > sendMaxSet-1 {
			return nil, errSetTooLong
		}
		if c == delim && !noDelim {
			return set, nil
		}
		set = append(set, c)
	}
}

// parseSet splits one set as send_nsca does with strtok: runs of the
// delimiter count as one, trailing white space is stripped, and the output
// is everything after the delimiter that follows the third field. With
// three fields it is a host check. ok is false for a set send_nsca skips.
func parseSet(set []byte, delim []byte) (nsca.Check, bool) {
	if i := bytes.IndexByte(set, 0); i >= 0 { // a C string
		set = set[:i]
	}
	s := strings.TrimRight(string(set), " \r\n\t")
	if s == "" || len(delim) == 0 {
		return nsca.Check{}, false
	}
	d := delim[0]
	var fields [3]string
	rest := s
	for i := range fields {
		rest = strings.TrimLeft(rest, string(d))
		if rest == "" {
			return nsca.Check{}, false
		}
		j := strings.IndexByte(rest, d)
		if j < 0 {
			fields[i], rest = rest, ""
			if i < 2 {
				return nsca.Check{}, false
			}
			break
		}
		fields[i], rest = rest[:j], rest[j+1:]
	}
	if rest == "" { // host check: host, code, output
		return nsca.Check{Host: fields[0], State: int(int16(cAtoi(fields[1]))), Output: fields[2]}, true
	}
	return nsca.Check{Host: fields[0], Service: fields[1], State: int(int16(cAtoi(fields[2]))), Output: rest}, true
}
