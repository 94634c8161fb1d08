package agents

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   []Agent
		format Format
	}{
		{
			name: "client.keys",
			in: "001 web01 192.0.2.10 0f5bcd2e9b1a4c7d8e\n" +
				"002 db-02.example.com any 7a6b\r\n" +
				"003 #*#*#*#*#*#*#*#*#*#*# 192.0.2.12 removed-by-ossec\n" +
				"004 !old-agent 192.0.2.13 removed-by-wazuh\n" +
				"# a comment\n" +
				" 005 indented 192.0.2.14 skipped-like-ossec\n" +
				"\n" +
				"006 vpn:gw_1 10.0.0.0/24 k e y with spaces\n" +
				"007 web01 192.0.2.99 duplicate-name\n",
			want: []Agent{
				{ID: "001", Name: "web01", IP: "192.0.2.10"},
				{ID: "002", Name: "db-02.example.com", IP: "any"},
				{ID: "006", Name: "vpn:gw_1", IP: "10.0.0.0/24"},
			},
			format: FormatClientKeys,
		},
		{
			name:   "client.keys starting with a removed agent",
			in:     "001 #*#*#*#*#*#*#*#*#*#*#\n002 web01 any key\n",
			want:   []Agent{{ID: "002", Name: "web01", IP: "any"}},
			format: FormatClientKeys,
		},
		{
			name:   "plain list",
			in:     "# agents\nweb01\n  db-02  # the database\n\nweb01\nmail.example.com\n",
			want:   []Agent{{Name: "web01"}, {Name: "db-02"}, {Name: "mail.example.com"}},
			format: FormatList,
		},
		{name: "empty", in: "", format: FormatEmpty},
		{name: "comments only", in: "# nothing\n\n", format: FormatEmpty},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, format, err := Read(strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) || format != tc.format {
				t.Errorf("got %+v (%s), want %+v (%s)", got, format, tc.want, tc.format)
			}
		})
	}
}

func TestReadRefuses(t *testing.T) {
	tests := []struct {
		name, in, message string
	}{
		{name: "short keys line", in: "001 web01 any key\n002 web02 any\n", message: "line 2 (client.keys): want ID NAME IP KEY"},
		{name: "id not a number", in: "abc web01 any key\n", message: `agent id "abc"`},
		{name: "semicolon in name", in: "001 web;01 any key\n", message: `agent name "web;01"`},
		{name: "list with two words", in: "web01\nweb 02\n", message: "line 2 (agent list): want one agent name per line"},
		{name: "list name with bad byte", in: "web|01\n", message: `holds '|'`},
		{name: "name too long", in: strings.Repeat("a", 129) + "\n", message: "1 to 128 bytes"},
		{name: "line too long", in: "web01\n" + strings.Repeat("a", 70000) + "\n", message: "line 2: longer than 64 KiB"},
		{name: "control byte in ip", in: "001 web01 1.2.3.4\x01 key\n", message: "not printable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := Read(strings.NewReader(tc.in))
			if err == nil {
				t.Fatalf("accepted: %+v", got)
			}
			if !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), tc.message) {
				t.Errorf("error %q: want ErrSyntax holding %q", err, tc.message)
			}
		})
	}
}

func TestReadFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "client.keys")
	if err := os.WriteFile(p, []byte("001 web01 any key\n002 web;02 any key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadFile(p); err == nil || !strings.Contains(err.Error(), p+": ") || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("error %v does not name the file and line", err)
	}
	if _, _, err := ReadFile(filepath.Join(t.TempDir(), "missing")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestAddress(t *testing.T) {
	tests := []struct{ ip, want string }{
		{"192.0.2.10", "192.0.2.10"},
		{"any", ""},
		{"10.0.0.0/24", ""},
		{"10.0.0.7/32", "10.0.0.7"},
		{"2001:db8::1", "2001:db8::1"},
		{"2001:db8::1/128", "2001:db8::1"},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.ip, func(t *testing.T) {
			if got := (Agent{IP: tc.ip}).Address(); got != tc.want {
				t.Errorf("Address() = %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	seeds := []string{
		"001 web01 192.0.2.10 key\n002 !gone any key\n003 #*#* any key\n",
		"web01\n# comment\ndb-02 # trailing\n",
		" 001 x y z\n",
		"001 web;01 any key\n",
		"\r\n\r\n001 a b c\r\n",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, format, err := Read(strings.NewReader(in))
		if err != nil {
			if got != nil || !errors.Is(err, ErrSyntax) {
				t.Fatalf("error %v with agents %+v", err, got)
			}
			return
		}
		seen := map[string]bool{}
		for _, a := range got {
			if validName(a.Name) != nil || seen[a.Name] {
				t.Fatalf("returned invalid or repeated name %q", a.Name)
			}
			seen[a.Name] = true
			if (format == FormatList) != (a.ID == "") {
				t.Fatalf("format %s with agent %+v", format, a)
			}
		}
		if len(got) > 0 && format == FormatEmpty {
			t.Fatalf("agents from an empty file")
		}
	})
}
