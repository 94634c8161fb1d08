package nagioscfg

import (
	"slices"
	"strings"
	"testing"
)

func TestParseObjects(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		hosts    []string
		services []ServiceKey
		groups   int
		err      string
	}{
		{
			name: "objects.cache style, tabs",
			in: "define host {\n\thost_name\tweb01\n\talias\tweb01\n\t}\n\n" +
				"define service {\n\thost_name\tweb01\n\tservice_description\tOSSEC SSH\n\tcheck_command\tcheck_dummy!0\n\t}\n",
			hosts:    []string{"web01"},
			services: []ServiceKey{{"web01", "OSSEC SSH"}},
		},
		{
			name: "comments, templates, host lists and exclusions",
			in: `# a comment
; another
define service{
    name                 ossec-passive-service   ; a template
    service_description  never
    register             0
}
define service {
    use                  ossec-passive-service
    host_name            web01, db01,!mail01 ; inline comment
    service_description  OSSEC integrity
}
define service {
    hostgroup_name       linux
    service_description  OSSEC
}
define command {
    command_name  x
    command_line  /bin/echo a\;b
}
`,
			services: []ServiceKey{{"db01", "OSSEC integrity"}, {"web01", "OSSEC integrity"}},
			groups:   1,
		},
		{name: "one-line block", in: "define host { }\n"},
		{name: "text outside a block", in: "host_name web01\n", err: `objects line 1: "host_name web01" outside a define block`},
		{name: "not closed", in: "define host {\n host_name a\n", err: "the host block opened at line 1 is not closed"},
		{name: "nested", in: "define host {\ndefine service {\n}\n", err: "objects line 2: define inside the host block opened at line 1"},
		{name: "no brace", in: "define host\n", err: `want "define TYPE {"`},
		{name: "definer is not define", in: "defined host {\n}\n", err: "outside a define block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ParseObjects(strings.NewReader(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var hosts []string
			for h := range o.Hosts {
				hosts = append(hosts, h)
			}
			slices.Sort(hosts)
			if !slices.Equal(hosts, tt.hosts) {
				t.Errorf("hosts %q, want %q", hosts, tt.hosts)
			}
			var svcs []ServiceKey
			for k := range o.Services {
				svcs = append(svcs, k)
			}
			slices.SortFunc(svcs, func(a, b ServiceKey) int { return strings.Compare(a.Host+"\x00"+a.Service, b.Host+"\x00"+b.Service) })
			if !slices.Equal(svcs, tt.services) {
				t.Errorf("services %q, want %q", svcs, tt.services)
			}
			if o.Hostgroups != tt.groups {
				t.Errorf("hostgroup services %d, want %d", o.Hostgroups, tt.groups)
			}
		})
	}
}

// The generated golden files parse and hold what their Config asked for.
func TestParseObjectsGolden(t *testing.T) {
	out, err := Nagios(Config{Defaults: security, Services: []Service{{Host: "web01", Name: "OSSEC SSH", Settings: security}, {Host: "web01", Name: "OSSEC", Settings: security}}})
	if err != nil {
		t.Fatal(err)
	}
	o, err := ParseObjects(strings.NewReader(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Services) != 2 || !o.HasService("web01", "OSSEC SSH") || !o.HasService("web01", "OSSEC") {
		t.Errorf("services %v", o.Services)
	}
}

func FuzzParseObjects(f *testing.F) {
	f.Add("define host {\n host_name a\n}\n")
	f.Add("define service {\n host_name a,b,!c\n service_description x ; c\n register 1\n}\n")
	f.Add("# c\n; c\ndefine command{\n command_line a\\;b\n}\n")
	f.Add("define host { }\n")
	f.Fuzz(func(t *testing.T, in string) {
		o, err := ParseObjects(strings.NewReader(in))
		if err != nil {
			return
		}
		for k := range o.Services {
			if k.Service == "" || k.Host == "" || strings.HasPrefix(k.Host, "!") {
				t.Fatalf("service key %q from %q", k, in)
			}
		}
	})
}
