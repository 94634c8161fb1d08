package icinga_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/icinga"
	"github.com/ossec-nagios/ossec-nagios/internal/lab"
)

// TestHAFailover is [icinga2] url with two endpoints (the two masters of
// an HA zone) as the binary wires it: a bridge.Failover over one Client
// per URL. Two real icinga2 API listeners; the first is stopped half-way.
// Every result must land exactly once: on the first endpoint before the
// stop, on the second after it, none lost, none on both. (The two lab
// daemons are not a zone and do not replicate, which is what makes
// "exactly once" visible.)
func TestHAFailover(t *testing.T) {
	const n = 20
	svcs := make([]string, n)
	for i := range svcs {
		svcs[i] = fmt.Sprintf("ossec-%02d", i)
	}
	objs := lab.IcingaOptions{Objects: []string{lab.IcingaPassiveObjects("web01", svcs...)}}
	first := lab.StartIcinga(t, objs)
	second := lab.StartIcinga(t, objs)
	clients := []*icinga.Client{newClient(t, first, nil), newClient(t, second, nil)}
	f := &bridge.Failover{Rounds: 1, Senders: []bridge.Sender{clients[0], clients[1]}, Names: []string{first.URL, second.URL}}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	send := func(i int) {
		t.Helper()
		if err := f.SendCheck(ctx, "web01", svcs[i], 2, fmt.Sprintf("result %d", i)); err != nil {
			t.Fatalf("result %d: %v", i, err)
		}
	}
	for i := 0; i < n/2; i++ {
		send(i)
	}
	onFirst := first.Services(t)
	first.Stop(t)
	for i := n / 2; i < n; i++ {
		send(i)
	}
	onSecond := second.Services(t)

	for i, svc := range svcs {
		want := fmt.Sprintf("result %d", i)
		a, b := onFirst["web01!"+svc], onSecond["web01!"+svc]
		gotA := a.HasResult && a.Output == want
		gotB := b.HasResult && b.Output == want
		switch {
		case gotA && gotB:
			t.Errorf("%s: result %d on both endpoints", svc, i)
		case !gotA && !gotB:
			t.Errorf("%s: result %d lost (first %+v, second %+v)", svc, i, a, b)
		case i < n/2 && !gotA:
			t.Errorf("%s: result %d went to the second endpoint while the first was up", svc, i)
		case i >= n/2 && !gotB:
			t.Errorf("%s: result %d not on the second endpoint after the first stopped", svc, i)
		}
	}
}
