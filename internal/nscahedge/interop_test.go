package nsca

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/internal/lab"
)

// daemon is a real /usr/sbin/nsca on 127.0.0.1 writing to a command file.
type daemon struct {
	addr, cmdFile string
}

func startNSCA(t *testing.T, method Method, password string) *daemon {
	t.Helper()
	bin := lab.RequireBinary(t, "/usr/sbin/nsca", "nsca")
	dir := lab.ShortTempDir(t)
	cmdFile := filepath.Join(dir, "nagios.cmd")
	if err := os.WriteFile(cmdFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for attempt := 0; attempt < 5; attempt++ {
		port := lab.FreePort(t)
		cfg := fmt.Sprintf("server_address=127.0.0.1\nserver_port=%d\ncommand_file=%s\nalternate_dump_file=%s\n"+
			"append_to_file=1\naggregate_writes=0\ndebug=0\npassword=%s\ndecryption_method=%d\n",
			port, cmdFile, filepath.Join(dir, "nsca.dump"), password, int(method))
		cfgFile := filepath.Join(dir, "nsca.cfg")
		if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "-f", "-c", cfgFile, "--single")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		for i := 0; i < 200; i++ {
			select {
			case <-exited:
				i = 200
				continue
			default:
			}
			if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
				c.Close()
				t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); <-exited })
				return &daemon{addr: addr, cmdFile: cmdFile}
			}
			time.Sleep(10 * time.Millisecond)
		}
		cmd.Process.Kill()
		<-exited
	}
	t.Fatal("nsca did not start")
	return nil
}

// lines polls the command file until it holds n lines.
func (d *daemon) lines(t *testing.T, n int) []string {
	t.Helper()
	var got []string
	for i := 0; i < 300; i++ {
		b, _ := os.ReadFile(d.cmdFile)
		got = strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if len(b) > 0 && len(got) >= n {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	var out []string
	for _, l := range got {
		if i := strings.Index(l, "] "); strings.HasPrefix(l, "[") && i > 0 {
			l = l[i+2:]
		}
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

func TestInteropRealDaemon(t *testing.T) {
	for _, m := range Methods() {
		for _, legacy := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d-legacy=%v", int(m), legacy), func(t *testing.T) {
				t.Parallel()
				const pw = "interop-secret"
				d := startNSCA(t, m, pw)
				c, err := NewClient(d.addr, Config{Password: pw, Method: m, Legacy: legacy, Timeout: 5 * time.Second})
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				ctx := context.Background()
				checks := []Check{
					{Host: "web01", Service: "OSSEC SSH", State: 2, Output: "rule 5712 level 10: sshd brute force"},
					{Host: "db01", Service: "", State: 1, Output: "host check"},
					{Host: "web01", Service: "OSSEC intégrité", State: 0, Output: "ünïcödé ✓"},
				}
				if err := c.Send(ctx, checks...); err != nil {
					t.Fatal(err)
				}
				c.Close()
				want := []string{
					"PROCESS_SERVICE_CHECK_RESULT;web01;OSSEC SSH;2;rule 5712 level 10: sshd brute force",
					"PROCESS_HOST_CHECK_RESULT;db01;1;host check",
					"PROCESS_SERVICE_CHECK_RESULT;web01;OSSEC intégrité;0;ünïcödé ✓",
				}
				got := d.lines(t, len(want))
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("command file:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
			})
		}
	}
}
