package nsca_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/nsca"
	"github.com/ossec-nagios/ossec-nagios/nsca/nscatest"
)

// TestConfirmWaitFollowsHandshake: on a new connection Confirm waits 8
// times the handshake, within ConfirmMin and ConfirmWait, so a daemon
// slow to answer the handshake gets as long to close after a bad packet,
// and one on 127.0.0.1 costs ConfirmMin.
func TestConfirmWaitFollowsHandshake(t *testing.T) {
	const (
		lo = 25 * time.Millisecond
		hi = 400 * time.Millisecond
	)
	cases := []struct {
		name             string
		initDelay        time.Duration
		cfgMin           time.Duration
		wantMin, wantMax time.Duration
	}{
		{"fast daemon", 0, lo, lo, 200 * time.Millisecond},
		{"daemon 20 ms to answer", 20 * time.Millisecond, lo, 160 * time.Millisecond, hi},
		{"daemon slower than the cap", 100 * time.Millisecond, lo, hi, hi},
		{"confirm_min = confirm: fixed", 0, hi, hi, hi},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := nscatest.NewServer(t, nscatest.Options{Password: "pw", Method: nsca.MethodXOR, InitDelay: tc.initDelay})
			c, err := nsca.New(srv.Addr, nsca.Config{Password: "pw", Method: nsca.MethodXOR, ConfirmWait: hi, ConfirmMin: tc.cfgMin})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if w := c.ConfirmWait(); w != hi {
				t.Errorf("ConfirmWait before any connection = %v, want the cap %v", w, hi)
			}
			if err := c.SendCheck(context.Background(), "web01", "svc", 0, "x"); err != nil {
				t.Fatal(err)
			}
			w := c.ConfirmWait()
			if w < tc.wantMin || w > tc.wantMax {
				t.Errorf("ConfirmWait = %v, want %v to %v", w, tc.wantMin, tc.wantMax)
			}
			if err := c.Confirm(context.Background()); err != nil {
				t.Fatalf("Confirm: %v", err)
			}
			if w := c.ConfirmWait(); w != 0 {
				t.Errorf("ConfirmWait on the proven connection = %v, want 0", w)
			}
		})
	}
}

// TestConfirmCatchesSlowDaemonsDrop: a daemon that took 20 ms for the
// handshake and takes 60 ms to close after a bad packet (well past the
// 25 ms minimum) is still caught: the wait grew with the handshake.
func TestConfirmCatchesSlowDaemonsDrop(t *testing.T) {
	srv := nscatest.NewServer(t, nscatest.Options{Password: "right", Method: nsca.MethodXOR,
		InitDelay: 20 * time.Millisecond, CloseDelay: 60 * time.Millisecond})
	c, err := nsca.New(srv.Addr, nsca.Config{Password: "wrong", Method: nsca.MethodXOR})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SendCheck(context.Background(), "web01", "svc", 2, "x"); err != nil {
		t.Fatal(err)
	}
	if err := c.Confirm(context.Background()); !errors.Is(err, nsca.ErrRejected) {
		t.Fatalf("Confirm = %v, want ErrRejected", err)
	}
}
