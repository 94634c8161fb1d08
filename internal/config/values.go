package config

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ossec-nagios/ossec-nagios/nagioscfg"
)

// HostFields are the placeholders of a [hosts] template: the agent name
// (for manager-local events the host before "->"), its IP, its Wazuh id,
// and the host part of the alert's location.
var HostFields = []string{"agent", "agent_ip", "agent_id", "location_host"}

// OutputFields are the placeholders of [output] template, besides
// {field.NAME} (a decoded field of the alert, e.g. {field.url}).
var OutputFields = []string{
	"id", "rule_id", "level", "description", "groups", "state",
	"host", "service", "agent", "agent_id", "agent_ip", "location",
	"srcip", "srcport", "dstip", "dstport", "user", "time",
}

// FieldPrefix introduces a decoded-field placeholder in an output template.
const FieldPrefix = "field."

func isHostField(name string) bool { return contains(HostFields, name) }

func isOutputField(name string) bool {
	if rest, ok := strings.CutPrefix(name, FieldPrefix); ok {
		return rest != ""
	}
	return contains(OutputFields, name)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortStrings(s []string) { sort.Strings(s) }

// checkTemplate checks the syntax of a template: {name} placeholders that
// known accepts, "{{" and "}}" for literal braces.
func checkTemplate(t string, known func(string) bool) error {
	if !utf8.ValidString(t) {
		return invalidf("template is not valid UTF-8")
	}
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case '{':
			if i+1 < len(t) && t[i+1] == '{' {
				i++
				continue
			}
			end := strings.IndexByte(t[i:], '}')
			if end < 0 {
				return invalidf("template %q: unclosed {", t)
			}
			name := t[i+1 : i+end]
			if !known(name) {
				return invalidf("template %q: unknown placeholder {%s}", t, printable(name))
			}
			i += end
		case '}':
			if i+1 < len(t) && t[i+1] == '}' {
				i++
				continue
			}
			return invalidf("template %q: } without { (write }} for a literal brace)", t)
		}
	}
	return nil
}

// CheckName refuses a host or service name that NSCA or the Nagios command
// file would not deliver unchanged: empty, longer than max bytes, invalid
// UTF-8, a control character (newline, CR, NUL, ...), ';' (the command
// file's field separator), or leading or trailing space. kind is "host" or
// "service", for the message.
func CheckName(name, kind string, max int) error {
	if name == "" {
		return invalidf("empty %s name", kind)
	}
	if len(name) > max {
		return invalidf("%s name %q is %d bytes, more than the %d NSCA delivers", kind, name, len(name), max)
	}
	return checkNameChars(name, kind)
}

// checkNameChars is CheckName without the length check.
func checkNameChars(name, kind string) error {
	if !utf8.ValidString(name) {
		return invalidf("%s name %q is not valid UTF-8", kind, name)
	}
	if strings.TrimSpace(name) != name {
		return invalidf("%s name %q has leading or trailing space", kind, name)
	}
	for _, r := range name {
		if r == ';' {
			return invalidf("%s name %q holds ';': the command file would read it as a field separator", kind, name)
		}
		if unicode.IsControl(r) {
			return invalidf("%s name %q holds the control character %U", kind, name, r)
		}
		if r == utf8.RuneError {
			return invalidf("%s name %q holds U+FFFD", kind, name)
		}
		if unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
			return invalidf("%s name %q holds the invisible format or separator character %U", kind, name, r)
		}
	}
	return nil
}

func isGlob(s string) bool { return strings.ContainsAny(s, `*?[\`) }

// checkGlob refuses a pattern path.Match cannot use.
func checkGlob(p string) error {
	if _, err := path.Match(p, ""); err != nil {
		return invalidf("bad glob %q: %v", p, err)
	}
	return nil
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "yes", "true", "on", "1":
		return true, nil
	case "no", "false", "off", "0":
		return false, nil
	}
	return false, invalidf("%q is not a boolean (want yes or no)", v)
}

func boolKey(dst *bool) keyFunc {
	return func(v string) error {
		b, err := parseBool(v)
		if err != nil {
			return err
		}
		*dst = b
		return nil
	}
}

// parseDuration accepts Go durations ("10s", "1m30s") and bare numbers of
// seconds, as send_nsca's -to takes them.
func parseDuration(v string) (time.Duration, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 || n > 1<<31 {
			return 0, invalidf("%q is out of range", v)
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, invalidf("%q is not a duration (e.g. 10s, 5m, 1h)", v)
	}
	return d, nil
}

// durationKey parses a duration, a whole multiple of unit, positive when
// positive is set and otherwise 0 or more.
func durationKey(dst *time.Duration, unit time.Duration, positive bool) keyFunc {
	return func(v string) error {
		d, err := parseDuration(v)
		if err != nil {
			return err
		}
		switch {
		case positive && d <= 0:
			return invalidf("%q must be more than 0", v)
		case d < 0:
			return invalidf("%q must not be negative", v)
		case d%unit != 0:
			return invalidf("%q is not a whole number of %s", v, unitName(unit))
		}
		*dst = d
		return nil
	}
}

func unitName(u time.Duration) string {
	switch u {
	case time.Minute:
		return "minutes"
	case time.Second:
		return "seconds"
	}
	return "milliseconds"
}

func intKey(dst *int, min, max int) keyFunc {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return invalidf("%q is not a number", v)
		}
		if n < min || n > max {
			return invalidf("%d is out of range %d to %d", n, min, max)
		}
		*dst = n
		return nil
	}
}

// splitList splits a comma-separated list, trimming spaces; a trailing
// comma is allowed, an empty item in the middle is not.
func splitList(v string) ([]string, error) {
	parts := strings.Split(v, ",")
	if len(parts) > 1 && strings.TrimSpace(parts[len(parts)-1]) == "" {
		parts = parts[:len(parts)-1]
	}
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			return nil, invalidf("empty item in list %q", v)
		}
		out = append(out, p)
	}
	return out, nil
}

// ParseRanges parses "550-554, 594": numbers and inclusive ranges within
// min..max.
func ParseRanges(v string, min, max int) ([]Range, error) {
	items, err := splitList(v)
	if err != nil {
		return nil, err
	}
	rs := make([]Range, 0, len(items))
	for _, it := range items {
		lo, hi, isRange := strings.Cut(it, "-")
		a, err1 := strconv.Atoi(strings.TrimSpace(lo))
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(strings.TrimSpace(hi))
		}
		if err1 != nil || err2 != nil || strings.HasPrefix(strings.TrimSpace(lo), "+") || strings.HasPrefix(strings.TrimSpace(hi), "+") {
			return nil, invalidf("bad range %q (want N or N-M)", it)
		}
		if a > b {
			return nil, invalidf("bad range %q: %d is above %d", it, a, b)
		}
		if a < min || b > max {
			return nil, invalidf("bad range %q: out of %d to %d", it, min, max)
		}
		rs = append(rs, Range{Min: a, Max: b})
	}
	return rs, nil
}

func rangesKey(dst *[]Range, min, max int) keyFunc {
	return func(v string) error {
		rs, err := ParseRanges(v, min, max)
		if err != nil {
			return err
		}
		*dst = rs
		return nil
	}
}

func groupsKey(dst *[]string) keyFunc {
	return func(v string) error {
		gs, err := splitList(v)
		if err != nil {
			return err
		}
		for _, g := range gs {
			if !utf8.ValidString(g) || strings.ContainsFunc(g, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
				return invalidf("bad group %q", g)
			}
		}
		*dst = gs
		return nil
	}
}

// pathKey takes an absolute path.
func pathKey(dst *string) keyFunc {
	return func(v string) error {
		if !filepath.IsAbs(v) {
			return invalidf("%q is not an absolute path", v)
		}
		if strings.ContainsFunc(v, unicode.IsControl) {
			return invalidf("%q holds a control character", v)
		}
		*dst = filepath.Clean(v)
		return nil
	}
}

// textKey takes one line of text.
func textKey(dst *string) keyFunc {
	return func(v string) error {
		if !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) {
			return invalidf("%q holds a control character or invalid UTF-8", v)
		}
		*dst = v
		return nil
	}
}

func nameKey(dst *string, kind string, max int) keyFunc {
	return func(v string) error {
		if err := CheckName(v, kind, max); err != nil {
			return err
		}
		*dst = v
		return nil
	}
}

// objectNameKey takes a Nagios object name the generator can write.
func objectNameKey(dst *string) keyFunc {
	return func(v string) error {
		if err := nagioscfg.ValidateName(v, 0); err != nil {
			return invalid{msg: fmt.Sprintf("%q: %v", v, err), err: err}
		}
		*dst = v
		return nil
	}
}

// ossecNameKey takes what OSSEC takes as a command or file name.
func ossecNameKey(dst *string) keyFunc {
	return func(v string) error {
		if v == "" || len(v) > 128 {
			return invalidf("%q: want 1 to 128 bytes", v)
		}
		for i := 0; i < len(v); i++ {
			b := v[i]
			if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '_' || b == '-') {
				return invalidf("%q holds %q (allowed: letters, digits, . _ -)", v, rune(b))
			}
		}
		*dst = v
		return nil
	}
}

// parseServers parses "host[:port], ..." into "host:port" addresses.
func parseServers(v string, dst *[]string) error {
	items, err := splitList(v)
	if err != nil {
		return err
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		host, port := it, strconv.Itoa(DefaultNSCAPort)
		switch {
		case strings.HasPrefix(it, "["):
			end := strings.IndexByte(it, ']')
			if end < 0 {
				return invalidf("bad address %q: unclosed [", it)
			}
			host = it[1:end]
			if rest := it[end+1:]; rest != "" {
				p, ok := strings.CutPrefix(rest, ":")
				if !ok {
					return invalidf("bad address %q", it)
				}
				port = p
			}
		case strings.Count(it, ":") == 1:
			host, port, _ = strings.Cut(it, ":")
		}
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return invalidf("bad port in %q (want 1 to 65535)", it)
		}
		if host == "" || strings.ContainsFunc(host, func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("/[]@", r)
		}) {
			return invalidf("bad host in %q", it)
		}
		out = append(out, net.JoinHostPort(host, strconv.Itoa(n)))
	}
	*dst = out
	return nil
}

// parseIcingaURL takes the API's base URL: https, a host, no credentials.
func parseIcingaURL(v string, dst *string) error {
	u, err := url.Parse(v)
	if err != nil {
		return invalidf("bad URL %q", v)
	}
	switch {
	case u.Scheme != "https":
		return invalidf("%q: want an https:// URL (the Icinga 2 API speaks only TLS)", v)
	case u.Host == "":
		return invalidf("%q: no host", v)
	case u.User != nil:
		return invalidf("the URL holds credentials: use user and password")
	case u.RawQuery != "" || u.Fragment != "":
		return invalidf("%q: want no query or fragment", v)
	case u.Path != "" && u.Path != "/":
		return invalidf("%q: want the base URL, e.g. https://icinga.example.com:5665", v)
	}
	u.Path = ""
	*dst = u.String()
	return nil
}

// nagiosSettingKeys are the keys of NagiosSettings in [nagios].
func nagiosSettingKeys(s *NagiosSettings) map[string]keyFunc {
	return map[string]keyFunc{
		"contact_groups":        objectListKey(&s.ContactGroups),
		"contacts":              objectListKey(&s.Contacts),
		"user_groups":           objectListKey(&s.UserGroups),
		"users":                 objectListKey(&s.Users),
		"notification_period":   objectNameKey(&s.NotificationPeriod),
		"notification_interval": durationKey(&s.NotificationInterval, time.Minute, false),
		"notification_options":  notificationOptionsKey(&s.NotificationOptions),
		"quiet_period":          durationKey(&s.QuietPeriod, time.Second, false),
		"is_volatile":           boolKey(&s.Volatile),
	}
}

// nagiosOverrides holds the NagiosSettings keys a [service] section set.
type nagiosOverrides struct {
	set map[string]bool
	s   NagiosSettings
}

func nagiosOverrideKeys(o *nagiosOverrides) map[string]keyFunc {
	o.set = map[string]bool{}
	keys := nagiosSettingKeys(&o.s)
	for k, fn := range keys {
		keys[k] = func(v string) error {
			if err := fn(v); err != nil {
				return err
			}
			o.set[k] = true
			return nil
		}
	}
	return keys
}

// apply returns base with the overridden settings replaced.
func (o nagiosOverrides) apply(base NagiosSettings) NagiosSettings {
	r := base
	r.ContactGroups = append([]string(nil), base.ContactGroups...)
	r.Contacts = append([]string(nil), base.Contacts...)
	r.UserGroups = append([]string(nil), base.UserGroups...)
	r.Users = append([]string(nil), base.Users...)
	if o.set["user_groups"] {
		r.UserGroups = o.s.UserGroups
	}
	if o.set["users"] {
		r.Users = o.s.Users
	}
	if o.set["contact_groups"] {
		r.ContactGroups = o.s.ContactGroups
	}
	if o.set["contacts"] {
		r.Contacts = o.s.Contacts
	}
	if o.set["notification_period"] {
		r.NotificationPeriod = o.s.NotificationPeriod
	}
	if o.set["notification_interval"] {
		r.NotificationInterval = o.s.NotificationInterval
	}
	if o.set["notification_options"] {
		r.NotificationOptions = o.s.NotificationOptions
	}
	if o.set["quiet_period"] {
		r.QuietPeriod = o.s.QuietPeriod
	}
	if o.set["is_volatile"] {
		r.Volatile = o.s.Volatile
	}
	return r
}

// objectListKey takes a list of Nagios object names; an empty value is an
// empty list (in a [service]: notify nobody but the host's contacts).
func objectListKey(dst *[]string) keyFunc {
	return func(v string) error {
		if strings.TrimSpace(v) == "" {
			*dst = []string{}
			return nil
		}
		items, err := splitList(v)
		if err != nil {
			return err
		}
		for _, it := range items {
			var s string
			if err := objectNameKey(&s)(it); err != nil {
				return err
			}
		}
		*dst = items
		return nil
	}
}

// notificationOptionsKey takes Nagios service notification letters.
func notificationOptionsKey(dst *string) keyFunc {
	return func(v string) error {
		items, err := splitList(v)
		if err != nil {
			return err
		}
		for _, it := range items {
			if len(it) != 1 || !strings.Contains("wucrfsn", it) {
				return invalidf("notification option %q in %q: want letters of w,u,c,r,f,s or n", it, v)
			}
			if it == "n" && len(items) > 1 {
				return invalidf("%q: n (none) mixed with other letters", v)
			}
		}
		*dst = strings.Join(items, ",")
		return nil
	}
}

func quote(s string) string { return strconv.Quote(s) }
