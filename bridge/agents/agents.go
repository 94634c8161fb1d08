// Package agents reads the list of OSSEC/Wazuh agents that the generator
// writes Nagios and Icinga objects for: either the manager's client.keys
// (`ID NAME IP KEY` lines, as OSSEC's os_crypto/shared/keys.c reads them)
// or a plain list of agent names, one per line, with # comments.
//
// It owns only the file formats; mapping an agent to a Nagios host is the
// mapping's job, and adding the manager itself is the caller's.
package agents

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
)

// MaxNameLen is the longest agent name accepted (OSSEC and Wazuh allow
// 128 bytes at most).
const MaxNameLen = 128

// ErrSyntax is wrapped by every error about the content of a file.
var ErrSyntax = errors.New("agents: syntax error")

// Agent is one registered agent.
type Agent struct {
	ID   string // client.keys id ("001"); empty for a plain list
	Name string
	IP   string // client.keys ip field as written: an IP, a CIDR or "any"; empty for a plain list
}

// Address returns the agent's IP address when client.keys pins it to one
// address (an IP, or a /32 or /128 network), else "".
func (a Agent) Address() string {
	if ip, err := netip.ParseAddr(a.IP); err == nil {
		return ip.String()
	}
	if p, err := netip.ParsePrefix(a.IP); err == nil && p.IsSingleIP() {
		return p.Addr().String()
	}
	return ""
}

// Format tells which kind of file Read found.
type Format int

const (
	// FormatEmpty: no agent line at all (only comments or blank lines).
	FormatEmpty Format = iota
	// FormatClientKeys: `ID NAME IP KEY` lines.
	FormatClientKeys
	// FormatList: one agent name per line.
	FormatList
)

func (f Format) String() string {
	switch f {
	case FormatClientKeys:
		return "client.keys"
	case FormatList:
		return "agent list"
	default:
		return "empty"
	}
}

// Read reads client.keys or a plain list of names; the first agent line
// decides which (one word: a list; more: client.keys). client.keys rules (OSSEC and Wazuh): lines starting with
// '#' or a space are skipped; fields are separated by single spaces, the
// key being the rest of the line; an agent whose name starts with '#'
// (OSSEC's manage_agents overwrites the name of a removed agent) or '!'
// (Wazuh keeps removed agents as "!name") is removed and skipped. List
// rules: blank lines and text from '#' on are ignored, one name per line.
// Names must be OSSEC agent names ([A-Za-z0-9._:-], at most 128 bytes).
// Agents come back in file order; a name seen again is dropped.
func Read(r io.Reader) ([]Agent, Format, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 64*1024)
	var (
		out    []Agent
		format = FormatEmpty
		seen   = map[string]bool{}
		n      int
	)
	for sc.Scan() {
		n++
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if format == FormatEmpty {
			if len(strings.Fields(line)) >= 2 {
				format = FormatClientKeys
			} else {
				format = FormatList
			}
		}
		var (
			a   Agent
			ok  bool
			err error
		)
		if format == FormatClientKeys {
			a, ok, err = keysLine(line)
		} else {
			a, ok, err = listLine(line)
		}
		if err != nil {
			return nil, format, fmt.Errorf("%w: line %d (%s): %v", ErrSyntax, n, format, err)
		}
		if !ok || seen[a.Name] {
			continue
		}
		seen[a.Name] = true
		out = append(out, a)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, format, fmt.Errorf("%w: line %d: longer than 64 KiB", ErrSyntax, n+1)
		}
		return nil, format, fmt.Errorf("agents: read: %w", err)
	}
	return out, format, nil
}

// ReadFile reads client.keys or a list from a file.
func ReadFile(path string) ([]Agent, Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, FormatEmpty, fmt.Errorf("agents: %w", err)
	}
	defer f.Close()
	as, format, err := Read(f)
	if err != nil {
		return nil, format, fmt.Errorf("%s: %w", path, err)
	}
	return as, format, nil
}

// keysLine parses `ID NAME IP KEY`; ok is false for a removed agent.
func keysLine(line string) (Agent, bool, error) {
	if line[0] == ' ' {
		return Agent{}, false, nil // OSSEC skips these
	}
	id, rest, ok := strings.Cut(line, " ")
	if !ok {
		return Agent{}, false, errors.New("want ID NAME IP KEY")
	}
	if rest != "" && (rest[0] == '#' || rest[0] == '!') {
		return Agent{}, false, nil // removed agent
	}
	name, rest, ok := strings.Cut(rest, " ")
	if !ok {
		return Agent{}, false, errors.New("want ID NAME IP KEY")
	}
	ip, key, ok := strings.Cut(rest, " ")
	if !ok || strings.TrimSpace(key) == "" {
		return Agent{}, false, errors.New("want ID NAME IP KEY")
	}
	if id == "" || strings.Trim(id, "0123456789") != "" {
		return Agent{}, false, fmt.Errorf("agent id %q is not a number", id)
	}
	if err := validName(name); err != nil {
		return Agent{}, false, err
	}
	if ip == "" || strings.ContainsFunc(ip, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return Agent{}, false, fmt.Errorf("agent %q: ip %q is not printable", name, ip)
	}
	return Agent{ID: id, Name: name, IP: ip}, true, nil
}

func listLine(line string) (Agent, bool, error) {
	if i := strings.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	f := strings.Fields(line)
	switch len(f) {
	case 0:
		return Agent{}, false, nil
	case 1:
		if err := validName(f[0]); err != nil {
			return Agent{}, false, err
		}
		return Agent{Name: f[0]}, true, nil
	default:
		return Agent{}, false, fmt.Errorf("want one agent name per line, got %d words", len(f))
	}
}

// validName applies OSSEC's agent name rule (addagent/validate.c).
func validName(name string) error {
	if name == "" || len(name) > MaxNameLen {
		return fmt.Errorf("agent name %q: want 1 to %d bytes", name, MaxNameLen)
	}
	for i := 0; i < len(name); i++ {
		b := name[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '_' || b == ':' || b == '-') {
			return fmt.Errorf("agent name %q: holds %q (allowed: letters, digits, . _ : -)", name, rune(b))
		}
	}
	return nil
}
