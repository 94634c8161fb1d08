package nsca_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/nsca"
	"github.com/ossec-nagios/ossec-nagios/nsca/nscatest"
)

// TestErrorOpsAreTheExportedConstants: callers tell failures apart by
// comparing Error.Op with the exported constants, never with a string of
// their own, so every operation must report its constant.
func TestErrorOpsAreTheExportedConstants(t *testing.T) {
	ctx := context.Background()
	closedPort := func(t *testing.T) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return addr
	}
	tests := []struct {
		name string
		op   string
		run  func(t *testing.T) error
	}{
		{"nothing listens", nsca.OpDial, func(t *testing.T) error {
			c, err := nsca.New(closedPort(t), nsca.Config{Method: nsca.MethodXOR})
			if err != nil {
				return err
			}
			return c.SendCheck(ctx, "h", "s", 0, "x")
		}},
		{"no init packet", nsca.OpReadInit, func(t *testing.T) error {
			s := nscatest.NewServer(t, nscatest.Options{Method: nsca.MethodXOR, NoInit: true})
			c, err := nsca.New(s.Addr, nsca.Config{Method: nsca.MethodXOR, Timeout: 100 * time.Millisecond})
			if err != nil {
				return err
			}
			return c.SendCheck(ctx, "h", "s", 0, "x")
		}},
		{"short init packet", nsca.OpReadInit, func(t *testing.T) error {
			s := nscatest.NewServer(t, nscatest.Options{Method: nsca.MethodXOR, ShortInit: true})
			c, err := nsca.New(s.Addr, nsca.Config{Method: nsca.MethodXOR})
			if err != nil {
				return err
			}
			return c.SendCheck(ctx, "h", "s", 0, "x")
		}},
		{"unknown method", nsca.OpConfig, func(t *testing.T) error {
			_, err := nsca.New("127.0.0.1:5667", nsca.Config{Method: nsca.Method(99)})
			return err
		}},
		{"closed client", nsca.OpWrite, func(t *testing.T) error {
			c, err := nsca.New("127.0.0.1:5667", nsca.Config{Method: nsca.MethodXOR})
			if err != nil {
				return err
			}
			c.Close()
			return c.SendCheck(ctx, "h", "s", 0, "x")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run(t)
			var ne *nsca.Error
			if !errors.As(err, &ne) || ne.Op != tt.op {
				t.Fatalf("err = %v, want an *nsca.Error with Op %q", err, tt.op)
			}
		})
	}
}
