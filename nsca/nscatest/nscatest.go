// Package nscatest is a fake nsca daemon for other packages' unit tests: it
// listens on 127.0.0.1, sends an init packet to every connection and decodes
// what it receives with nsca.Decoder, as the real daemon does (it closes the
// connection at the first packet that does not decode). It owns no NSCA
// logic of its own. Tests that need the real daemon use internal/lab.
package nscatest

import (
	"crypto/rand"
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/nsca"
)

// Options configure a Server.
type Options struct {
	Password string
	Method   nsca.Method // 0 is none; use nsca.MethodXOR for send_nsca's default
	Legacy   bool        // 720-byte packets
	// Timestamp of the init packets; 0 means the current time.
	Timestamp uint32
	// NoInit: accept connections but never send the init packet (clients
	// time out). ShortInit: send 10 bytes of it, then close.
	NoInit, ShortInit bool
	// InitDelay: wait that long after accepting before the init packet (a
	// slow daemon or a long round trip). CloseDelay: wait that long after
	// a bad packet before closing.
	InitDelay, CloseDelay time.Duration
	// ReadDelay: wait that long before reading each packet (a daemon
	// busy with other connections).
	ReadDelay time.Duration
}

// Server is a running fake daemon.
type Server struct {
	Addr string // "127.0.0.1:port"

	opts Options
	ln   net.Listener
	wg   sync.WaitGroup

	mu      sync.Mutex
	packets []nsca.Packet
	errs    []error
	conns   int
	lateFIN int
	open    map[net.Conn]bool
	changed chan struct{}
}

// NewServer starts a fake daemon on a free port of 127.0.0.1, closed at
// the end of the test.
func NewServer(t testing.TB, opts Options) *Server {
	t.Helper()
	if err := opts.Method.Validate(); err != nil {
		t.Fatalf("nscatest: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("nscatest: listen: %v", err)
	}
	s := &Server{Addr: ln.Addr().String(), opts: opts, ln: ln, open: map[net.Conn]bool{}, changed: make(chan struct{})}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.Close)
	return s
}

// Close stops listening, closes every connection and waits for the
// handlers.
func (s *Server) Close() {
	s.ln.Close()
	s.mu.Lock()
	for c := range s.open {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns++
		s.open[c] = true
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.open, c)
				s.mu.Unlock()
				c.Close()
			}()
			s.serve(c)
		}()
	}
}

func (s *Server) serve(c net.Conn) {
	var ip nsca.InitPacket
	_, _ = rand.Read(ip.IV[:])
	ip.Timestamp = s.opts.Timestamp
	if ip.Timestamp == 0 {
		ip.Timestamp = uint32(time.Now().Unix())
	}
	time.Sleep(s.opts.InitDelay)
	switch {
	case s.opts.NoInit:
		_, _ = io.Copy(io.Discard, c)
		return
	case s.opts.ShortInit:
		_, _ = c.Write(ip.Marshal()[:10])
		return
	}
	if _, err := c.Write(ip.Marshal()); err != nil {
		s.record(nil, err)
		return
	}
	dec, err := nsca.NewDecoder(s.opts.Method, s.opts.Password, ip, s.opts.Legacy)
	if err != nil {
		s.record(nil, err)
		return
	}
	for first := true; ; first = false {
		time.Sleep(s.opts.ReadDelay)
		var p nsca.Packet
		var err error
		last := s.opts.Legacy
		if last {
			p, err = dec.Read(c)
		} else {
			p, last, err = s.read(c, dec, ip, first)
		}
		if errors.Is(err, io.EOF) {
			return
		}
		if err == nil && p.Timestamp != ip.Timestamp {
			err = errors.New("nscatest: packet timestamp is not the init packet's")
		}
		if err != nil && errors.Is(err, net.ErrClosed) {
			return // Close or Drop
		}
		if err != nil {
			s.record(nil, err)
			time.Sleep(s.opts.CloseDelay)
			return // the daemon closes at the first bad packet
		}
		s.record(&p, nil)
		if last && !s.opts.Legacy {
			return
		}
		if s.opts.Legacy {
			if n, _ := c.Read(make([]byte, 1)); n > 0 {
				s.record(nil, errors.New("nscatest: more than one legacy packet on a connection"))
			}
			return
		}
	}
}

// read reads the next 4304-byte packet, or a 720-byte one that is the
// first and last of its connection (what nsca >= 2.9 takes: a read that
// ends early with exactly 720 bytes). It counts a 720-byte packet whose
// end of stream was not there yet when the packet was: the real daemon,
// on a socket it made non-blocking, sleeps a second then.
func (s *Server) read(c net.Conn, dec *nsca.Decoder, ip nsca.InitPacket, first bool) (p nsca.Packet, last bool, err error) {
	b := make([]byte, nsca.PacketSize)
	n, err := io.ReadFull(c, b[:nsca.LegacyPacketSize])
	if err != nil {
		return nsca.Packet{}, false, err // io.EOF between packets
	}
	late := !dataOrEOF(c)
	m, err := c.Read(b[n:])
	n += m
	if err == nil {
		m, err = io.ReadFull(c, b[n:])
		n += m
	}
	if n == nsca.LegacyPacketSize && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) {
		if !first {
			return nsca.Packet{}, true, errors.New("nscatest: a 720-byte packet after other packets")
		}
		if late {
			s.mu.Lock()
			s.lateFIN++
			s.mu.Unlock()
		}
		ldec, err := nsca.NewDecoder(s.opts.Method, s.opts.Password, ip, true)
		if err != nil {
			return nsca.Packet{}, true, err
		}
		p, err := ldec.Decode(b[:n])
		return p, true, err
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nsca.Packet{}, false, err
	}
	p, err = dec.Decode(b)
	return p, false, err
}

// dataOrEOF reports whether a read on c would return at once (data or
// end of stream): a non-blocking peek, as the daemon's non-blocking read.
func dataOrEOF(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	ready := true
	_ = rc.Read(func(fd uintptr) bool {
		var one [1]byte
		_, _, err := syscall.Recvfrom(int(fd), one[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		ready = !errors.Is(err, syscall.EAGAIN)
		return true
	})
	return ready
}

// LateFINs counts the 720-byte packets whose end of stream came after
// the packet (in a later TCP segment), which would cost a real daemon
// that made its socket non-blocking a one-second sleep each.
func (s *Server) LateFINs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lateFIN
}

// Drop closes every open connection, as a daemon that restarts does,
// and keeps listening.
func (s *Server) Drop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.open {
		c.Close()
	}
}

func (s *Server) record(p *nsca.Packet, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p != nil {
		// In the order the daemon decoded them, as nsca writes them (a
		// client that sends one packet per connection waits for the
		// close after each).
		s.packets = append(s.packets, *p)
	}
	if err != nil {
		s.errs = append(s.errs, err)
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

// Checks returns the checks received so far, in the order of their
// connections, then of arrival.
func (s *Server) Checks() []nsca.Check {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]nsca.Check, len(s.packets))
	for i, p := range s.packets {
		out[i] = p.Check
	}
	return out
}

// Errors returns the decode errors so far (a packet the real daemon would
// drop).
func (s *Server) Errors() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.errs...)
}

// Conns returns how many connections were accepted.
func (s *Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// WaitChecks waits until at least n checks arrived and returns them; it
// fails the test after timeout or at the first decode error.
func (s *Server) WaitChecks(t testing.TB, n int, timeout time.Duration) []nsca.Check {
	t.Helper()
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		got, errs, ch := len(s.packets), s.errs, s.changed
		s.mu.Unlock()
		if len(errs) > 0 {
			t.Fatalf("nscatest: bad packet: %v", errs[0])
		}
		if got >= n {
			return s.Checks()
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("nscatest: %d checks after %s, want %d", got, timeout, n)
		}
	}
}
