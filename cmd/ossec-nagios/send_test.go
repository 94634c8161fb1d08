package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/internal/lab"
	"github.com/ossec-nagios/ossec-nagios/nsca"
	"github.com/ossec-nagios/ossec-nagios/nsca/nscatest"
)

func sendEnv(stdin string) (*env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &env{argv0: "ossec-nagios", stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}, &out, &errb
}

func writeCfg(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "send_nsca.cfg")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseSet(t *testing.T) {
	tests := []struct {
		name, in string
		want     nsca.Check
		ok       bool
	}{
		{"service", "h\ts\t2\tout put", nsca.Check{Host: "h", Service: "s", State: 2, Output: "out put"}, true},
		{"host", "h\t1\tdown", nsca.Check{Host: "h", State: 1, Output: "down"}, true},
		{"newline kept", "h\ts\t0\ta\nb\n", nsca.Check{Host: "h", Service: "s", Output: "a\nb"}, true},
		{"tabs in output kept", "h\ts\t0\ta\tb", nsca.Check{Host: "h", Service: "s", Output: "a\tb"}, true},
		{"runs of delimiters", "\th\t\ts\t3\t\tx", nsca.Check{Host: "h", Service: "s", State: 3, Output: "\tx"}, true},
		{"atoi", "h\ts\t70000\tx", nsca.Check{Host: "h", Service: "s", State: 4464, Output: "x"}, true},
		{"trailing space stripped", "h\ts\t0\tx \r\n", nsca.Check{Host: "h", Service: "s", Output: "x"}, true},
		{"nul cuts", "h\ts\t0\tx\x00y", nsca.Check{Host: "h", Service: "s", Output: "x"}, true},
		{"two fields", "h\t0", nsca.Check{}, false},
		{"empty", "  \n", nsca.Check{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseSet([]byte(tc.in), []byte{'\t'})
			if ok != tc.ok || got != tc.want {
				t.Errorf("parseSet(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestParseDelimiter(t *testing.T) {
	for in, want := range map[string]string{"0x0a": "\n", "0x17": "\x17", "9": "9", ";": ";", "012": "\n", "10": "\n", "ab": "a", "": ""} {
		if got := string(parseDelimiter(in)); got != want {
			t.Errorf("parseDelimiter(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSendFake runs send against the fake daemon: exit codes and messages.
func TestSendFake(t *testing.T) {
	good := "password=pw\nencryption_method=3\n"
	tests := []struct {
		name     string
		opts     nscatest.Options
		cfg      string
		args     []string
		stdin    string
		code     int
		stdout   string
		stderr   string
		received []nsca.Check
		conns    int // connections the daemon saw, when not 0
	}{
		{name: "sets", opts: nscatest.Options{Password: "pw", Method: 3}, cfg: good,
			stdin: "h\ts\t2\ta\nb\x17h\t0\tup\x17", code: 0, stdout: "2 data packet(s) sent to host successfully.\n",
			received: []nsca.Check{{Host: "h", Service: "s", State: 2, Output: "a\nb"}, {Host: "h", Output: "up"}},
			conns:    3}, // 3DES: the first proves the password on a kept connection, which a second replaces once the daemon read it; the second result goes on a connection of its own
		{name: "xor one connection", opts: nscatest.Options{Password: "pw", Method: 1}, cfg: "password=pw\nencryption_method=1\n",
			stdin: "h\ts\t2\ta\x17h\t0\tup\x17h\ts\t0\tok\x17", code: 0, stdout: "3 data packet(s) sent to host successfully.\n",
			received: []nsca.Check{{Host: "h", Service: "s", State: 2, Output: "a"}, {Host: "h", Output: "up"}, {Host: "h", Service: "s", Output: "ok"}},
			conns:    1},
		{name: "lines with -ds", opts: nscatest.Options{Password: "pw", Method: 3}, cfg: good, args: []string{"-ds", "0x0a", "--quiet"},
			stdin: "h\ts\t1\tx\nh\ts\t2\ty\n", code: 0, stdout: "",
			received: []nsca.Check{{Host: "h", Service: "s", State: 1, Output: "x"}, {Host: "h", Service: "s", State: 2, Output: "y"}}},
		{name: "nothing to send", opts: nscatest.Options{Password: "pw", Method: 3}, cfg: good, args: []string{"--quiet"},
			stdin: "junk\n", code: 2, stdout: "0 data packet(s) sent to host successfully.\n"},
		{name: "legacy from config", opts: nscatest.Options{Password: "pw", Method: 1, Legacy: true}, cfg: "password=pw\nlegacy_2_7_mode=yes\n",
			stdin: "h\ts\t2\tx\x17h\ts\t0\ty", code: 0, stdout: "2 data packet(s) sent to host successfully.\n",
			received: []nsca.Check{{Host: "h", Service: "s", State: 2, Output: "x"}, {Host: "h", Service: "s", Output: "y"}}},
		{name: "set too long", opts: nscatest.Options{Password: "pw", Method: 3}, cfg: good,
			stdin: "h\ts\t0\tfirst\x17" + strings.Repeat("x", 5121), code: 255, stdout: "Error: Input set is longer than max allowed.\n",
			received: []nsca.Check{{Host: "h", Service: "s", Output: "first"}}},
		{name: "no init packet", opts: nscatest.Options{ShortInit: true, Method: 1}, cfg: good, stdin: "h\ts\t0\tx", code: 2,
			stderr: "Error: Init packet from server was too short (10 bytes received, 132 expected)\nError: Could not read init packet from server\n"},
		{name: "timeout", opts: nscatest.Options{NoInit: true, Method: 1}, cfg: good, args: []string{"-to", "1"}, stdin: "h\ts\t0\tx", code: 2,
			stderr: "Error: Timeout after 1 seconds\n"},
		{name: "config error", opts: nscatest.Options{Method: 1}, cfg: "password=\n", code: 2,
			stdout: "No variable value specified in config file 'CFG' - Line 1\nError: Config file 'CFG' contained errors...\n"},
		{name: "config unknown method", opts: nscatest.Options{Method: 1}, cfg: "encryption_method=17\n", code: 2,
			stdout: "Invalid encryption method (17) in config file 'CFG' - Line 1\n"},
		{name: "bad argument", opts: nscatest.Options{Method: 1}, cfg: good, args: []string{"-x"}, code: 3, stderr: "Incorrect command line arguments supplied\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := nscatest.NewServer(t, tc.opts)
			host, port, _ := strings.Cut(srv.Addr, ":")
			cfg := writeCfg(t, tc.cfg)
			e, out, errb := sendEnv(tc.stdin)
			args := append([]string{"-H", host, "-p", port, "-c", cfg}, tc.args...)
			code := runSend(context.Background(), e, args)
			so := strings.ReplaceAll(out.String(), cfg, "CFG")
			if code != tc.code || !strings.HasPrefix(so, tc.stdout) || !strings.HasPrefix(errb.String(), tc.stderr) {
				t.Fatalf("code %d (want %d)\nstdout %q (want prefix %q)\nstderr %q (want prefix %q)", code, tc.code, so, tc.stdout, errb.String(), tc.stderr)
			}
			if tc.received != nil {
				got := srv.WaitChecks(t, len(tc.received), 5*time.Second)
				for i := range tc.received {
					if got[i] != tc.received[i] {
						t.Errorf("check %d = %+v, want %+v", i, got[i], tc.received[i])
					}
				}
				if tc.conns != 0 && srv.Conns() != tc.conns {
					t.Errorf("%d connections, want %d", srv.Conns(), tc.conns)
				}
			}
		})
	}
}

// TestSendVersusSendNSCA feeds the same input to send_nsca and to send,
// against the real daemon, for every implemented method: same lines, same
// stdout, same exit code.
func TestSendVersusSendNSCA(t *testing.T) {
	sendNSCA := lab.RequireBinary(t, lab.SendNSCABin, "nsca-client")
	input := "web01\tOSSEC Alert\t2\tsshd: brute force | n=3\nsecond line\x17web01\t1\thost down\x17dépôt\tÜ ✓\t0\tok \\ ; |\x17"
	for _, m := range nsca.Methods() {
		if !m.Implemented() {
			continue
		}
		t.Run(m.String(), func(t *testing.T) {
			t.Parallel()
			srv := lab.StartNSCA(t, lab.NSCAOptions{Password: "pw-" + m.String(), Method: int(m)})
			cfg := srv.SendNSCAConfig(t)
			cmd := exec.Command(sendNSCA, "-H", "127.0.0.1", "-p", strconv.Itoa(srv.Port), "-c", cfg)
			cmd.Stdin = strings.NewReader(input)
			ref, err := cmd.Output()
			if err != nil {
				t.Fatalf("send_nsca: %v", err)
			}
			refLines := srv.WaitLines(t, 3, 10*time.Second)
			e, out, errb := sendEnv(input)
			if code := runSend(context.Background(), e, []string{"-H", "127.0.0.1", "-p", strconv.Itoa(srv.Port), "-c", cfg}); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			if out.String() != string(ref) {
				t.Errorf("stdout %q, send_nsca %q", out.String(), ref)
			}
			lines := srv.WaitLines(t, 6, 10*time.Second)
			for i := range 3 {
				if lab.Check(lines[3+i]) != lab.Check(refLines[i]) {
					t.Errorf("line %d: %q\nsend_nsca: %q", i, lab.Check(lines[3+i]), lab.Check(refLines[i]))
				}
			}
		})
	}
}

// TestSendWrongPasswordHint: with -v, a packet the daemon drops is
// reported with the hint instead of success.
func TestSendWrongPasswordHint(t *testing.T) {
	srv := lab.StartNSCA(t, lab.NSCAOptions{Password: "right", Method: 14})
	cfg := writeCfg(t, "password=wrong\nencryption_method=14\n")
	e, _, errb := sendEnv("h\ts\t0\tx")
	code := runSend(context.Background(), e, []string{"-H", "127.0.0.1", "-p", strconv.Itoa(srv.Port), "-c", cfg, "-v"})
	if code != 2 || !strings.Contains(errb.String(), "hint: the nsca daemon never reports a dropped packet") {
		t.Fatalf("code %d, stderr:\n%s", code, errb.String())
	}
	srv.Quiet(t, 0, 50*time.Millisecond)
}
