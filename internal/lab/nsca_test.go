package lab

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestNSCAServerWithSendNSCA(t *testing.T) {
	s := StartNSCA(t, NSCAOptions{Password: "lab pw", Method: 1})
	bin := RequireBinary(t, SendNSCABin, "nsca-client")
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(s.Port), "-c", s.SendNSCAConfig(t))
	cmd.Stdin = strings.NewReader("web01\tOSSEC\t2\tlab test\x17web01\t1\thost down\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("send_nsca: %v\n%s", err, out)
	}
	got := s.WaitLines(t, 2, 5*time.Second)
	want := []string{"PROCESS_SERVICE_CHECK_RESULT;web01;OSSEC;2;lab test", "PROCESS_HOST_CHECK_RESULT;web01;1;host down"}
	for i := range want {
		if Check(got[i]) != want[i] {
			t.Errorf("line %d = %q, want %q", i, got[i], want[i])
		}
	}
	s.Stop(t)
	if _, err := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(s.Port), "-c", s.SendNSCAConfig(t)).CombinedOutput(); err == nil {
		t.Errorf("send_nsca succeeded after Stop")
	}
}
