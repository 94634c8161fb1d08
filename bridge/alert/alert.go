// Package alert owns the one format-neutral model of an OSSEC/Wazuh alert and
// everything that turns OSSEC's and Wazuh's hand-over formats into it:
// alerts.log and alerts.json parsers, the integratord file reader, the
// active-response argv and stdin contracts, and the resolution of an alert
// id to the exact alert. It knows nothing of Nagios, NSCA or the mapping.
package alert

import "time"

// Alert is one OSSEC or Wazuh alert, whatever format it came from.
// Every string field holds attacker-influenced text: consumers must sanitise
// before it reaches another system.
type Alert struct {
	ID   string    // "<epoch>.<n>", as in "** Alert 1790275830.2512248:"
	Time time.Time // the manager's time of the alert (local time of the header date)

	Rule Rule

	// Agent is the agent the event came from. For manager-local events Name
	// is the host before "->" in the location line.
	Agent Agent

	// Location is the location as OSSEC prints it after the optional
	// "host->" prefix: "/var/log/secure", "syscheck", "(web01) 10.0.0.1->/var/log/secure".
	Location string

	SrcIP   string
	SrcPort string
	DstIP   string
	DstPort string
	User    string // Wazuh dstuser / OSSEC "User:" line

	// FullLog holds the alert's log lines (one or more; multi-line for
	// syscheck and previous events), without trailing newlines.
	FullLog []string

	// Fields holds other decoded fields (Wazuh dynamic fields, data.* keys)
	// by name, for templates and matching.
	Fields map[string]string

	// Raw is the alert exactly as read (the alerts.log block or the JSON line).
	Raw string

	// Source says where the alert came from.
	Source Source

	// Resolved is false when the alert could not be found and only what the
	// caller passed (rule id, location, srcip) is known.
	Resolved bool

	// Truncated is true when the alert was larger than the parser's limit
	// and its tail was dropped (Raw and FullLog hold the head).
	Truncated bool
}

// Rule is the rule that fired.
type Rule struct {
	ID          int
	Level       int
	Description string
	Groups      []string
	// UID is a Wazuh 5 rule id, the UUID of a Sigma rule (wazuh.rule.id);
	// ID is 0 then. Empty for OSSEC and Wazuh 2.x-4.x.
	UID string `json:",omitempty"`
	// Severity is a Wazuh 5 rule level keyword in lower case
	// (informational, low, medium, high, critical), "" when the finding
	// has none; Level is then the highest level of the keyword's band
	// (SeverityBand), 0 when there is none.
	Severity string `json:",omitempty"`
}

// Agent identifies where the event was seen.
type Agent struct {
	ID     string // Wazuh agent id ("000" for the manager), empty when unknown
	Name   string
	IP     string
	Labels map[string]string // Wazuh agent labels
}

// Source names the input an Alert was built from.
type Source string

// The sources an Alert can come from.
const (
	SourceAlertsLog   Source = "alerts.log"
	SourceAlertsJSON  Source = "alerts.json"
	SourceARLegacy    Source = "ar-argv"
	SourceARJSON      Source = "ar-json"
	SourceIntegration Source = "integration"
	SourceARWazuh5    Source = "ar-wazuh5"
)
