package nscatest_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/nsca"
	"github.com/ossec-nagios/ossec-nagios/nsca/nscatest"
)

func TestServer(t *testing.T) {
	checks := []nsca.Check{{Host: "a", Service: "s", State: 2, Output: "x"}, {Host: "b", State: 0, Output: "up"}}
	tests := []struct {
		name   string
		opts   nscatest.Options
		cfg    nsca.Config
		conns  int
		badPkt bool
	}{
		{name: "xor", opts: nscatest.Options{Password: "p", Method: nsca.MethodXOR}, cfg: nsca.Config{Password: "p", Method: nsca.MethodXOR}, conns: 1},
		{name: "aes legacy", opts: nscatest.Options{Password: "p", Method: nsca.MethodRijndael128, Legacy: true}, cfg: nsca.Config{Password: "p", Method: nsca.MethodRijndael128, Legacy: true}, conns: 2},
		{name: "wrong password", opts: nscatest.Options{Password: "p", Method: nsca.Method3DES}, cfg: nsca.Config{Password: "other", Method: nsca.Method3DES}, badPkt: true}, // not "q": DES ignores the low bit of each key byte,
		// A 2.7 daemon reads the first 720 bytes of a 4304-byte packet.
		// (The reverse is no error: nsca >= 2.9 takes a 720-byte packet
		// at the end of a connection, and so does the fake.)
		{name: "wrong size", opts: nscatest.Options{Method: nsca.MethodNone, Legacy: true}, cfg: nsca.Config{Method: nsca.MethodNone}, badPkt: true},
		{name: "720 bytes at the end", opts: nscatest.Options{Password: "p", Method: nsca.MethodXOR}, cfg: nsca.Config{Password: "p", Method: nsca.MethodXOR, Legacy: true}, conns: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := nscatest.NewServer(t, tc.opts)
			c, err := nsca.New(s.Addr, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Send(context.Background(), checks...); err != nil {
				t.Fatal(err)
			}
			c.Close()
			if tc.badPkt {
				deadline := time.Now().Add(5 * time.Second)
				for len(s.Errors()) == 0 && time.Now().Before(deadline) {
					time.Sleep(time.Millisecond)
				}
				if len(s.Errors()) == 0 || len(s.Checks()) != 0 {
					t.Fatalf("errors %v, checks %v", s.Errors(), s.Checks())
				}
				return
			}
			if got := s.WaitChecks(t, 2, 5*time.Second); !slices.Equal(got, checks) {
				t.Fatalf("got %+v", got)
			}
			if s.Conns() != tc.conns {
				t.Errorf("%d connections, want %d", s.Conns(), tc.conns)
			}
		})
	}
}

func TestServerNoInit(t *testing.T) {
	s := nscatest.NewServer(t, nscatest.Options{Method: nsca.MethodXOR, NoInit: true})
	c, err := nsca.New(s.Addr, nsca.Config{Method: nsca.MethodXOR, Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	err = c.SendCheck(context.Background(), "h", "s", 0, "x")
	var ne *nsca.Error
	if !errors.As(err, &ne) || ne.Op != nsca.OpReadInit || !ne.Temporary() {
		t.Fatalf("err = %v", err)
	}
}
