package nsca

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
)

// DefaultTimeout bounds each dial, init-packet read and write when
// Config.Timeout is zero (send_nsca's default -to is 10 s).
const DefaultTimeout = 10 * time.Second

// DefaultPort is the nsca daemon's default port.
const DefaultPort = 5667

// DefaultConfirmWait is Config.ConfirmWait when zero: long enough for a
// daemon on a LAN to read, fail to decode and close (it does all three
// within a millisecond of the packet arriving), short enough for an
// active response's budget.
const DefaultConfirmWait = 150 * time.Millisecond

// DefaultConfirmMin is Config.ConfirmMin when zero.
const DefaultConfirmMin = 25 * time.Millisecond

// confirmFactor times the handshake is how long a Confirm waits on a new
// connection (within Config.ConfirmMin and Config.ConfirmWait). The
// handshake (connect, the daemon's accept, its init packet back) takes the
// same network round trip and the same daemon's turn as a close after a
// bad packet does; decoding one packet adds a millisecond or two at most.
const confirmFactor = 8

// Send writes several packets per write, at most maxWrite bytes (and a
// quarter of the largest receive window the daemon advertised), and
// paces the writes so that the daemon's receive window never closes:
// before each write it waits, polling the kernel's view of the window
// (peerWindow), until the daemon has room for the write plus a reserve
// of the same size. nsca reads one packet at a time in one process;
// a client that writes faster fills its window, and on loopback (64 KiB
// segments) the window then stays shut until a zero-window probe; a
// non-blocking nsca that finds its socket empty mid-packet meanwhile
// sleeps a whole second (BENCHMARKS.md, "Bulk sends"). Pacing keeps the
// daemon busy with the reserve while it never lets the window reach zero.
const (
	maxWrite = 16 << 10
	// paceMinSleep and paceMaxSleep bound one poll of the window; the
	// sleep doubles while the window stays tight. nsca XOR reads a
	// 4304-byte packet in about 30 us, so 16 KiB of reserve lasts about
	// 100 us, and a daemon decrypting 3DES reads slower.
	paceMinSleep = 100 * time.Microsecond
	paceMaxSleep = 500 * time.Microsecond
	// paceGiveUp: when the daemon has taken every byte written (nothing
	// queued) and still advertises too small a window for this long,
	// write anyway and leave flow control to TCP.
	paceGiveUp = 20 * time.Millisecond
)

// Short rounds (Config.Short) pay one handshake (connect, the daemon's
// init packet back) and one more round trip per check, to save the daemon
// five sixths of its decryption: with 3DES about 1 ms per check, with
// AES 0.6 ms (PROTOCOL.md section 5); on 127.0.0.1 a handshake takes
// 0.2 ms, and a round of 3DES 0.7 ms against 1.2 ms for a 4304-byte
// packet. A round longer than shortMaxRound, or shortRounds handshakes in
// a row that average more than shortSlowHandshake, mean connections cost
// more than that saves (nsca in --daemon mode polls for new connections
// once a second; a daemon across a LAN or WAN pays two round trips per
// check; a machine too busy to schedule the daemon): the Client goes back
// to one connection for shortRetryMin, then tries short rounds again (a
// long-running follow would otherwise lose them for good to one busy
// minute). A trial that gives way again within its first shortRounds
// rounds doubles the time off, up to shortRetryMax; one that lasts
// resets it. What a trial costs is bounded: at most shortRounds rounds
// of at most shortMaxRound each, and a daemon that polls once a second
// (--daemon) ends the trial on its first round. Variables for the tests.
var (
	shortMaxRound      = 100 * time.Millisecond
	shortSlowHandshake = 750 * time.Microsecond
	shortRetryMin      = 10 * time.Minute
	shortRetryMax      = 6 * time.Hour
)

const shortRounds = 16

// shortPerMinute bounds the short rounds of a Client per minute: each
// leaves a socket in TIME_WAIT on this side for a minute, holding one of
// the 28,232 ephemeral ports of Linux's default range (only loopback
// reuses them early). Beyond it, the minute's results go over the kept
// connection. A variable for the tests.
var shortPerMinute = 10000

// Config is what a Client needs besides the address.
type Config struct {
	// Password and Method must match the daemon's password and
	// decryption_method. The zero Method is 0 (none); send_nsca's default
	// is MethodXOR.
	Password string
	Method   Method
	// Legacy selects the 720-byte packet of nsca 2.7 daemons. Such a
	// daemon takes one packet per connection, so the Client reconnects
	// for every check.
	Legacy bool
	// Timeout bounds each dial, init-packet read and write (default
	// DefaultTimeout); a context deadline that comes first wins.
	Timeout time.Duration
	// Confirm, when positive, makes a Send wait that long after its last
	// packet for the daemon to close the connection, which it does only
	// when it drops a packet (wrong password, method or size): Send then
	// fails with ErrRejected. Once a wait passed on a connection, later
	// Sends on it only look whether the daemon closed it (see
	// Client.Confirm). Zero sends without waiting. Ignored in Legacy mode,
	// where the daemon reads the packet only after the client closes.
	Confirm time.Duration
	// ConfirmWait is the longest Client.Confirm waits after the last
	// packet for the daemon to close the connection (default
	// DefaultConfirmWait); a context deadline that comes first cuts it,
	// and then nothing is confirmed. On a connection whose handshake (dial
	// to init packet) took h, it waits 8h, but at least ConfirmMin
	// (default DefaultConfirmMin): a daemon that answered the handshake
	// in h answers a bad packet with a close in about the same time.
	ConfirmWait time.Duration
	// ConfirmMin is the shortest Confirm waits; ConfirmMin >= ConfirmWait
	// makes every wait ConfirmWait.
	ConfirmMin time.Duration
	// Short sends, once a Confirm proved that the daemon decodes this
	// Client's packets (password and method), each check on a connection
	// of its own: as a 720-byte packet when its output fits in 511 bytes
	// (nsca >= 2.9 takes one such packet at the end of a connection), else
	// as a 4304-byte one; the packet leaves with the FIN in one segment,
	// and the Client waits for the daemon to close the connection (it does
	// so once it read the packet) before the next check, so checks stay
	// in order. Worth it with a costly cipher (every method but none and
	// XOR): nsca decrypts 8-bit CFB, one block per byte, and reads 720
	// bytes instead of 4304; not worth it when connections are slow to
	// make, which the Client measures (shortSlowHandshake). Confirm then
	// reports whether the proven connection, kept open, is still there
	// (the daemon did not restart). Ignored in Legacy mode.
	Short bool
	// Debug, if set, receives one line per connection event and packet
	// (never the password).
	Debug io.Writer
	// Dialer, if set, opens the connections (tests); default net.Dialer.
	Dialer interface {
		DialContext(ctx context.Context, network, address string) (net.Conn, error)
	}
}

// Client sends check results to one nsca daemon over one connection,
// opened when first needed and reopened when the daemon closed it. It is
// safe for concurrent use; sends are serialised.
type Client struct {
	addr string
	cfg  Config

	mu     sync.Mutex
	conn   net.Conn
	enc    *Encoder
	sent   int // packets written on conn
	buf    []byte
	closed bool

	// unconfirmed counts the packets written since the last Confirm, over
	// every connection; lost is the reason a connection holding some of
	// them ended before they were confirmed (the daemon closed it, or a
	// write failed): Confirm reports it.
	unconfirmed int
	lost        error
	// maxWnd is the largest receive window the daemon advertised on
	// conn; paced counts the polls Send waited for it in the last Send.
	maxWnd int
	paced  int
	// proven: a Confirm on conn waited its whole wait and the daemon
	// kept the connection, so it decodes this connection's packets
	// (password, method and packet size are right).
	proven bool
	// handshake is how long conn took from dial to its init packet.
	handshake time.Duration
	// shortOffUntil: Config.Short gave way to one connection (too slow)
	// until then; shortRetry is the time off it was given, shortTrial
	// that the rounds since are a trial (see shortRetryMin). shortN and
	// shortTime count the short rounds since the last look at their
	// handshakes, and the handshakes' time.
	shortOffUntil time.Time
	shortRetry    time.Duration
	shortTrial    bool
	shortN        int
	shortTime     time.Duration
	// shortSince and shortInMinute count the short rounds of the
	// current minute (shortPerMinute).
	shortSince    time.Time
	shortInMinute int
}

// New checks cfg and returns a Client for addr ("host:port") without
// connecting.
func New(addr string, cfg Config) (*Client, error) {
	if err := cfg.Method.Validate(); err != nil {
		return nil, &Error{Op: OpConfig, Addr: addr, Err: err}
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, &Error{Op: OpConfig, Addr: addr, Err: err}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.ConfirmWait <= 0 {
		cfg.ConfirmWait = DefaultConfirmWait
	}
	if cfg.ConfirmMin <= 0 {
		cfg.ConfirmMin = DefaultConfirmMin
	}
	return &Client{addr: addr, cfg: cfg}, nil
}

// Dial is New plus connecting now, so that a daemon that is down or
// misconfigured is reported at once.
func Dial(ctx context.Context, addr string, cfg Config) (*Client, error) {
	c, err := New(addr, cfg)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.connect(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Addr returns the daemon's address.
func (c *Client) Addr() string { return c.addr }

// SendCheck sends one check result; an empty service makes it a host
// check. A nil error means the packet was written whole to the connection
// (and, with Config.Confirm, that the daemon did not drop it): the daemon
// never acknowledges anything.
func (c *Client) SendCheck(ctx context.Context, host, service string, state int, output string) error {
	_, err := c.Send(ctx, Check{Host: host, Service: service, State: state, Output: output})
	return err
}

// Send sends checks in order over one connection (one connection per
// check in Legacy mode) and returns how many were written whole before an
// error. On any error the connection is closed, never left with half a
// packet; the next Send reconnects.
func (c *Client) Send(ctx context.Context, checks ...Check) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, &Error{Op: OpWrite, Addr: c.addr, Err: ErrClientClosed}
	}
	if c.cfg.Legacy {
		return c.sendLegacy(ctx, checks)
	}
	if len(checks) == 0 {
		return 0, nil
	}
	if c.conn != nil && (c.sent > 0 || c.proven) && !c.alive() {
		c.debugf("daemon closed the connection since the last send (it drops packets it cannot decode, or it restarted); reconnecting")
		if c.unconfirmed > 0 && c.lost == nil {
			c.lost = &Error{Op: "confirm", Addr: c.addr, Err: fmt.Errorf("%w (closed before %d packet(s) were confirmed)", ErrRejected, c.unconfirmed)}
		}
		c.drop()
	}
	done := 0
	if c.cfg.Short && c.shortOn(time.Now()) {
		if !c.proven && len(checks) > 1 {
			// Short rounds carry no evidence of their own that the daemon
			// decodes them: prove the password and method first with one
			// check on the kept connection.
			if _, err := c.sendFull(ctx, checks[:1]); err != nil {
				return 0, err
			}
			if err := c.confirm(ctx, c.confirmWait()); err != nil {
				if c.conn == nil {
					c.unconfirmed = 0
				}
				return 1, err
			}
			c.unconfirmed, c.proven, done = 0, true, 1
		}
		if c.proven && c.conn != nil {
			n, err := c.sendShort(ctx, checks[done:])
			done += n
			if err != nil {
				return done, err
			}
		}
	}
	if done < len(checks) {
		n, err := c.sendFull(ctx, checks[done:])
		done += n
		if err != nil {
			return done, err
		}
	}
	if c.cfg.Confirm > 0 {
		if c.proven && c.conn != nil {
			if err := c.look(); err != nil {
				return done, err
			}
		} else if err := c.confirm(ctx, c.cfg.Confirm); err != nil {
			return done, err
		}
		c.unconfirmed, c.proven = 0, true
	}
	return done, nil
}

// sendFull sends checks over the kept connection, several packets per
// write, paced by the daemon's window.
func (c *Client) sendFull(ctx context.Context, checks []Check) (int, error) {
	if c.conn == nil {
		if err := c.connect(ctx); err != nil {
			return 0, err
		}
	}
	done := 0
	c.paced = 0
	for done < len(checks) {
		c.buf = c.buf[:0]
		n := 0
		limit := c.writeLimit()
		for done+n < len(checks) && (n == 0 || len(c.buf)+c.enc.size <= limit) {
			var err error
			ch := checks[done+n]
			if c.buf, err = c.enc.Encode(c.buf, ch); err != nil {
				c.drop()
				return done, &Error{Op: OpWrite, Addr: c.addr, Err: err}
			}
			c.debugf("packet %d: host=%q service=%q state=%d output=%d bytes", c.sent+n+1, Truncate(ch.Host, MaxHostLen), Truncate(ch.Service, MaxServiceLen), int16(ch.State), len(ch.Output))
			n++
		}
		c.pace(ctx, len(c.buf))
		if err := c.write(ctx, c.buf); err != nil {
			if c.sent > 0 && c.unconfirmed > 0 && c.lost == nil {
				// The packets before this write went into a connection that
				// failed: no evidence they were read. A reset or broken
				// pipe is the daemon closing it: it dropped one of them.
				c.lost = err
				if errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) {
					c.lost = &Error{Op: "confirm", Addr: c.addr, Err: fmt.Errorf("%w (%v)", ErrRejected, err)}
				}
			}
			c.drop()
			return done, err
		}
		done += n
		c.sent += n
		c.unconfirmed += n
	}
	if c.paced > 0 {
		c.debugf("paced: waited %d time(s) for room in the daemon's receive window (largest window %d bytes)", c.paced, c.maxWnd)
	}
	return done, nil
}

// reanchor makes sure the daemon read every packet of the kept
// connection before a short round goes out (it reads whichever connection
// is ready first, so a short round could overtake them): it opens a new
// kept connection, ends the old one's stream and waits for the daemon to
// close it, which it does once it read it all. The new connection, open
// before the old one closed, is on the same daemon (a restart would have
// closed the old one first), so it stays proven: a Confirm looks whether
// it is still open. Nothing to do while the kept connection carried no
// packet.
func (c *Client) reanchor(ctx context.Context) error {
	if c.sent == 0 {
		return nil
	}
	conn, ip, h, err := c.dialInit(ctx)
	if err != nil {
		return err
	}
	if !c.alive() {
		conn.Close()
		c.drop()
		return &Error{Op: OpConfirm, Addr: c.addr, Err: fmt.Errorf("%w (the daemon closed the connection after its packets were confirmed: it restarted?)", ErrRejected)}
	}
	enc, err := NewEncoder(c.cfg.Method, c.cfg.Password, ip, false)
	if err != nil {
		conn.Close()
		return &Error{Op: OpConfig, Addr: c.addr, Err: err}
	}
	old := c.conn
	stop := watch(ctx, old)
	err = endStream(old, c.deadline(ctx))
	stop()
	old.Close()
	if err != nil {
		conn.Close()
		c.conn, c.enc, c.sent, c.proven = nil, nil, 0, false
		return &Error{Op: OpWrite, Addr: c.addr, Err: fmt.Errorf("waiting for the daemon to read the kept connection: %w", ctxErr(ctx, err))}
	}
	c.debugf("the daemon read the kept connection; a new one (handshake %s) is kept", h.Round(time.Microsecond))
	c.conn, c.enc, c.sent, c.maxWnd, c.handshake = conn, enc, 0, 0, h
	return nil
}

// sendShort sends checks one per connection (Config.Short) until one
// fails or short rounds turn out too slow; it returns how many it sent.
func (c *Client) sendShort(ctx context.Context, checks []Check) (int, error) {
	for i, ch := range checks {
		if !c.shortOn(time.Now()) {
			return i, nil
		}
		if now := time.Now(); now.Sub(c.shortSince) >= time.Minute {
			c.shortSince, c.shortInMinute = now, 0
		}
		if c.shortInMinute >= shortPerMinute {
			if c.shortInMinute == shortPerMinute {
				c.debugf("%d short rounds in a minute: the rest of it goes over one connection", shortPerMinute)
				c.shortInMinute++
			}
			return i, nil
		}
		if err := c.reanchor(ctx); err != nil {
			return i, err
		}
		c.shortInMinute++
		began := time.Now()
		h, err := c.round(ctx, ch, len(Truncate(ch.Output, MaxOutputLen)) <= LegacyMaxOutputLen, 0)
		if err != nil {
			return i, err
		}
		c.unconfirmed++
		c.shortN++
		c.shortTime += h
		switch took := time.Since(began); {
		case took > shortMaxRound:
			c.shortGiveWay(fmt.Sprintf("a short round took %s", took.Round(time.Microsecond)))
		case c.shortN < shortRounds:
		case c.shortTime/shortRounds > shortSlowHandshake:
			c.shortGiveWay(fmt.Sprintf("handshakes took %s each", (c.shortTime / shortRounds).Round(time.Microsecond)))
		default:
			c.shortN, c.shortTime = 0, 0
			if c.shortTrial {
				c.shortTrial, c.shortRetry = false, 0
				c.debugf("short rounds are fast again")
			}
		}
	}
	return len(checks), nil
}

// shortOn reports whether short rounds may go out at now; the first call
// after a time off starts a trial.
func (c *Client) shortOn(now time.Time) bool {
	if c.shortOffUntil.IsZero() {
		return true
	}
	if now.Before(c.shortOffUntil) {
		return false
	}
	c.shortOffUntil, c.shortTrial, c.shortN, c.shortTime = time.Time{}, true, 0, 0
	c.debugf("trying short rounds again after %s on one connection", c.shortRetry)
	return true
}

// shortGiveWay turns short rounds off for a while (see shortRetryMin).
func (c *Client) shortGiveWay(why string) {
	switch {
	case c.shortRetry == 0:
		c.shortRetry = shortRetryMin
	case c.shortTrial:
		c.shortRetry = min(2*c.shortRetry, shortRetryMax)
	}
	c.shortOffUntil = time.Now().Add(c.shortRetry)
	c.shortTrial, c.shortN, c.shortTime = false, 0, 0
	c.debugf("%s: back to one connection for %s", why, c.shortRetry)
}

// round sends one check on a connection of its own: it connects, writes
// the packet (720 bytes if small, else 4304) with the FIN after it, and
// waits for the daemon to close the connection, which it does once it
// read the packet: at most wait (Legacy mode: a 2.7 daemon that has not
// closed by then is left to read it later), or with wait 0 until the
// deadline. It returns the connection's handshake time.
func (c *Client) round(ctx context.Context, ch Check, small bool, wait time.Duration) (handshake time.Duration, err error) {
	conn, ip, handshake, err := c.dialInit(ctx)
	if err != nil {
		return 0, err
	}
	enc, err := NewEncoder(c.cfg.Method, c.cfg.Password, ip, small)
	if err != nil {
		conn.Close()
		return 0, &Error{Op: OpConfig, Addr: c.addr, Err: err}
	}
	return handshake, c.last(ctx, conn, enc, ch, wait)
}

// last sends ch as the only packet of conn, whose encoder is enc, and
// closes conn (see round).
//
// wait bounds the wait for the daemon's close; 0 waits until the
// deadline (Config.Timeout, the context's), and the daemon not closing
// by then is an error: short rounds wait for the close to keep results in
// order.
func (c *Client) last(ctx context.Context, conn net.Conn, enc *Encoder, ch Check, wait time.Duration) error {
	defer conn.Close()
	var err error
	if c.buf, err = enc.Encode(c.buf[:0], ch); err != nil {
		return &Error{Op: OpWrite, Addr: c.addr, Err: err}
	}
	c.debugf("%d-byte packet on a connection of its own: host=%q service=%q state=%d output=%d bytes", len(c.buf), Truncate(ch.Host, MaxHostLen), Truncate(ch.Service, MaxServiceLen), int16(ch.State), len(ch.Output))
	if err := c.writeLast(ctx, conn, c.buf); err != nil {
		return err
	}
	stop := watch(ctx, conn)
	defer stop()
	d := c.deadline(ctx)
	if wait > 0 && time.Now().Add(wait).Before(d) {
		d = time.Now().Add(wait)
	}
	_ = conn.SetReadDeadline(d)
	var one [1]byte
	n, rerr := conn.Read(one[:])
	switch {
	case n > 0:
		return &Error{Op: OpWrite, Addr: c.addr, Err: errors.New("the daemon sent data after its init packet")}
	case rerr != nil && errors.Is(rerr, os.ErrDeadlineExceeded):
		if err := ctx.Err(); err != nil {
			return &Error{Op: OpWrite, Addr: c.addr, Err: err}
		}
		if wait == 0 {
			return &Error{Op: OpWrite, Addr: c.addr, Err: fmt.Errorf("the daemon did not close the connection after its packet: %w", rerr)}
		}
	}
	return nil
}

// ConfirmWait returns how long the next Confirm may wait: zero in Legacy
// mode and on a connection a Confirm already proved, the wait the open
// connection's handshake sets, else (no connection yet)
// Config.ConfirmWait (bridge.ConfirmTimer).
func (c *Client) ConfirmWait() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg.Legacy || (c.proven && c.conn != nil) {
		return 0
	}
	return c.confirmWait()
}

// confirmWait is how long a Confirm on the current connection waits:
// confirmFactor times its handshake, within ConfirmMin and ConfirmWait.
func (c *Client) confirmWait() time.Duration {
	if c.conn == nil || c.cfg.ConfirmMin >= c.cfg.ConfirmWait {
		return c.cfg.ConfirmWait
	}
	return min(max(confirmFactor*c.handshake, c.cfg.ConfirmMin), c.cfg.ConfirmWait)
}

// Confirm reports whether the daemon kept every packet written since the
// previous Confirm: it waits Config.ConfirmWait (cut by the context's
// deadline) after the last packet for the daemon to close the connection,
// which nsca does only when it drops a packet it cannot decode (wrong
// password, encryption method or packet size). It fails with an error
// wrapping ErrRejected when the daemon closed the connection, with the
// write error when a connection holding unconfirmed packets failed, and
// with the context's error when the context ended first (nothing is then
// confirmed; a later Confirm covers those packets too). With nothing sent
// since the last Confirm it returns nil at once.
//
// In Legacy mode there is no evidence to wait for (a 2.7 daemon reads the
// packet after the client closed): Confirm returns nil.
//
// One Confirm per batch of packets costs one wait, however many packets
// the batch holds, and only until one wait on the connection passed: what
// makes nsca drop packets (password, method, packet size) cannot change
// within a connection, so later Confirms on it only look, without
// waiting, whether the daemon closed it. A new connection waits again.
func (c *Client) Confirm(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg.Legacy {
		c.unconfirmed, c.lost = 0, nil
		return nil
	}
	if err := c.lost; err != nil {
		c.unconfirmed, c.lost = 0, nil
		return err
	}
	if c.unconfirmed == 0 {
		return nil
	}
	if c.conn == nil {
		// Dropped after an error the caller saw; nothing left to wait on.
		c.unconfirmed = 0
		return &Error{Op: "confirm", Addr: c.addr, Err: errors.New("the connection holding the packets was closed before they were confirmed")}
	}
	if c.proven {
		return c.look()
	}
	if err := c.confirm(ctx, c.confirmWait()); err != nil {
		if c.conn == nil {
			c.unconfirmed = 0 // rejected: those packets are settled, as lost
		}
		return err
	}
	c.unconfirmed, c.proven = 0, true
	return nil
}

// look confirms the packets since the last Confirm on a proven
// connection: what makes the daemon drop packets (password, method,
// packet size) is fixed for a connection, and one wait on this one passed,
// so it looks, without waiting, whether the daemon closed it since.
func (c *Client) look() error {
	c.unconfirmed = 0
	if !c.alive() {
		c.drop()
		return &Error{Op: OpConfirm, Addr: c.addr, Err: fmt.Errorf("%w (closed before the packets were confirmed)", ErrRejected)}
	}
	return nil
}

// sendLegacy sends each check on a connection of its own (round), as a
// 2.7 daemon takes one packet per connection.
func (c *Client) sendLegacy(ctx context.Context, checks []Check) (int, error) {
	for i, ch := range checks {
		var err error
		if c.conn != nil && c.sent == 0 {
			// Opened by Dial and still unused.
			conn, enc := c.conn, c.enc
			c.conn, c.enc = nil, nil
			err = c.last(ctx, conn, enc, ch, c.cfg.ConfirmWait)
		} else {
			c.drop()
			_, err = c.round(ctx, ch, true, c.cfg.ConfirmWait)
		}
		if err != nil {
			return i, err
		}
	}
	return len(checks), nil
}

// Close closes the connection; the Client cannot send afterwards. It
// ends the connection's stream first and waits, at most
// Config.ConfirmMin, for the daemon to close its side, which it does
// once it read every packet: a connection opened next (another Client,
// another process) is then not read before this one's last packets.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	var err error
	if c.conn != nil {
		if c.sent > 0 {
			_ = endStream(c.conn, time.Now().Add(c.cfg.ConfirmMin))
		}
		err = c.conn.Close()
		c.conn, c.enc, c.sent = nil, nil, 0
	}
	c.unconfirmed, c.lost = 0, nil
	if err != nil {
		return &Error{Op: OpClose, Addr: c.addr, Err: err}
	}
	return nil
}

// endStream ends conn's sending side and waits, until deadline, for the
// daemon to close its side, which it does once it read everything sent
// on conn. A connection without a sending side to end returns nil.
func endStream(conn net.Conn, deadline time.Time) error {
	cw, ok := conn.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return nil
	}
	_ = conn.SetReadDeadline(deadline)
	_, err := io.Copy(io.Discard, conn)
	if errors.Is(err, syscall.ECONNRESET) {
		return nil // closed, with a reset
	}
	return err
}

func (c *Client) drop() {
	if c.conn != nil {
		c.conn.Close()
		c.debugf("connection closed")
	}
	c.conn, c.enc, c.sent, c.proven = nil, nil, 0, false
}

func (c *Client) debugf(format string, a ...any) {
	if c.cfg.Debug != nil {
		fmt.Fprintf(c.cfg.Debug, "nsca: "+format+"\n", a...)
	}
}

// deadline is now+Timeout, or the context's deadline if earlier.
func (c *Client) deadline(ctx context.Context) time.Time {
	d := time.Now().Add(c.cfg.Timeout)
	if cd, ok := ctx.Deadline(); ok && cd.Before(d) {
		return cd
	}
	return d
}

// watch makes a cancelled ctx interrupt I/O on conn; call the returned
// stop when the operation is over.
func watch(ctx context.Context, conn net.Conn) (stop func() bool) {
	return context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
}

// ctxErrOr returns the context's error, or def while it has none.
func ctxErrOr(ctx context.Context, def error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return def
}

// ctxErr prefers the context's error to the timeout it caused.
func ctxErr(ctx context.Context, err error) error {
	if ce := ctx.Err(); ce != nil {
		return fmt.Errorf("%w (%v)", ce, err)
	}
	return err
}

func (c *Client) connect(ctx context.Context) error {
	conn, ip, handshake, err := c.dialInit(ctx)
	if err != nil {
		return err
	}
	enc, err := NewEncoder(c.cfg.Method, c.cfg.Password, ip, c.cfg.Legacy)
	if err != nil {
		conn.Close()
		return &Error{Op: OpConfig, Addr: c.addr, Err: err}
	}
	c.conn, c.enc, c.sent, c.proven, c.maxWnd = conn, enc, 0, false, 0
	c.handshake = handshake
	return nil
}

// dialInit connects and reads the init packet; it returns the connection,
// the packet and how long the two took.
func (c *Client) dialInit(ctx context.Context) (net.Conn, InitPacket, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return nil, InitPacket{}, 0, &Error{Op: OpDial, Addr: c.addr, Err: err}
	}
	dctx, cancel := context.WithDeadline(ctx, c.deadline(ctx))
	defer cancel()
	var d interface {
		DialContext(ctx context.Context, network, address string) (net.Conn, error)
	} = &net.Dialer{}
	if c.cfg.Dialer != nil {
		d = c.cfg.Dialer
	}
	began := time.Now()
	conn, err := d.DialContext(dctx, "tcp", c.addr)
	if err != nil {
		return nil, InitPacket{}, 0, &Error{Op: OpDial, Addr: c.addr, Err: ctxErr(ctx, err)}
	}
	stop := watch(ctx, conn)
	defer stop()
	_ = conn.SetReadDeadline(c.deadline(ctx))
	b := make([]byte, InitPacketSize)
	n, err := io.ReadFull(conn, b)
	_ = conn.SetReadDeadline(time.Time{})
	if err != nil {
		conn.Close()
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) {
			if n == 0 {
				err = ErrNoInitPacket
			} else {
				err = fmt.Errorf("%w (%d bytes received, %d expected)", ErrShortInitPacket, n, InitPacketSize)
			}
		}
		return nil, InitPacket{}, 0, &Error{Op: OpReadInit, Addr: c.addr, Err: ctxErr(ctx, err)}
	}
	ip, _ := ParseInitPacket(b)
	handshake := time.Since(began)
	c.debugf("connected to %s (local %s) in %s: init packet timestamp %d, iv %s..., method %d %s",
		c.addr, conn.LocalAddr(), handshake.Round(time.Microsecond), ip.Timestamp, hex.EncodeToString(ip.IV[:8]), int(c.cfg.Method), c.cfg.Method)
	return conn, ip, handshake, nil
}

// write writes b (whole packets) under the deadline; the caller closes
// the connection on error.
func (c *Client) write(ctx context.Context, b []byte) error {
	return c.writeConn(ctx, c.conn, b)
}

func (c *Client) writeConn(ctx context.Context, conn net.Conn, b []byte) error {
	stop := watch(ctx, conn)
	defer stop()
	_ = conn.SetWriteDeadline(c.deadline(ctx))
	if _, err := conn.Write(b); err != nil {
		return c.writeErr(ctx, err)
	}
	return nil
}

// writeErr is the error of a failed write: a reset or broken pipe is the
// daemon closing the connection.
func (c *Client) writeErr(ctx context.Context, err error) error {
	if errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) {
		err = fmt.Errorf("the daemon closed the connection: it stopped, or it dropped a packet it could not decode (wrong password, encryption method or packet size?): %w", err)
	}
	return &Error{Op: OpWrite, Addr: c.addr, Err: ctxErr(ctx, err)}
}

// writeLast writes b, the last bytes of conn, and the FIN after them in
// the same TCP segment where the kernel allows (TCP_CORK, then the write
// and the shutdown back to back: writeAndShut). nsca reads a 720-byte
// packet only at end of file; on a connection it made non-blocking
// (which depends on the daemon's stack contents, PROTOCOL.md section 5),
// a read that finds the packet but not yet the FIN makes it sleep a
// whole second.
func (c *Client) writeLast(ctx context.Context, conn net.Conn, b []byte) error {
	corked := cork(conn, true)
	defer func() {
		if corked {
			cork(conn, false)
		}
	}()
	stop := watch(ctx, conn)
	_ = conn.SetWriteDeadline(c.deadline(ctx))
	ok, err := writeAndShut(conn, b)
	stop()
	if ok {
		if err != nil {
			return c.writeErr(ctx, err)
		}
		return nil
	}
	if err := c.writeConn(ctx, conn, b); err != nil {
		return err
	}
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		if err := cw.CloseWrite(); err != nil {
			return &Error{Op: OpWrite, Addr: c.addr, Err: err}
		}
	}
	return nil
}

// alive reports whether the daemon still holds the connection open: a
// non-blocking peek finds nothing on an open connection and EOF (or a
// reset) at once on one the daemon closed.
func (c *Client) alive() bool {
	if sc, ok := c.conn.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			var n int
			var rerr error
			var one [1]byte
			cerr := rc.Read(func(fd uintptr) bool {
				n, _, rerr = syscall.Recvfrom(int(fd), one[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
				return true
			})
			if cerr != nil {
				return false
			}
			_ = n
			return rerr != nil && (errors.Is(rerr, syscall.EAGAIN) || errors.Is(rerr, syscall.EWOULDBLOCK))
		}
	}
	// Not a socket (tests): a short read deadline.
	_ = c.conn.SetReadDeadline(time.Now().Add(time.Millisecond))
	var one [1]byte
	_, err := c.conn.Read(one[:])
	_ = c.conn.SetReadDeadline(time.Time{})
	return err != nil && errors.Is(err, os.ErrDeadlineExceeded)
}

// confirm waits up to wait for the daemon to close the connection. When
// the context ends first the connection is kept (the daemon did not close
// it) and the context's error returned: nothing was confirmed.
func (c *Client) confirm(ctx context.Context, wait time.Duration) error {
	stop := watch(ctx, c.conn)
	d := time.Now().Add(wait)
	cut := false
	if cd, ok := ctx.Deadline(); ok && cd.Before(d) {
		d, cut = cd, true
	}
	_ = c.conn.SetReadDeadline(d)
	var one [1]byte
	_, err := c.conn.Read(one[:])
	stop()
	_ = c.conn.SetDeadline(time.Time{})
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		if ctx.Err() == nil && !cut {
			return nil // the whole wait passed: the daemon kept the packets
		}
		return &Error{Op: "confirm", Addr: c.addr, Err: fmt.Errorf("%w: no time left to wait for the daemon", ctxErrOr(ctx, context.DeadlineExceeded))}
	}
	c.drop()
	if ctx.Err() != nil {
		return &Error{Op: OpConfirm, Addr: c.addr, Err: ctx.Err()}
	}
	if err == nil {
		err = errors.New("the daemon sent data after its init packet")
	}
	return &Error{Op: OpConfirm, Addr: c.addr, Err: fmt.Errorf("%w (%v)", ErrRejected, err)}
}

// writeLimit is how many bytes of packets Send puts in one write: at most
// maxWrite and a quarter of the largest window the daemon advertised,
// at least one packet.
func (c *Client) writeLimit() int {
	limit := maxWrite
	if c.maxWnd == 0 {
		if wnd, _, ok := peerWindow(c.conn); ok {
			c.maxWnd = wnd
		}
	}
	if c.maxWnd > 0 && c.maxWnd/4 < limit {
		limit = c.maxWnd / 4
	}
	return limit
}

// pace waits until the daemon's receive window has room for n more bytes
// plus a reserve of the same size (see maxWrite), for at most the write
// deadline; write then fails on that deadline if the daemon still reads
// nothing. Without a window to look at (not Linux, not TCP) it returns at
// once.
func (c *Client) pace(ctx context.Context, n int) {
	wnd, queued, ok := peerWindow(c.conn)
	if !ok {
		return
	}
	c.maxWnd = max(c.maxWnd, wnd)
	need := 2 * n
	if wnd-queued >= need {
		return
	}
	deadline := c.deadline(ctx)
	sleep := paceMinSleep
	var idleSince time.Time
	var t *time.Timer
	for {
		if t == nil {
			t = time.NewTimer(sleep)
			defer t.Stop()
		} else {
			t.Reset(sleep)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		c.paced++
		if wnd, queued, ok = peerWindow(c.conn); !ok {
			return
		}
		c.maxWnd = max(c.maxWnd, wnd)
		if wnd-queued >= need {
			return
		}
		now := time.Now()
		if !now.Before(deadline) {
			return
		}
		if queued == 0 {
			if idleSince.IsZero() {
				idleSince = now
			} else if now.Sub(idleSince) >= paceGiveUp {
				return
			}
		} else {
			idleSince = time.Time{}
		}
		sleep = min(2*sleep, paceMaxSleep)
	}
}
