package nsca

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// DefaultPort is the NSCA daemon's port.
const DefaultPort = "5667"

// Config says how to talk to one daemon. It must match the daemon's
// nsca.cfg: password, decryption_method and the packet size.
type Config struct {
	Password string
	Method   Method
	// Legacy selects the 720-byte packet of nsca 2.7 (512-byte output).
	// The daemon takes only one such packet per connection, so the client
	// reconnects for every result.
	Legacy bool
	// Timeout bounds each dial, init-packet read and packet write; 0 means
	// 10 s. A context deadline that comes sooner wins.
	Timeout time.Duration
	// Debug, when set, receives one line per connection and packet.
	Debug io.Writer
}

// Error is a failed operation against a daemon.
type Error struct {
	Op   string // "dial", "read init packet", "write packet", ...
	Addr string
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("nsca %s %s: %v", e.Op, e.Addr, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether trying again later may succeed: network
// errors are temporary, configuration errors are not.
func (e *Error) Temporary() bool {
	return !errors.Is(e.Err, ErrUnknownMethod) && !errors.Is(e.Err, ErrUnsupportedMethod) &&
		!errors.Is(e.Err, ErrNotImplemented)
}

// Client sends passive check results to one daemon over one connection,
// opened on first use and reopened when needed. It is not safe for
// concurrent use.
type Client struct {
	addr string
	cfg  Config

	conn     net.Conn
	enc      streamer
	stamp    uint32
	lastUsed time.Time
	buf      []byte
}

// NewClient returns a client for addr ("host:port"; the port defaults to
// 5667). It checks the configuration but does not connect.
func NewClient(addr string, cfg Config) (*Client, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, DefaultPort)
	}
	if err := cfg.Method.Validate(); err != nil {
		return nil, &Error{Op: "configure", Addr: addr, Err: err}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	return &Client{addr: addr, cfg: cfg, buf: make([]byte, packetSize(cfg.Legacy))}, nil
}

// Addr returns the daemon's address.
func (c *Client) Addr() string { return c.addr }

// SendCheck sends one result. A nil error means the whole packet was
// written to the daemon's socket; NSCA has no acknowledgement, so it does
// not prove that the daemon accepted it (a wrong password or method is
// dropped silently by the daemon).
func (c *Client) SendCheck(ctx context.Context, host, service string, state int, output string) error {
	return c.Send(ctx, Check{Host: host, Service: service, State: state, Output: output})
}

// Send sends results in order over the connection; it stops at the first
// error, which says how many were sent.
func (c *Client) Send(ctx context.Context, checks ...Check) error {
	for i, ch := range checks {
		if err := c.sendOne(ctx, ch); err != nil {
			if len(checks) > 1 {
				return fmt.Errorf("%d of %d results sent: %w", i, len(checks), err)
			}
			return err
		}
	}
	return nil
}

func (c *Client) sendOne(ctx context.Context, ch Check) error {
	if err := ctx.Err(); err != nil {
		return &Error{Op: "send", Addr: c.addr, Err: err}
	}
	if c.conn != nil && time.Since(c.lastUsed) > time.Second && c.peerClosed() {
		c.debugf("connection to %s was closed by the daemon; reconnecting", c.addr)
		c.Close()
	}
	if c.conn == nil {
		if err := c.connect(ctx); err != nil {
			return err
		}
	}
	for i := range c.buf {
		c.buf[i] = 0
	}
	if err := MarshalPacket(c.buf, ch, c.stamp); err != nil {
		return &Error{Op: "marshal", Addr: c.addr, Err: err}
	}
	c.enc.encrypt(c.buf)
	c.conn.SetWriteDeadline(c.deadline(ctx))
	if _, err := c.conn.Write(c.buf); err != nil {
		// A partial packet may be on the wire: the connection must go.
		c.Close()
		return &Error{Op: "write packet", Addr: c.addr, Err: err}
	}
	c.lastUsed = time.Now()
	c.debugf("sent %d-byte packet to %s: host=%q service=%q state=%d", len(c.buf), c.addr, ch.Host, ch.Service, ch.State)
	if c.cfg.Legacy {
		// nsca takes a legacy packet only as the last thing on a connection.
		return c.closeErr()
	}
	return nil
}

func (c *Client) deadline(ctx context.Context) time.Time {
	d := time.Now().Add(c.cfg.Timeout)
	if cd, ok := ctx.Deadline(); ok && cd.Before(d) {
		return cd
	}
	return d
}

func (c *Client) connect(ctx context.Context) error {
	dctx, cancel := context.WithDeadline(ctx, c.deadline(ctx))
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(dctx, "tcp", c.addr)
	if err != nil {
		return &Error{Op: "dial", Addr: c.addr, Err: err}
	}
	conn.SetReadDeadline(c.deadline(ctx))
	init := make([]byte, InitPacketSize)
	if _, err := io.ReadFull(conn, init); err != nil {
		conn.Close()
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("server closed the connection before the init packet was received (daemon cannot use its decryption method?): %w", err)
		}
		return &Error{Op: "read init packet", Addr: c.addr, Err: err}
	}
	conn.SetReadDeadline(time.Time{})
	ip, _ := ParseInitPacket(init)
	enc, err := newStream(c.cfg.Method, []byte(c.cfg.Password), ip.IV[:])
	if err != nil {
		conn.Close()
		return &Error{Op: "configure", Addr: c.addr, Err: err}
	}
	c.conn, c.enc, c.stamp, c.lastUsed = conn, enc, ip.Timestamp, time.Now()
	c.debugf("connected to %s, server time %d, method %s", c.addr, ip.Timestamp, c.cfg.Method)
	return nil
}

// peerClosed reports whether the daemon has closed the connection (it
// does after rejecting a packet, or when it restarts): a read that returns
// EOF at once. A live connection times out after a millisecond.
func (c *Client) peerClosed() bool {
	c.conn.SetReadDeadline(time.Now().Add(time.Millisecond))
	var b [1]byte
	_, err := c.conn.Read(b[:])
	c.conn.SetReadDeadline(time.Time{})
	if err == nil {
		return false // the daemon never sends after the init packet; ignore
	}
	return !errors.Is(err, os.ErrDeadlineExceeded)
}

// Close closes the connection, if any. The client stays usable: the next
// send reconnects.
func (c *Client) Close() error {
	if c.conn == nil {
		return nil
	}
	err := c.conn.Close()
	c.conn, c.enc = nil, nil
	return err
}

func (c *Client) closeErr() error {
	if err := c.Close(); err != nil && !errors.Is(err, net.ErrClosed) && !errors.Is(err, syscall.EPIPE) {
		return &Error{Op: "close", Addr: c.addr, Err: err}
	}
	return nil
}

func (c *Client) debugf(format string, a ...any) {
	if c.cfg.Debug != nil {
		fmt.Fprintf(c.cfg.Debug, "nsca: "+format+"\n", a...)
	}
}
