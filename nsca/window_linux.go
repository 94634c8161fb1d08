package nsca

import (
	"net"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// peerWindow returns the receive window the daemon last advertised
// (tcpi_snd_wnd) and the bytes this side holds for it, unacknowledged or
// not yet sent (SIOCOUTQ): the daemon has room for wnd-queued more bytes
// before its window closes. ok is false when the kernel cannot tell (not
// a TCP socket, or a kernel older than 5.4 without tcpi_snd_wnd).
func peerWindow(conn net.Conn) (wnd, queued int, ok bool) {
	rc, ok := rawConn(conn)
	if !ok {
		return 0, 0, false
	}
	cerr := rc.Control(func(fd uintptr) {
		var ti unix.TCPInfo
		l := uint32(unsafe.Sizeof(ti))
		_, _, errno := unix.Syscall6(unix.SYS_GETSOCKOPT, fd, unix.IPPROTO_TCP, unix.TCP_INFO,
			uintptr(unsafe.Pointer(&ti)), uintptr(unsafe.Pointer(&l)), 0)
		if errno != 0 || uintptr(l) < unsafe.Offsetof(ti.Snd_wnd)+unsafe.Sizeof(ti.Snd_wnd) {
			return // a kernel before 5.4 has no tcpi_snd_wnd
		}
		q, err := unix.IoctlGetInt(int(fd), unix.SIOCOUTQ)
		if err != nil {
			return
		}
		wnd, queued, ok = int(ti.Snd_wnd), q, true
	})
	if cerr != nil {
		return 0, 0, false
	}
	return wnd, queued, ok
}

// cork holds what is written to conn in the kernel until uncork, so that
// a packet and the FIN that follows it (CloseWrite) leave in one segment.
// It reports whether it could.
func cork(conn net.Conn, on bool) bool {
	rc, ok := rawConn(conn)
	if !ok {
		return false
	}
	v := 0
	if on {
		v = 1
	}
	var serr error
	if cerr := rc.Control(func(fd uintptr) { serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_CORK, v) }); cerr != nil {
		return false
	}
	return serr == nil
}

// writeAndShut writes b and then shuts the sending side of conn, both in
// one callback on one thread, so that nothing of Go's scheduler runs
// between the two calls: with TCP_CORK on, the kernel holds b until the
// shutdown and sends both in one segment (it would send b alone once it
// held it for 200 ms). ok is false when conn is not a socket; err is the
// write's or the shutdown's error, or the poller's (deadline, closed).
func writeAndShut(conn net.Conn, b []byte) (ok bool, err error) {
	rc, ok := rawConn(conn)
	if !ok {
		return false, nil
	}
	off := 0
	var werr error
	cerr := rc.Write(func(fd uintptr) bool {
		for off < len(b) {
			n, err := unix.Write(int(fd), b[off:])
			switch {
			case err == unix.EAGAIN:
				return false // the poller waits until the socket takes more
			case err == unix.EINTR:
				continue
			case err != nil:
				werr = err
				return true
			}
			off += n
		}
		werr = unix.Shutdown(int(fd), unix.SHUT_WR)
		return true
	})
	if cerr != nil {
		return true, cerr
	}
	return true, werr
}

// rawConn returns conn's file descriptor access; ok is false when conn is
// not a socket of the os (a test's net.Pipe, a wrapped connection).
func rawConn(conn net.Conn) (rc syscall.RawConn, ok bool) {
	sc, isSock := conn.(syscall.Conn)
	if !isSock {
		return nil, false
	}
	rc, err := sc.SyscallConn()
	return rc, err == nil
}
