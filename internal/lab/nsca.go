package lab

// The real nsca daemon on its own, writing into a regular command file
// (PROTOCOL.md §7, outside the repository): for end-to-end tests of
// anything that speaks NSCA.

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// NSCAOptions configure StartNSCA.
type NSCAOptions struct {
	Password string // nsca.cfg password (may be empty)
	Method   int    // decryption_method, 0..26 (0 is none, not XOR)
	// Extra lines appended to nsca.cfg ("aggregate_writes=1", ...).
	Extra []string
	// Port, if set, is the port to listen on instead of a free one (a
	// test that stood a fake server there first).
	Port int
}

// NSCAServer is a running /usr/sbin/nsca -f --single on 127.0.0.1.
//
// After a packet it drops (wrong password or method), --single closes the
// connection but polls the closed descriptor once more; a connection
// accepted before that gets the same descriptor number and is never
// served (its client times out reading the init packet). A test that
// sends good packets after a rejected one connects the good client first.
type NSCAServer struct {
	Addr        string // "127.0.0.1:port"
	Port        int
	Dir         string // temporary directory with nsca.cfg and the command file
	CommandFile string // regular file, append_to_file=1
	Password    string
	Method      int
	d           *daemon
}

// StartNSCA starts the real nsca daemon on a free port of 127.0.0.1 with
// the given password and decryption_method, its command file a regular
// file in a temporary directory, and waits until the port accepts. It
// stops the daemon with SIGTERM when the test ends. Without the binary the
// test fails in CI and is skipped elsewhere.
func StartNSCA(t testing.TB, opts NSCAOptions) *NSCAServer {
	t.Helper()
	bin := RequireBinary(t, NSCABin, "nsca")
	dir := ShortTempDir(t)
	s := &NSCAServer{
		Dir:         dir,
		CommandFile: filepath.Join(dir, "nagios.cmd"),
		Password:    opts.Password,
		Method:      opts.Method,
	}
	must(t, os.WriteFile(s.CommandFile, nil, 0o600))
	var lastErr error
	for try := 0; try < 5; try++ {
		port := opts.Port
		if port == 0 {
			port = FreePort(t)
		}
		var cfg strings.Builder
		fmt.Fprintf(&cfg, "server_address=127.0.0.1\nserver_port=%d\n", port)
		if os.Geteuid() == 0 {
			cfg.WriteString("nsca_user=root\nnsca_group=root\n")
		}
		fmt.Fprintf(&cfg, "command_file=%s\nalternate_dump_file=%s\nappend_to_file=1\naggregate_writes=0\ndebug=0\n",
			s.CommandFile, filepath.Join(dir, "nsca.dump"))
		fmt.Fprintf(&cfg, "decryption_method=%d\n", opts.Method)
		if opts.Password != "" {
			fmt.Fprintf(&cfg, "password=%s\n", opts.Password)
		}
		for _, l := range opts.Extra {
			cfg.WriteString(l + "\n")
		}
		cfgFile := filepath.Join(dir, "nsca.cfg")
		must(t, os.WriteFile(cfgFile, []byte(cfg.String()), 0o600))
		d, err := startDaemon(bin, "-f", "-c", cfgFile, "--single")
		if err != nil {
			t.Fatalf("lab: start nsca: %v", err)
		}
		if err = waitUntil(5*time.Second, d, func() bool { return d.listens(port) && portOpen(port) }); err == nil {
			s.d, s.Port, s.Addr = d, port, "127.0.0.1:"+strconv.Itoa(port)
			t.Cleanup(func() { d.stop(t, "nsca") })
			return s
		}
		d.stop(t, "nsca")
		lastErr = err
	}
	t.Fatalf("lab: nsca never listened: %v", lastErr)
	return nil
}

// PID returns the daemon's process id (-f: nsca does not fork).
func (s *NSCAServer) PID() int { return s.d.cmd.Process.Pid }

// Lines returns the command file's whole lines so far (without "\n").
func (s *NSCAServer) Lines() []string {
	b, err := os.ReadFile(s.CommandFile)
	if err != nil {
		return nil
	}
	// Only whole lines: the daemon writes through stdio, and a line longer
	// than its buffer (a 4 KiB output) reaches the file in two writes.
	i := bytes.LastIndexByte(b, '\n')
	if i < 0 {
		return nil
	}
	return strings.Split(string(b[:i]), "\n")
}

// WaitLines polls the command file until it holds at least n lines and
// returns them; it fails the test after timeout.
func (s *NSCAServer) WaitLines(t testing.TB, n int, timeout time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		l := s.Lines()
		if len(l) >= n {
			return l
		}
		if time.Now().After(deadline) {
			t.Fatalf("lab: nsca command file has %d lines after %s, want %d: %q", len(l), timeout, n, l)
		}
		if s.d.exited() {
			t.Fatalf("lab: nsca exited: %v %s", s.d.err, s.d.output())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Quiet asserts the command file stays at exactly n lines for the given
// time (a dropped packet leaves no trace but the missing line).
func (s *NSCAServer) Quiet(t testing.TB, n int, wait time.Duration) {
	t.Helper()
	time.Sleep(wait)
	if l := s.Lines(); len(l) != n {
		t.Fatalf("lab: nsca command file has %d lines, want %d: %q", len(l), n, l)
	}
}

// Check strips the "[unix time] " prefix of a command file line, leaving
// "PROCESS_SERVICE_CHECK_RESULT;host;service;rc;output" or
// "PROCESS_HOST_CHECK_RESULT;host;rc;output".
func Check(line string) string {
	if strings.HasPrefix(line, "[") {
		if i := strings.Index(line, "] "); i > 0 {
			return line[i+2:]
		}
	}
	return line
}

// SendNSCAConfig writes a send_nsca.cfg matching the daemon into its
// directory and returns its path.
func (s *NSCAServer) SendNSCAConfig(t testing.TB) string {
	t.Helper()
	p := filepath.Join(s.Dir, "send_nsca.cfg")
	must(t, os.WriteFile(p, []byte(fmt.Sprintf("password=%s\nencryption_method=%d\n", s.Password, s.Method)), 0o600))
	return p
}

// Stop stops the daemon now (SIGTERM) instead of at the end of the test.
func (s *NSCAServer) Stop(t testing.TB) { s.d.stop(t, "nsca") }
