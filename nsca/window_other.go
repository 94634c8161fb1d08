//go:build !linux

package nsca

import "net"

// peerWindow is unknown outside Linux: Send writes without pacing there.
func peerWindow(net.Conn) (wnd, queued int, ok bool) { return 0, 0, false }

// cork is Linux's TCP_CORK; elsewhere the FIN may follow the packet in a
// segment of its own.
func cork(net.Conn, bool) bool { return false }

// writeAndShut is Linux's; elsewhere the write and the shutdown are two
// calls of their own.
func writeAndShut(net.Conn, []byte) (ok bool, err error) { return false, nil }
