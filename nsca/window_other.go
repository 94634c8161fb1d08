//go:build !linux

package nsca

import "net"

// peerWindow is unknown outside Linux: Send writes without pacing there.
func peerWindow(net.Conn) (wnd, queued int, ok bool) { return 0, 0, false }
