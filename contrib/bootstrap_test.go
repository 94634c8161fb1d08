// Package contrib_test tests the scripts in contrib/ that are not Go:
// bootstrap.sh here, the demo in demo/.
package contrib_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/internal/lab"
)

// goWant is the release bootstrap.sh installs (its GO_WANT).
func goWant(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("bootstrap.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^GO_WANT=([0-9.]+)`).FindSubmatch(src)
	if m == nil {
		t.Fatal("bootstrap.sh sets no GO_WANT")
	}
	return "go" + string(m[1])
}

// toolsDir returns a directory holding links to the commands bootstrap.sh
// and go build use, and no go: a PATH of only this directory is a
// machine without Go (the CI machine may have Debian's /usr/bin/go).
func toolsDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"sh", "grep", "sort", "head", "id", "mktemp", "chmod", "rm", "mkdir",
		"sed", "dirname", "cp", "mv", "uname", "ls", "env", "cat", "dpkg"} {
		p, err := exec.LookPath(name)
		if err != nil {
			if name == "dpkg" {
				continue // the script falls back to uname -m
			}
			t.Fatalf("%s: %v", name, err)
		}
		if err := os.Symlink(p, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// script writes an executable shell script named name into a new
// directory and returns the directory.
func script(t *testing.T, name, body string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// proxyReachable reports whether the first Go module proxy of GOPROXY
// answers for the toolchain module.
func proxyReachable(t *testing.T, goBin string) (string, bool) {
	t.Helper()
	out, err := exec.Command(goBin, "env", "GOPROXY").Output()
	if err != nil {
		t.Fatalf("go env GOPROXY: %v", err)
	}
	proxy := strings.TrimSpace(strings.FieldsFunc(string(out), func(r rune) bool { return r == ',' || r == '|' })[0])
	if !strings.HasPrefix(proxy, "http") {
		return proxy, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", strings.TrimSuffix(proxy, "/")+"/golang.org/toolchain/@v/list", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return proxy + ": " + err.Error(), false
	}
	resp.Body.Close()
	return proxy + ": " + resp.Status, resp.StatusCode == 200
}

// TestBootstrapGo runs contrib/bootstrap.sh (without its Debian packages)
// on a PATH without Go, with a fake go1.19 first on PATH, and with a new
// enough Go. The toolchain module (about 70 MB) is downloaded once, through
// the real Go module proxy, into a module cache the cases share.
func TestBootstrapGo(t *testing.T) {
	realGo, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go on PATH to stand in for Debian's old go as the downloader: %v", err)
	}
	if where, ok := proxyReachable(t, realGo); !ok {
		if lab.InCI() {
			t.Fatalf("the Go module proxy is unreachable (%s)", where)
		}
		t.Skipf("the Go module proxy is unreachable (%s); run where it is", where)
	}
	want := goWant(t)
	bootstrap, err := filepath.Abs("bootstrap.sh")
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	tools := toolsDir(t)
	modcache := t.TempDir()
	// The stand-in for Debian's go1.19: any go downloads a module.
	downloader := script(t, "go", `exec "`+realGo+`" "$@"`+"\n")
	// A go that must not be called: the downloader when nothing is to be done.
	calledMark := filepath.Join(t.TempDir(), "called")
	forbidden := script(t, "go", "echo called >> "+calledMark+"\nexit 1\n")
	// An old go: it answers like go1.19 and cannot download anything.
	fakeOld := script(t, "go", `case "$*" in
"env GOVERSION") echo go1.19.8 ;;
version) echo "go version go1.19.8 linux/amd64" ;;
*) echo "fake go1.19: $*" >&2; exit 1 ;;
esac
`)
	newGo := script(t, "go", `exec "`+realGo+`" "$@"`+"\n")

	run := func(t *testing.T, path string, args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command("sh", append([]string{bootstrap}, args...)...)
		cmd.Env = append(os.Environ(), "PATH="+path)
		cmd.Dir = t.TempDir()
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	version := func(t *testing.T, goBin string) string {
		t.Helper()
		cmd := exec.Command(goBin, "env", "GOVERSION")
		cmd.Env = append(os.Environ(), "PATH="+tools, "GOTOOLCHAIN=local")
		cmd.Dir = t.TempDir()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s env GOVERSION: %v\n%s", goBin, err, out)
		}
		return strings.TrimSpace(string(out))
	}

	t.Run("no go on PATH: installs it and that go builds the project", func(t *testing.T) {
		prefix := filepath.Join(t.TempDir(), "go")
		out, err := run(t, tools, "-no-packages", "-prefix", prefix, "-downloader", filepath.Join(downloader, "go"), "-modcache", modcache)
		if err != nil {
			t.Fatalf("bootstrap: %v\n%s", err, out)
		}
		if v := version(t, filepath.Join(prefix, "bin", "go")); v != want {
			t.Fatalf("installed go says %s, want %s\n%s", v, want, out)
		}
		bin := filepath.Join(t.TempDir(), "ossec-nagios")
		build := exec.Command(filepath.Join(prefix, "bin", "go"), "build", "-buildvcs=false", "-o", bin, "./cmd/ossec-nagios")
		build.Dir = root
		gocache, _ := exec.Command(realGo, "env", "GOCACHE").Output()
		gomodcache, _ := exec.Command(realGo, "env", "GOMODCACHE").Output()
		build.Env = append(os.Environ(), "PATH="+tools, "CGO_ENABLED=0", "GOTOOLCHAIN=local", "GOFLAGS=",
			"GOCACHE="+strings.TrimSpace(string(gocache)), "GOMODCACHE="+strings.TrimSpace(string(gomodcache)))
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("the installed go does not build the project: %v\n%s", err, out)
		}
		if out, err := exec.Command(bin, "-version").CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "ossec-nagios ") {
			t.Fatalf("built binary: %v: %s", err, out)
		}
		if got, err := run(t, tools, "-which", "-prefix", prefix); err != nil || strings.TrimSpace(got) != filepath.Join(prefix, "bin", "go") {
			t.Errorf("-which after install: %q, %v", got, err)
		}
	})

	t.Run("old go first on PATH: installs beside it, -which skips it", func(t *testing.T) {
		prefix := filepath.Join(t.TempDir(), "go")
		path := fakeOld + ":" + tools
		if got, err := run(t, path, "-which", "-prefix", prefix); err == nil {
			t.Errorf("-which before install: %q, want exit 1", got)
		}
		out, err := run(t, path, "-no-packages", "-prefix", prefix, "-downloader", filepath.Join(downloader, "go"), "-modcache", modcache)
		if err != nil {
			t.Fatalf("bootstrap: %v\n%s", err, out)
		}
		if !strings.Contains(out, "go1.19.8, older than 1.26") {
			t.Errorf("output does not name the old go:\n%s", out)
		}
		if v := version(t, filepath.Join(prefix, "bin", "go")); v != want {
			t.Fatalf("installed go says %s, want %s\n%s", v, want, out)
		}
		if got, err := run(t, path, "-which", "-prefix", prefix); err != nil || strings.TrimSpace(got) != filepath.Join(prefix, "bin", "go") {
			t.Errorf("-which: %q, %v; want the installed go, not the old one", got, err)
		}
		// Run again: the prefix's go is new enough now, nothing changes.
		mark := filepath.Join(prefix, "kept")
		if err := os.WriteFile(mark, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err = run(t, path, "-no-packages", "-prefix", prefix, "-downloader", filepath.Join(forbidden, "go"))
		if err != nil || !strings.Contains(out, "nothing to install") {
			t.Errorf("second run: %v\n%s", err, out)
		}
		if _, err := os.Stat(mark); err != nil {
			t.Errorf("the second run replaced the installed go: %v", err)
		}
	})

	t.Run("new enough go on PATH: does nothing", func(t *testing.T) {
		prefix := filepath.Join(t.TempDir(), "go")
		out, err := run(t, newGo+":"+tools, "-no-packages", "-prefix", prefix, "-downloader", filepath.Join(forbidden, "go"))
		if err != nil {
			t.Fatalf("bootstrap: %v\n%s", err, out)
		}
		if !strings.Contains(out, "nothing to install") {
			t.Errorf("output:\n%s", out)
		}
		if _, err := os.Stat(prefix); !os.IsNotExist(err) {
			t.Errorf("the prefix was created: %v", err)
		}
		if got, err := run(t, newGo+":"+tools, "-which", "-prefix", prefix); err != nil || strings.TrimSpace(got) != filepath.Join(newGo, "go") {
			t.Errorf("-which: %q, %v; want the go on PATH", got, err)
		}
	})

	if _, err := os.Stat(calledMark); err == nil {
		t.Errorf("the downloader was run although a new enough go was there")
	}
}

// TestBootstrapKeepsForeignPrefix: a prefix that holds something other
// than a Go tree is never replaced, and nothing is downloaded.
func TestBootstrapKeepsForeignPrefix(t *testing.T) {
	prefix := t.TempDir()
	precious := filepath.Join(prefix, "precious")
	if err := os.WriteFile(precious, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	calledMark := filepath.Join(t.TempDir(), "called")
	forbidden := script(t, "go", "echo called >> "+calledMark+"\nexit 1\n")
	cmd := exec.Command("sh", "bootstrap.sh", "-no-packages", "-prefix", prefix, "-downloader", filepath.Join(forbidden, "go"))
	cmd.Env = append(os.Environ(), "PATH="+toolsDir(t))
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "holds no Go: move it away or choose another -prefix") {
		t.Errorf("want a refusal, got %v:\n%s", err, out)
	}
	if _, err := os.Stat(precious); err != nil {
		t.Errorf("the prefix's content is gone: %v", err)
	}
	if _, err := os.Stat(calledMark); err == nil {
		t.Errorf("the downloader was run")
	}
}

// TestBootstrapPackages: apt-get installs exactly the missing packages
// (dpkg-query and apt-get are fakes that record what they were asked), and
// nothing when none is missing.
func TestBootstrapPackages(t *testing.T) {
	realGo, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go on PATH: %v", err)
	}
	calls := filepath.Join(t.TempDir(), "apt-get.calls")
	fakes := script(t, "apt-get", `echo "$*" >> `+calls+"\n")
	for name, body := range map[string]string{
		// dpkg-query -W -f='${Status}' PKG: PKG is missing if listed in MISSING.
		"dpkg-query": `for p in $MISSING; do [ "$p" = "$3" ] && exit 1; done; printf 'install ok installed'` + "\n",
		"sudo":       `exec "$@"` + "\n",
		"go":         `exec "` + realGo + `" "$@"` + "\n",
	} {
		if err := os.WriteFile(filepath.Join(fakes, name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, missing, want string
	}{
		{"two missing", "nagios4-core icinga2-bin", "update -q\ninstall -y -q --no-install-recommends nagios4-core icinga2-bin\n"},
		{"none missing", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(calls)
			cmd := exec.Command("sh", "bootstrap.sh", "-prefix", filepath.Join(t.TempDir(), "go"))
			cmd.Env = append(os.Environ(), "PATH="+fakes+":"+toolsDir(t), "MISSING="+tc.missing)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("bootstrap: %v\n%s", err, out)
			}
			got, _ := os.ReadFile(calls)
			if string(got) != tc.want {
				t.Errorf("apt-get calls:\n%s\nwant:\n%s\noutput:\n%s", got, tc.want, out)
			}
		})
	}
}
