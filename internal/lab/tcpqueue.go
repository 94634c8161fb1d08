package lab

// The kernel's view of a daemon and its TCP conversations, from /proc:
// what tells a daemon that leaves received bytes unread while it sleeps
// (nsca's one-second sleep when a read finds the socket empty mid-packet,
// which a client that fills the daemon's receive window brings about)
// from a machine that is merely busy (a daemon that is runnable but gets
// no CPU, or a client still encrypting, with nothing for the daemon yet).

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// TCPSocket is one line of /proc/net/tcp: the two ports, the state, and
// the queues. TxQueue is what the socket holds for its peer, sent but not
// acknowledged or not yet sent; RxQueue is what it received and its
// process has not read.
type TCPSocket struct {
	LocalPort, RemotePort int
	State                 int // 1 is ESTABLISHED, 10 LISTEN (include/net/tcp_states.h)
	TxQueue, RxQueue      int
}

// TCPEstablished is the State of an established connection.
const TCPEstablished = 1

// ParseProcNetTCP reads the format of /proc/net/tcp and /proc/net/tcp6:
// a header line, then one socket a line,
// "sl local_address rem_address st tx_queue:rx_queue ...", addresses as
// hexadecimal ADDR:PORT and st, tx_queue and rx_queue in hexadecimal.
func ParseProcNetTCP(r io.Reader) ([]TCPSocket, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64*1024)
	var out []TCPSocket
	for n := 1; sc.Scan(); n++ {
		if n == 1 {
			continue // the header
		}
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) < 5 {
			return out, fmt.Errorf("/proc/net/tcp line %d: %d fields, want at least 5", n, len(f))
		}
		var s TCPSocket
		var err error
		if s.LocalPort, err = hexPort(f[1]); err != nil {
			return out, fmt.Errorf("/proc/net/tcp line %d: local address: %w", n, err)
		}
		if s.RemotePort, err = hexPort(f[2]); err != nil {
			return out, fmt.Errorf("/proc/net/tcp line %d: remote address: %w", n, err)
		}
		st, err := strconv.ParseUint(f[3], 16, 8)
		if err != nil {
			return out, fmt.Errorf("/proc/net/tcp line %d: state %q: %w", n, f[3], err)
		}
		s.State = int(st)
		tx, rx, ok := strings.Cut(f[4], ":")
		if !ok {
			return out, fmt.Errorf("/proc/net/tcp line %d: queues %q: no colon", n, f[4])
		}
		q, err := strconv.ParseUint(tx, 16, 32)
		if err != nil {
			return out, fmt.Errorf("/proc/net/tcp line %d: tx_queue %q: %w", n, tx, err)
		}
		s.TxQueue = int(q)
		if q, err = strconv.ParseUint(rx, 16, 32); err != nil {
			return out, fmt.Errorf("/proc/net/tcp line %d: rx_queue %q: %w", n, rx, err)
		}
		s.RxQueue = int(q)
		out = append(out, s)
	}
	return out, sc.Err()
}

func hexPort(addr string) (int, error) {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return 0, fmt.Errorf("%q: no port", addr)
	}
	p, err := strconv.ParseUint(addr[i+1:], 16, 16)
	if err != nil {
		return 0, fmt.Errorf("%q: port: %w", addr, err)
	}
	return int(p), nil
}

// TCPSockets returns the IPv4 TCP sockets of this network namespace.
func TCPSockets() ([]TCPSocket, error) {
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseProcNetTCP(f)
}

// Unread returns the bytes the server on port has received and not read,
// summed over its established connections (local port = port).
func Unread(socks []TCPSocket, port int) int {
	n := 0
	for _, s := range socks {
		if s.State == TCPEstablished && s.LocalPort == port {
			n += s.RxQueue
		}
	}
	return n
}

// ProcState returns the state letter of process pid from /proc/pid/stat:
// 'R' running or waiting for a CPU, 'S' sleeping (in a select or poll, or
// in sleep), 'D' in an uninterruptible wait (disk), and so on (proc(5)).
func ProcState(pid int) (byte, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseProcState(b)
}

// parseProcState reads "pid (comm) S ...": comm may hold spaces and
// parentheses, so the state follows the last ')'.
func parseProcState(b []byte) (byte, error) {
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) || s[i+1] != ' ' {
		return 0, fmt.Errorf("/proc/pid/stat: no state after the command name in %.40q", s)
	}
	return s[i+2], nil
}
