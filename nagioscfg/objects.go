package nagioscfg

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Objects is what a Nagios object file defines, as far as the bridge cares:
// the hosts and the (host, service) pairs a passive result can land on.
type Objects struct {
	Hosts    map[string]bool
	Services map[ServiceKey]bool
	// Hostgroups counts service definitions naming a hostgroup_name, which
	// ParseObjects does not expand (Nagios' objects.cache has them
	// expanded: read that file instead).
	Hostgroups int
}

// ServiceKey names one service of one host.
type ServiceKey struct{ Host, Service string }

// HasService reports whether host has a service named service.
func (o *Objects) HasService(host, service string) bool {
	return o.Services[ServiceKey{host, service}]
}

// maxObjectLine bounds one line of an object file.
const maxObjectLine = 1 << 20

// ParseObjects reads Nagios object definitions: a generated file, a
// hand-written one, or the objects cache Nagios writes at start
// (object_cache_file, e.g. /var/lib/nagios4/objects.cache) where every
// object is resolved. Templates (register 0) are skipped, host_name lists
// are split at commas and "!host" exclusions ignored. Comments start with
// '#' or ';' (an inline ';' too, unless escaped as "\;"). It does not follow
// cfg_file or cfg_dir.
func ParseObjects(r io.Reader) (*Objects, error) {
	o := &Objects{Hosts: map[string]bool{}, Services: map[ServiceKey]bool{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxObjectLine)
	var (
		typ   string // the open definition's type, "" outside one
		start int
		attrs map[string]string
	)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(stripComment(sc.Text()))
		if line == "" {
			continue
		}
		if typ == "" {
			rest, ok := strings.CutPrefix(line, "define")
			if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t' && rest[0] != '{') {
				return nil, fmt.Errorf("objects line %d: %q outside a define block", n, short(line))
			}
			rest = strings.TrimSpace(rest)
			name, brace, ok := strings.Cut(rest, "{")
			name = strings.TrimSpace(name)
			if !ok || name == "" || strings.TrimSpace(brace) != "" && strings.TrimSpace(brace) != "}" {
				return nil, fmt.Errorf("objects line %d: want \"define TYPE {\", got %q", n, short(line))
			}
			typ, start, attrs = name, n, map[string]string{}
			if strings.TrimSpace(brace) == "}" {
				o.add(typ, attrs)
				typ = ""
			}
			continue
		}
		if line == "}" {
			o.add(typ, attrs)
			typ = ""
			continue
		}
		if strings.HasPrefix(line, "define") && strings.HasSuffix(line, "{") {
			return nil, fmt.Errorf("objects line %d: define inside the %s block opened at line %d", n, typ, start)
		}
		key, value, _ := strings.Cut(line, " ")
		if k, v, ok := strings.Cut(line, "\t"); ok && len(k) < len(key) {
			key, value = k, v
		}
		attrs[key] = strings.TrimSpace(value)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("objects line %d: %w", n+1, err)
	}
	if typ != "" {
		return nil, fmt.Errorf("objects: the %s block opened at line %d is not closed", typ, start)
	}
	return o, nil
}

func (o *Objects) add(typ string, attrs map[string]string) {
	if attrs["register"] == "0" {
		return
	}
	switch typ {
	case "host":
		if h := attrs["host_name"]; h != "" {
			o.Hosts[h] = true
		}
	case "service":
		svc := attrs["service_description"]
		if svc == "" {
			return
		}
		if attrs["hostgroup_name"] != "" || attrs["hostgroups"] != "" {
			o.Hostgroups++
		}
		for _, h := range strings.Split(attrs["host_name"], ",") {
			h = strings.TrimSpace(h)
			if h == "" || strings.HasPrefix(h, "!") {
				continue
			}
			o.Services[ServiceKey{h, svc}] = true
		}
	}
}

// stripComment removes a '#' or ';' comment line and an inline ';'
// comment; "\;" stays as ';'.
func stripComment(s string) string {
	t := strings.TrimLeft(s, " \t")
	if strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";") {
		return ""
	}
	if !strings.Contains(s, ";") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == ';':
			b.WriteByte(';')
			i++
		case s[i] == ';':
			return b.String()
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func short(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}
