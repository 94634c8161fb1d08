package lab

import (
	"net"
	"os"
	"strings"
	"testing"
)

const procNetTCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:A7EF 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1358 1 000000005bda03ed 100 0 0 10 0
   1: 0100007F:A7EF 0100007F:D75A 01 00000000:0001B000 00:00000000 00000000     0        0 1360 1 0000000000000000 20 4 0 10 -1
   2: 0100007F:D75A 0100007F:A7EF 01 003A3800:00000000 01:00000014 00000000     0        0 1359 1 0000000000000000 20 4 30 10 -1
   3: 0100007F:D74A 0100007F:A7EF 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
`

func TestParseProcNetTCP(t *testing.T) {
	socks, err := ParseProcNetTCP(strings.NewReader(procNetTCP))
	if err != nil {
		t.Fatal(err)
	}
	want := []TCPSocket{
		{LocalPort: 0xA7EF, RemotePort: 0, State: 10},
		{LocalPort: 0xA7EF, RemotePort: 0xD75A, State: TCPEstablished, RxQueue: 110592},
		{LocalPort: 0xD75A, RemotePort: 0xA7EF, State: TCPEstablished, TxQueue: 3815424},
		{LocalPort: 0xD74A, RemotePort: 0xA7EF, State: 6},
	}
	if len(socks) != len(want) {
		t.Fatalf("got %d sockets, want %d: %+v", len(socks), len(want), socks)
	}
	for i := range want {
		if socks[i] != want[i] {
			t.Errorf("socket %d: got %+v, want %+v", i, socks[i], want[i])
		}
	}
	if n := Unread(socks, 0xA7EF); n != 110592 {
		t.Errorf("Unread = %d, want 110592 (the established server socket only)", n)
	}
	if n := Unread(socks, 0xD74A); n != 0 {
		t.Errorf("Unread of a client port = %d, want 0", n)
	}

	for _, bad := range []string{
		"header\n 0: 0100007F 00000000:0000 0A 00000000:00000000\n",
		"header\n 0: 0100007F:A7EF 00000000:0000 0A 00000000\n",
		"header\n 0: 0100007F:A7EF 00000000:0000 ZZ 00000000:00000000\n",
		"header\n 0: 0100007F:A7EF 00000000:0000 0A 0:x\n",
		"header\n 0: 0100007F:1A7EF 00000000:0000 0A 0:0\n",
		"header\n 0: 0100007F:A7EF\n",
	} {
		if _, err := ParseProcNetTCP(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseProcNetTCP(%q): no error", bad)
		}
	}
}

// TestTCPSocketsSeesOwnListener reads the real /proc/net/tcp.
func TestTCPSocketsSeesOwnListener(t *testing.T) {
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skipf("no /proc/net/tcp: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	socks, err := TCPSockets()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range socks {
		if s.LocalPort == port && s.State == 10 {
			return
		}
	}
	t.Fatalf("listener on port %d not among %d sockets", port, len(socks))
}

func TestProcState(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want byte
		ok   bool
	}{
		{"123 (nsca) S 1 123 123 0", 'S', true},
		{"123 (a) b) (c) R 1", 'R', true},
		{"123 (nsca)", 0, false},
		{"123 nsca S", 0, false},
		{"", 0, false},
	} {
		got, err := parseProcState([]byte(tc.in))
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseProcState(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	st, err := ProcState(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.ContainsRune("RS", rune(st)) {
		t.Errorf("own state %q, want R or S", st)
	}
}

func FuzzParseProcNetTCP(f *testing.F) {
	f.Add(procNetTCP)
	f.Add("h\n 0: :: :0 1 :\n")
	f.Fuzz(func(t *testing.T, in string) {
		socks, _ := ParseProcNetTCP(strings.NewReader(in))
		for _, s := range socks {
			if s.LocalPort < 0 || s.LocalPort > 65535 || s.RemotePort < 0 || s.RemotePort > 65535 || s.TxQueue < 0 || s.RxQueue < 0 {
				t.Fatalf("out of range: %+v", s)
			}
		}
	})
}

func FuzzParseProcState(f *testing.F) {
	f.Add("123 (nsca) S 1 123")
	f.Add("1 ()) R")
	f.Fuzz(func(t *testing.T, in string) {
		st, err := parseProcState([]byte(in))
		if err == nil && !strings.Contains(in, ") "+string([]byte{st})) {
			t.Fatalf("state %q not after a ') ' in %q", st, in)
		}
	})
}
