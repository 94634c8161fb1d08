package nsca

import (
	"context"
	"errors"
	"net"
)

// More sentinels a caller may branch on.
var (
	// ErrRejected: the daemon closed the connection after our packets.
	// It does that only when it drops a packet it cannot decrypt or check:
	// wrong password, encryption method or packet size (legacy 2.7 mode).
	ErrRejected = errors.New("nsca: the daemon closed the connection after a packet: it drops packets it cannot decode (wrong password, encryption method or packet size?)")
	// ErrNoInitPacket: the daemon closed the connection before its init
	// packet was complete (overloaded, or it cannot run its
	// decryption_method).
	ErrNoInitPacket = errors.New("nsca: server closed connection before init packet was received")
	// ErrShortInitPacket: the daemon sent part of its init packet, then
	// closed.
	ErrShortInitPacket = errors.New("nsca: init packet from server was too short")
	// ErrClientClosed: the Client was closed.
	ErrClientClosed = errors.New("nsca: client closed")
)

// The operations an *Error names in Op, for callers that tell them apart.
const (
	OpConfig   = "config"           // the Config, or a method the daemon cannot run
	OpDial     = "dial"             // connecting to the daemon
	OpReadInit = "read init packet" // waiting for the daemon's init packet
	OpWrite    = "write"            // writing data packets
	OpConfirm  = "confirm"          // Config.Confirm: waiting to see the daemon keep the connection
	OpClose    = "close"            // Client.Close
)

// Error is the error of a Client operation: Op is one of the Op constants
// (OpDial, OpReadInit, ...); Addr the daemon's address.
type Error struct {
	Op   string
	Addr string
	Err  error
}

func (e *Error) Error() string {
	s := "nsca: " + e.Op
	if e.Addr != "" {
		s += " " + e.Addr
	}
	return s + ": " + trimPrefix(e.Err.Error())
}

func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether trying again later may succeed: network
// failures, timeouts and a daemon that closed before its init packet are
// temporary; a bad configuration, a rejected packet, a cancelled context
// and a closed client are not.
func (e *Error) Temporary() bool {
	switch {
	case errors.Is(e.Err, context.Canceled),
		errors.Is(e.Err, ErrRejected),
		errors.Is(e.Err, ErrClientClosed),
		errors.Is(e.Err, ErrUnknownMethod),
		errors.Is(e.Err, ErrUnsupportedMethod),
		errors.Is(e.Err, ErrNotImplemented),
		errors.Is(e.Err, ErrPacketSize):
		return false
	}
	if e.Op == OpConfig {
		return false
	}
	var ne net.Error
	if errors.As(e.Err, &ne) && ne.Timeout() {
		return true
	}
	return e.Op == OpDial || e.Op == OpReadInit || e.Op == OpWrite || errors.Is(e.Err, context.DeadlineExceeded)
}

// trimPrefix drops a leading "nsca: " of a wrapped error to avoid
// "nsca: write x: nsca: ...".
func trimPrefix(s string) string {
	const p = "nsca: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}
