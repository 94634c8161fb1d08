// Package config owns the mapping INI, <OSSEC>/etc/ossec-nagios.ini: its
// schema, its defaults and its strict validation. It is the only importer of
// go-ini. Load is pure: it reads, fills defaults and validates every field,
// refusing unknown sections and keys, and names the file, section and key in
// every error, as in
//
//	ossec-nagios.ini: [nsca] encryption: unknown method "3dez"
//
// The result is plain data for the others: cmd/ossec-nagios builds the
// bridge mapping, the transports and the generator input from it. Paths left
// empty mean "under <OSSEC>", which only the caller knows; this package does
// not touch the file system except in LoadFile. It asks package nsca to
// validate the cipher names; it knows nothing of alerts, Nagios objects or
// how a Result is built.
//
// The documented example of every key is contrib/ossec-nagios.ini.
package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ossec-nagios/ossec-nagios/nsca"
)

// Name limits of the NSCA data packet (host_name[64], svc_description[128],
// NUL-terminated): NSCA cuts longer names, and the cut result never reaches
// the intended object.
const (
	MaxHostLen    = 63
	MaxServiceLen = 127
)

// Output sizes of the NSCA data packet (plugin_output[4096] or, in legacy
// 2.7 mode, [512], NUL-terminated).
const (
	MaxOutputLen       = 4095
	MaxOutputLenLegacy = 511
)

// Defaults of the keys that have one.
const (
	DefaultNSCAPort       = 5667
	DefaultNSCATimeout    = 5 * time.Second
	DefaultWarning        = 7
	DefaultCritical       = 12
	DefaultHostTemplate   = "{agent}"
	DefaultDeadline       = 300 * time.Millisecond
	DefaultRecoveryAfter  = 10 * time.Minute
	DefaultSpoolResults   = 10000
	DefaultLogLevel       = "info"
	DefaultIcinga2Timeout = 10 * time.Second
	DefaultQuietPeriod    = time.Hour
	DefaultHeartbeatSvc   = "OSSEC bridge"
	DefaultHeartbeat      = time.Minute
	DefaultHeartbeatStale = 10 * time.Minute
	// DefaultFloodWindow is Alertmanager's group_interval: the first
	// result of a (host, service) pages at once, the rest of a burst
	// becomes one summary per window.
	DefaultFloodWindow = 5 * time.Minute
	// The groups a stock install pages: Debian's nagios4 sample
	// objects/contacts.cfg defines the contact group admins (contact
	// nagiosadmin), Icinga 2's conf.d/users.conf the user group
	// icingaadmins (user icingaadmin).
	DefaultContactGroup = "admins"
	DefaultUserGroup    = "icingaadmins"
)

// Transports a [delivery] transport may name.
const (
	TransportNSCA    = "nsca"
	TransportIcinga2 = "icinga2"
)

// Follow-mode input formats.
const (
	FormatAuto = "auto"
	FormatLog  = "log"
	FormatJSON = "json"
)

// Config is the whole mapping INI after defaults and validation. Every
// empty path means "the default under <OSSEC>", filled in by the caller.
type Config struct {
	// File is the name Load was given, used in error messages.
	File string

	NSCA     NSCA
	Delivery Delivery
	Icinga2  Icinga2
	Alerts   Alerts
	States   States
	Hosts    Hosts
	// Services in file order: the first that matches an alert wins.
	Services []Service
	Output   Output
	AR       AR
	Spool    Spool
	Log      Log
	Nagios   Nagios
	Flood    Flood
	Follow   Follow
	// Heartbeat is the bridge's own liveness result (flush and follow send
	// it; the generator defines the freshness-checked service it feeds).
	Heartbeat Heartbeat
}

// NSCA is the [nsca] section: the NSCA transport.
type NSCA struct {
	// Servers are "host:port" addresses tried in order (failover); the
	// port defaults to 5667. At least one unless the transport is icinga2.
	Servers    []string
	Password   string
	Encryption nsca.Method // the default is send_nsca's: 1 (XOR)
	Timeout    time.Duration
	// Legacy27 selects the 720-byte packet of NSCA 2.7 (511-byte output).
	Legacy27 bool
	// Confirm is the longest a delivery waits after its last packet for
	// the daemon to close the connection, which it does when it drops a
	// packet (wrong password, encryption method or packet size): the
	// evidence of delivery. 0 means the client's default (150 ms).
	Confirm time.Duration
	// ConfirmMin is the shortest such wait; between the two, the wait is
	// 8 times the connection's handshake. 0 means the client's default
	// (25 ms); ConfirmMin >= Confirm makes every wait Confirm.
	ConfirmMin time.Duration
	// ShortPackets is "auto" (the default: on for the costly ciphers,
	// every method but none and XOR), "yes" or "no": whether a batch of
	// results, once the daemon proved it decodes this client's packets,
	// goes one per connection in the small 720-byte packet where it fits
	// (nsca.Config.Short).
	ShortPackets string
}

// Short reports whether [nsca] short_packets is on for this
// encryption method.
func (n NSCA) Short() bool {
	switch n.ShortPackets {
	case "yes":
		return true
	case "no":
		return false
	}
	return n.Encryption.Costly()
}

// OutputLimit is the longest plugin output the packet carries.
func (n NSCA) OutputLimit() int {
	if n.Legacy27 {
		return MaxOutputLenLegacy
	}
	return MaxOutputLen
}

// Delivery is the [delivery] section.
type Delivery struct {
	Transport string // TransportNSCA (default) or TransportIcinga2
}

// Icinga2 is the [icinga2] section: the Icinga 2 REST API transport.
type Icinga2 struct {
	URL string // https://host:5665 (the first of URLs)
	// URLs are the endpoints tried in order for every result, as [nsca]
	// server: the two endpoints of an HA master zone, or a satellite then
	// the master.
	URLs     []string
	User     string
	Password string
	CAFile   string // empty: the system roots
	Timeout  time.Duration
}

// Alerts is the [alerts] section.
type Alerts struct {
	Log  string // alerts.log; "" means <OSSEC>/logs/alerts/alerts.log
	JSON string // alerts.json; "" means <OSSEC>/logs/alerts/alerts.json
}

// States is the [states] section: rule levels to Nagios states.
type States struct {
	Warning  int // level >= Warning: WARNING; below: OK
	Critical int // level >= Critical: CRITICAL
	// WarningSeverity and CriticalSeverity are the thresholds for Wazuh 5
	// level keywords, written after the number: "warning = 7 | medium".
	// Empty: the keyword whose band holds the number (migration guide:
	// 1-3 informational, 4-6 low, 7-9 medium, 10-13 high, 14-16 critical).
	WarningSeverity, CriticalSeverity string
	// SendOK sends the OK results of alerts below Warning. Off (the
	// default), they are not sent: they would clear a problem another
	// alert raised on the same service. A [service] may override it.
	SendOK bool
}

// Hosts is the [hosts] section.
type Hosts struct {
	// Default is the host template for agents no rule names: "{agent}".
	Default string
	// Fallback, if set, is the literal host for alerts whose template
	// gives no usable name (an empty agent name, or one NSCA would cut).
	// Empty: such an alert is a mapping error.
	Fallback string
	// Rules are the exact agent names (file order) followed by the globs
	// (file order).
	Rules []HostRule
}

// HostRule maps agent names to a host (a literal or a template).
type HostRule struct {
	Match string // an agent name, or a path.Match glob when Glob
	Glob  bool
	Host  string
}

// Range is an inclusive range of numbers: "550-554" or "594".
type Range struct{ Min, Max int }

// Contains reports whether n is in r.
func (r Range) Contains(n int) bool { return n >= r.Min && n <= r.Max }

// Service is one [service "NAME"] section. All given criteria must match;
// within a criterion any listed value matches. No criteria: a catch-all.
type Service struct {
	Name     string
	Groups   []string // any of these rule groups
	Rules    []Range  // any of these rule ids
	RuleUIDs []string // any of these Wazuh 5 rule ids (UUIDs, lower case)
	Levels   []Range  // any of these rule levels
	Location string   // path.Match glob against the alert's location
	// Nagios is [nagios] with this section's overrides applied.
	Nagios NagiosSettings
	// Flood is the flood window of this service ([flood] window unless
	// overridden); 0 is off.
	Flood time.Duration
	// SendOK is [states] send_ok unless overridden.
	SendOK bool
}

// CatchAll reports whether s has no criteria.
func (s Service) CatchAll() bool {
	return len(s.Groups) == 0 && len(s.Rules) == 0 && len(s.RuleUIDs) == 0 && len(s.Levels) == 0 && s.Location == ""
}

// Output is the [output] section.
type Output struct {
	// LongOutput sends the log lines on lines of their own (needs nsca
	// >= 2.10.1, which escapes the newlines); off, they are flattened
	// into the first line.
	LongOutput bool
	// Template, if set, replaces the first line ({field} placeholders,
	// see OutputFields).
	Template string
	// IncludeLog appends the alert's log lines after the first line.
	IncludeLog bool
	// MaxLength bounds the output in bytes: the packet's output size
	// unless set lower.
	MaxLength int
}

// AR is the [ar] section: the active-response path and the ossec.conf
// blocks the generator writes for it.
type AR struct {
	// Recovery: an AR "delete" (the timeout expired) sends OK
	// "recovered" for the same host and service.
	Recovery bool
	// RecoveryAfter is the <timeout> of the <active-response> block when
	// Recovery is on.
	RecoveryAfter time.Duration
	// CheckKeys answers Wazuh's check_keys handshake (stateful AR).
	CheckKeys bool
	// Deadline bounds one whole active-response process, from start to
	// exit, whatever the network does (execd runs no other response
	// meanwhile): what is not delivered by then is spooled and left to
	// the detached background flusher.
	Deadline time.Duration
	// Level and Rules select the alerts that make OSSEC run the bridge
	// (generator): level >= Level, or any of Rules.
	Level            int
	Rules            []Range
	Command          string // <command><name>; "" means the generator's default
	Executable       string
	Integration      bool // integratord's <integration> block is the active way in
	IntegrationName  string
	IntegrationLevel int
}

// Spool is the [spool] section.
type Spool struct {
	Dir        string // "" means <OSSEC>/var/ossec-nagios/spool
	MaxAge     time.Duration
	MaxResults int // negative: no limit
	LockWait   time.Duration
}

// Log is the [log] section.
type Log struct {
	File  string // "" means <OSSEC>/logs/active-responses.log
	Level string // debug, info, warning, error
}

// NagiosSettings route and shape the notifications of one service
// (the generator's input; see package nagioscfg).
type NagiosSettings struct {
	ContactGroups []string // Nagios; default DefaultContactGroup
	Contacts      []string // Nagios
	// UserGroups and Users are the Icinga 2 equivalents (gen icinga2);
	// UserGroups defaults to DefaultUserGroup.
	UserGroups           []string
	Users                []string
	NotificationPeriod   string // "" means 24x7
	NotificationInterval time.Duration
	NotificationOptions  string // "" means w,u,c
	QuietPeriod          time.Duration
	Volatile             bool
}

// Nagios is the [nagios] section: the generator's defaults and names.
// Empty names take the generator's defaults.
type Nagios struct {
	Settings            NagiosSettings
	ServiceTemplate     string
	HostTemplate        string
	ResetCommand        string
	CheckDummy          string
	CheckPeriod         string
	NotificationCommand string // Icinga 2
	NotificationName    string // Icinga 2
}

// Flood is the [flood] section.
type Flood struct {
	Window    time.Duration // default DefaultFloodWindow; 0: off (per-service overrides still apply)
	StateFile string        // "" means <OSSEC>/var/ossec-nagios/flood.state
}

// Follow is the [follow] section.
type Follow struct {
	Format    string // FormatAuto, FormatLog or FormatJSON
	StateFile string // the cursor; "" means <OSSEC>/var/ossec-nagios/follow.cursor
	// Enabled says follow mode runs as a service: only then does `check`
	// judge its status file (a `follow -once` by hand leaves one behind).
	Enabled   bool
	MinLevel  int
	Rules     []Range
	Groups    []string
	BatchSize int
}

// Heartbeat is the [heartbeat] section (the old [follow] heartbeat,
// heartbeat_host and heartbeat_service keys set the same fields). flush
// and follow send an OK result to Host / Service at most every Interval;
// Nagios, through the generated freshness-checked passive service, goes
// CRITICAL when none arrived for StaleAfter.
type Heartbeat struct {
	Interval time.Duration // 0: no heartbeat is sent or generated
	// Host is the Nagios host of the heartbeat service; "" means the
	// [hosts] fallback, else this machine's short host name (filled in by
	// the caller, like the paths).
	Host       string
	Service    string
	StaleAfter time.Duration // the generated freshness threshold
}

// Sentinel errors; every *Error wraps one of them.
var (
	ErrSyntax         = errors.New("syntax error")
	ErrUnknownSection = errors.New("unknown section")
	ErrUnknownKey     = errors.New("unknown key")
	ErrDuplicate      = errors.New("duplicate")
	ErrInvalid        = errors.New("invalid value")
	ErrMissing        = errors.New("missing value")
)

// Error is a configuration error at a file, section and key.
type Error struct {
	File    string
	Line    int    // 1-based line of the file, 0 when not known
	Section string // as written between brackets, "" for the file itself
	Key     string
	Err     error
}

func (e *Error) Error() string {
	sec, key := printable(e.Section), printable(e.Key)
	file := e.File
	if e.Line > 0 {
		file += ":" + strconv.Itoa(e.Line)
	}
	switch {
	case e.Section == "":
		return file + ": " + e.Err.Error()
	case e.Key == "":
		return file + ": [" + sec + "]: " + e.Err.Error()
	}
	return file + ": [" + sec + "] " + key + ": " + e.Err.Error()
}

// printable escapes a section or key name that holds a control character
// or invalid UTF-8, so that an error stays one line of text.
func printable(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

func (e *Error) Unwrap() error { return e.Err }

// invalid is an ErrInvalid with a message that does not repeat "invalid
// value"; it unwraps to its cause, if any.
type invalid struct {
	msg string
	err error
}

func (i invalid) Error() string        { return i.msg }
func (i invalid) Is(target error) bool { return target == ErrInvalid }
func (i invalid) Unwrap() error        { return i.err }

func invalidf(format string, a ...any) error { return invalid{msg: fmt.Sprintf(format, a...)} }
