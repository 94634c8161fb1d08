// Package lab starts the real peers that the project's integration tests run
// against — the Debian nsca daemon, send_nsca, nagios4 and icinga2 — on
// 127.0.0.1, in a test's temporary directory, and tears them down when the
// test ends. It is imported by tests only.
package lab

import (
	"net"
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the tests run in CI (CI=true), where every peer is
// installed and a missing one is a failure, not a skip.
func InCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "0" && v != "false"
}

// RequireBinary returns the path of a peer binary. When it is missing the
// test fails in CI and is skipped elsewhere, with a message naming the
// Debian package that provides it.
func RequireBinary(t testing.TB, path, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(path)
	if err != nil {
		if InCI() {
			t.Fatalf("%s not found (install the Debian package %s): %v", path, pkg, err)
		}
		t.Skipf("%s not found; install the Debian package %s to run this test", path, pkg)
	}
	return p
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// ShortTempDir returns a temporary directory with a short path (nagios4
// dies when its query-socket path exceeds 108 bytes), removed at the end of
// the test.
func ShortTempDir(t testing.TB) string {
	t.Helper()
	d, err := os.MkdirTemp("", "on-")
	if err != nil {
		t.Fatalf("temp dir: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}
