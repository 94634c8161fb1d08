// Package bridge turns alerts into Nagios passive check results: the mapping
// from an alert.Alert to a Result (host, service, state, output), the checks
// that keep host and service names deliverable, output sanitising, and the
// delivery rule that sends a Result or queues it (Delivery, over the Sender
// and Queue it declares; Failover across servers). It imports no transport
// and no queue: cmd/ossec-nagios wires NSCA or the Icinga 2 client and the
// spool in.
//
// The rest lives in sub-packages: the alert model and its parsers
// (bridge/alert), the spool that keeps results while Nagios is unreachable
// (bridge/spool), follow mode (bridge/follow), flood control
// (bridge/flood), the agent list for the generator (bridge/agents) and the
// self-check (bridge/health).
package bridge

import (
	"context"
	"strconv"
)

// State is a Nagios plugin state.
type State int

// The four Nagios states.
const (
	OK       State = 0
	Warning  State = 1
	Critical State = 2
	Unknown  State = 3
)

func (s State) String() string {
	switch s {
	case OK:
		return "OK"
	case Warning:
		return "WARNING"
	case Critical:
		return "CRITICAL"
	case Unknown:
		return "UNKNOWN"
	}
	return "STATE(" + strconv.Itoa(int(s)) + ")"
}

// Result is one passive check result, ready for a transport. Host, Service
// and Output are already sanitised.
type Result struct {
	Host    string
	Service string // empty for a host check
	State   State
	Output  string
	AlertID string // the alert it came from, for logs and de-duplication
}

// Sender delivers one passive check result. nsca.Client and the Icinga 2
// client satisfy it without knowing this package; a nil error means the
// transport accepted the whole result.
type Sender interface {
	SendCheck(ctx context.Context, host, service string, state int, output string) error
}
