package config

import (
	"fmt"
	"strings"

	"github.com/ossec-nagios/ossec-nagios/nagioscfg"
)

// Lint returns warnings about a valid configuration that probably does not
// do what its author meant: no catch-all service (alerts no section
// matches are not sent), services that can never match because a
// catch-all comes before them, [hosts] rules a "*" glob shadows, and names
// the Nagios and Icinga 2 generator would refuse.
func (c *Config) Lint() []string {
	var w []string
	catchAll := ""
	for _, s := range c.Services {
		if catchAll != "" {
			w = append(w, fmt.Sprintf("[service %q] can never match: [service %q] before it has no criteria and takes every alert", s.Name, catchAll))
			continue
		}
		if s.CatchAll() {
			catchAll = s.Name
		}
	}
	if catchAll == "" {
		if len(c.Services) == 0 {
			w = append(w, `no [service] section: no alert can be sent (add [service "OSSEC"] with no criteria)`)
		} else {
			w = append(w, `no catch-all [service] (one with no criteria, last): alerts that no section matches are not sent`)
		}
	}
	star := ""
	for _, r := range c.Hosts.Rules {
		if star != "" && r.Glob {
			w = append(w, fmt.Sprintf("[hosts] %s can never match: the glob %s before it matches every agent", r.Match, star))
		}
		if r.Glob && strings.Trim(r.Match, "*") == "" && star == "" {
			star = r.Match
		}
	}
	for _, r := range append([]HostRule{{Host: c.Hosts.Default}, {Host: c.Hosts.Fallback}}, c.Hosts.Rules...) {
		if r.Host == "" || strings.ContainsAny(r.Host, "{}") {
			continue
		}
		if err := nagioscfg.ValidateName(r.Host, MaxHostLen); err != nil {
			w = append(w, fmt.Sprintf("[hosts] host %q: gen will refuse it: %v", r.Host, err))
		}
	}
	for _, s := range c.Services {
		if err := nagioscfg.ValidateName(s.Name, MaxServiceLen); err != nil {
			w = append(w, fmt.Sprintf("[service %q]: gen will refuse the name: %v", s.Name, err))
		}
	}
	return w
}
