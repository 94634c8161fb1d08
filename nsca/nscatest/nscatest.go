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
	"slices"
	"sync"
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
}

// Server is a running fake daemon.
type Server struct {
	Addr string // "127.0.0.1:port"

	opts Options
	ln   net.Listener
	wg   sync.WaitGroup

	mu      sync.Mutex
	packets []nsca.Packet
	seqs    []int // the accept order of each packet's connection
	errs    []error
	conns   int
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
		seq := s.conns
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
			s.serve(c, seq)
		}()
	}
}

func (s *Server) serve(c net.Conn, seq int) {
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
		s.record(nil, err, seq)
		return
	}
	dec, err := nsca.NewDecoder(s.opts.Method, s.opts.Password, ip, s.opts.Legacy)
	if err != nil {
		s.record(nil, err, seq)
		return
	}
	for {
		p, err := dec.Read(c)
		if errors.Is(err, io.EOF) {
			return
		}
		if err == nil && p.Timestamp != ip.Timestamp {
			err = errors.New("nscatest: packet timestamp is not the init packet's")
		}
		if err != nil {
			s.record(nil, err, seq)
			time.Sleep(s.opts.CloseDelay)
			return // the daemon closes at the first bad packet
		}
		s.record(&p, nil, seq)
		if s.opts.Legacy {
			if n, _ := c.Read(make([]byte, 1)); n > 0 {
				s.record(nil, errors.New("nscatest: more than one legacy packet on a connection"), seq)
			}
			return
		}
	}
}

func (s *Server) record(p *nsca.Packet, err error, seq int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p != nil {
		// Keep the packets in the order of their connections (a client
		// opens one only after it finished the one before: legacy mode),
		// then of arrival: concurrent handlers may finish out of order.
		i := len(s.packets)
		for i > 0 && s.seqs[i-1] > seq {
			i--
		}
		s.packets = slices.Insert(s.packets, i, *p)
		s.seqs = slices.Insert(s.seqs, i, seq)
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
