package alert

import "strings"

// Where is what a location line says about the source of an event.
type Where struct {
	// Host is the host before "->" for manager-local events
	// ("myhost->/var/log/messages"), empty otherwise.
	Host string
	// Agent is the agent name of "(agent) ip->file", or the monitored host of
	// an agentless "(script) user@host->..." location.
	Agent string
	// IP is the agent's IP ("any" is dropped), or the agentless host when it
	// is an address.
	IP string
	// Location is the location as OSSEC prints it after the optional
	// "host->" prefix.
	Location string
	// Source is the part after the first "->" ("/var/log/secure",
	// "syscheck", a command), or the whole location when there is none.
	Source string
	// Agentless holds the script and user of an agentless location.
	AgentlessScript string
	AgentlessUser   string
}

// ParseLocation splits the text after the date on an alerts.log date line,
// or an active response's location argument. It splits only on the first
// ") " and the first "->": the part after "->" may hold spaces, quotes,
// pipes, parentheses and "->" itself (command monitoring).
func ParseLocation(s string) Where {
	var w Where
	if strings.HasPrefix(s, "(") {
		w.Location = s
		end := strings.Index(s, ") ")
		if end < 0 {
			w.Source = s
			return w
		}
		name := s[1:end]
		rest := s[end+2:]
		arrow := strings.Index(rest, "->")
		if arrow < 0 {
			w.Agent = name
			w.Source = rest
			return w
		}
		addr := rest[:arrow]
		w.Source = rest[arrow+2:]
		if at := strings.LastIndexByte(addr, '@'); at >= 0 {
			// Agentless: "(ssh_integrity_check_linux) admin@10.0.0.5->...".
			w.AgentlessScript = name
			w.AgentlessUser = addr[:at]
			w.Agent = addr[at+1:]
			if looksLikeIP(w.Agent) {
				w.IP = w.Agent
			}
			return w
		}
		w.Agent = name
		if addr != "any" {
			w.IP = addr
		}
		return w
	}
	if arrow := strings.Index(s, "->"); arrow > 0 && validHost(s[:arrow]) {
		w.Host = s[:arrow]
		w.Location = s[arrow+2:]
		if inner := ParseLocation(w.Location); inner.Agent != "" {
			// "(agent) ip->file" never carries a host prefix in OSSEC, but be
			// tolerant of one.
			inner.Host = w.Host
			return inner
		}
		w.Source = w.Location
		return w
	}
	w.Location = s
	w.Source = s
	return w
}

// validHost accepts what can be a hostname before "->": no spaces, no path.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.', c == '-', c == '_', c == ':':
		default:
			return false
		}
	}
	return true
}

func looksLikeIP(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '.' || c == ':' || c == '/') {
			return false
		}
	}
	return strings.ContainsAny(s, ".:")
}
