package main

import (
	"path/filepath"
)

// defaultOSSECRoot is used when the binary does not live inside an OSSEC
// tree (e.g. run by hand from bin/).
const defaultOSSECRoot = "/var/ossec"

// ossecRoot returns <OSSEC>, found like OSSEC's own scripts do: from the
// executable's real path, not argv[0] (integratord sets argv[0] to the word
// "integrations"). <OSSEC>/active-response/bin/ossec-nagios and
// <OSSEC>/integrations/custom-* both name their root; OSSEC_NAGIOS_ROOT
// overrides.
func (e *env) ossecRoot() string {
	if r := e.getenv("OSSEC_NAGIOS_ROOT"); r != "" {
		return r
	}
	exe, err := e.executable()
	if err != nil {
		return defaultOSSECRoot
	}
	dir := filepath.Dir(exe)
	switch {
	case filepath.Base(dir) == "bin" && filepath.Base(filepath.Dir(dir)) == "active-response":
		return filepath.Dir(filepath.Dir(dir))
	case filepath.Base(dir) == "integrations":
		return filepath.Dir(dir)
	}
	return defaultOSSECRoot
}

// configPath returns the mapping INI to use: -config wins, then
// OSSEC_NAGIOS_CONFIG, then <OSSEC>/etc/ossec-nagios.ini.
func (e *env) configPath(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if p := e.getenv("OSSEC_NAGIOS_CONFIG"); p != "" {
		return p
	}
	return filepath.Join(e.ossecRoot(), "etc", "ossec-nagios.ini")
}
