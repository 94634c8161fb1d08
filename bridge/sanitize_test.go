package bridge

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ossec-nagios/ossec-nagios/bridge/alert"
)

func utf8Valid(s string) bool { return utf8.ValidString(s) }

func TestSanitizeOutput(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		max       int
		multiline bool
		want      string
	}{
		{"plain", "Failed password for root", 0, false, "Failed password for root"},
		{"forged command, flattened", "x\n[1700000000] RESTART_PROGRAM", 0, false, "x [1700000000] RESTART_PROGRAM"},
		{"forged command, multiline keeps LF only", "x\r\n[1700000000] RESTART_PROGRAM\rY", 0, true, "x\n[1700000000] RESTART_PROGRAM\nY"},
		{"pipe", "a|b=1;2;3", 0, false, "a\u2502b=1;2;3"},
		{"semicolon stays in output", "a;b", 0, false, "a;b"},
		{"nul", "a\x00b", 0, false, "a\ufffdb"},
		{"tab", "a\tb", 0, false, "a b"},
		{"escape", "\x1b[2Jx", 0, false, "\ufffd[2Jx"},
		{"del and c1", "a\x7fb\u0080c", 0, false, "a\ufffdb\ufffdc"},
		{"nel and line separators", "a\u0085b\u2028c\u2029d", 0, true, "a\nb\nc\nd"},
		{"bidi override", "abc\u202etxt.exe", 0, false, "abc\ufffdtxt.exe"},
		{"invalid utf8", "a\xffb\xc3", 0, false, "a\ufffdb\ufffd"},
		{"trailing newlines dropped", "a\n\n", 0, true, "a"},
		{"no empty lines", "\n\na\n\r\n\nb", 0, true, "a\nb"},
		{"cut with ellipsis", "abcdefghij", 8, false, "abcde\u2026"},
		{"cut never splits a rune", "aé" + strings.Repeat("é", 10), 8, false, "aéé\u2026"},
		{"max smaller than the ellipsis", "abcdef", 2, false, "ab"},
		{"exactly at max", "abcdefgh", 8, false, "abcdefgh"},
		{"multi-byte at 4095", strings.Repeat("a", 4094) + "€", MaxOutputLen, false, strings.Repeat("a", 4092) + "\u2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SanitizeOutput(tt.in, tt.max, tt.multiline)
			if got != tt.want {
				t.Errorf("SanitizeOutput(%.40q)\n got: %.100q\nwant: %.100q", tt.in, got, tt.want)
			}
			max := tt.max
			if max == 0 {
				max = len(got)
			}
			checkOutput(t, got, max, tt.multiline)
		})
	}
}

func TestTruncateUTF8(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"short", "abc", 5, "abc"},
		{"no limit", "abc", 0, "abc"},
		{"ascii", "abcdef", 3, "abc"},
		{"before a 2-byte rune", "ab\u00e9", 3, "ab"},
		{"after a 2-byte rune", "ab\u00e9", 4, "ab\u00e9"},
		{"inside a 4-byte rune", "a\U0001F600b", 3, "a"},
		{"invalid bytes are cut byte-wise", "\xff\xff\xff", 2, "\xff\xff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TruncateUTF8(tt.in, tt.max); got != tt.want {
				t.Errorf("TruncateUTF8(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

func TestValidateNames(t *testing.T) {
	tests := []struct {
		name    string
		host    string
		service string
		want    string // "" means valid
	}{
		{"ok", "web01.example.com", "OSSEC SSH", ""},
		{"utf8 ok", "serveur-été", "Sécurité", ""},
		{"semicolon host", "web01;OSSEC;2;forged", "OSSEC", `name not deliverable: host name "web01;OSSEC;2;forged" holds ';'`},
		{"semicolon service", "web01", "OSSEC;x", `name not deliverable: service name "OSSEC;x" holds ';'`},
		{"newline", "web01\n[1] RESTART_PROGRAM", "OSSEC", `name not deliverable: host name "web01\n[1] RESTART_PROGRAM" holds the control character U+000A`},
		{"nul", "web\x0001", "OSSEC", `name not deliverable: host name "web\x0001" holds the control character U+0000`},
		{"empty", "", "OSSEC", "name not deliverable: empty host name"},
		{"host too long", strings.Repeat("h", 64), "OSSEC", `name not deliverable: host name "` + strings.Repeat("h", 64) + `" is 64 bytes, more than the 63 NSCA delivers`},
		{"service too long", "web01", strings.Repeat("s", 128), `name not deliverable: service name "` + strings.Repeat("s", 80) + `"... is 128 bytes, more than the 127 NSCA delivers`},
		{"utf8 host over 63 bytes", strings.Repeat("é", 32), "OSSEC", `name not deliverable: host name "` + strings.Repeat("é", 32) + `" is 64 bytes, more than the 63 NSCA delivers`},
		{"invalid utf8", "web\xff", "OSSEC", `name not deliverable: host name "web\xff" is not valid UTF-8`},
		{"trailing space", "web01 ", "OSSEC", `name not deliverable: host name "web01 " has leading or trailing space`},
		{"replacement character", "\ufffd", "OSSEC", "name not deliverable: host name \"\ufffd\" holds U+FFFD (it was not valid UTF-8)"},
		{"line separator host", "web01\u2028evil", "OSSEC", `name not deliverable: host name "web01\u2028evil" holds the invisible format or separator character U+2028`},
		{"paragraph separator service", "web01", "OSSEC\u2029x", `name not deliverable: service name "OSSEC\u2029x" holds the invisible format or separator character U+2029`},
		{"right-to-left override host", "web\u202e10", "OSSEC", `name not deliverable: host name "web\u202e10" holds the invisible format or separator character U+202E`},
		{"bidi isolate service", "web01", "OSSEC\u2066SSH", `name not deliverable: service name "OSSEC\u2066SSH" holds the invisible format or separator character U+2066`},
		{"zero width space host", "web\u200b01", "OSSEC", `name not deliverable: host name "web\u200b01" holds the invisible format or separator character U+200B`},
		{"byte order mark host", "\ufeffweb01", "OSSEC", `name not deliverable: host name "\ufeffweb01" holds the invisible format or separator character U+FEFF`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := errors.Join(ValidateHost(tt.host), ValidateService(tt.service))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || err.Error() != tt.want || !errors.Is(err, ErrBadName) {
				t.Errorf("error\n got: %v\nwant: %s", err, tt.want)
			}
		})
	}
}

func TestTemplates(t *testing.T) {
	tests := []struct {
		name, tmpl, want string
	}{
		{"plain", "abc", "abc"},
		{"placeholder", "{agent}.example.com", "web01.example.com"},
		{"literal braces", "{{{agent}}}", "{web01}"},
		{"value is not re-expanded", "{location_host}", "{agent}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := expand(tt.tmpl, func(f string) string {
				if f == "agent" {
					return "web01"
				}
				return "{agent}"
			})
			if got != tt.want {
				t.Errorf("expand(%q) = %q, want %q", tt.tmpl, got, tt.want)
			}
		})
	}
}

// FuzzSanitizeOutput: whatever the input, the output has no forbidden byte,
// is valid UTF-8 and fits.
func FuzzSanitizeOutput(f *testing.F) {
	seeds := []string{
		"x\n[1700000000] RESTART_PROGRAM", "a|b", "a\x00b", "\xff\xfe", "é€😀", "\r\n\r", "\u2028\u202e\x1b",
		strings.Repeat("é", 3000),
	}
	for _, s := range seeds {
		for _, max := range []int{0, 3, 511, 4095} {
			f.Add(s, max, max%2 == 0)
		}
	}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, s string, max int, multiline bool) {
		if max < 0 || max > 1<<16 {
			max = MaxOutputLen
		}
		out := SanitizeOutput(s, max, multiline)
		limit := max
		if limit == 0 {
			limit = len(out)
		}
		checkOutput(t, out, limit, multiline)
	})
}

// FuzzMap: whatever the alert, Map gives either an error or a Result with
// deliverable names and a safe output that fits the packet.
func FuzzMap(f *testing.F) {
	type seed struct {
		agent, loc, desc, log, src, user, id string
		rule, level                          int
		resolved, long                       bool
	}
	seeds := []seed{
		{"web01", "(web01) 10.0.0.5->/var/log/secure", "SSHD brute force", "Failed password", "1.2.3.4", "root", "1.2", 5712, 10, true, false},
		{"db1", "/var/log/apache2/x", "d|x", "a\n[1700000000] RESTART_PROGRAM", "1;2", "u\x00", "1.2\n", 551, 13, true, true},
		{"x;y", "", "", "", "", "", "", 0, 0, false, false},
		{strings.Repeat("a", 70), "\xff", "\xff", strings.Repeat("é", 5000), "", "", "9", 1, 16, true, true},
		{"app-1", "h->/var/log/apache2/a", "{agent}", "{{", "(none)", "-", "1.1", 31101, 3, true, false},
	}
	for _, s := range seeds {
		f.Add(s.agent, s.loc, s.desc, s.log, s.src, s.user, s.id, s.rule, s.level, s.resolved, s.long)
	}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, agent, loc, desc, log, src, user, id string, rule, level int, resolved, long bool) {
		m := testMapping()
		m.Output.LongOutput = long
		if level%3 == 0 {
			m.Output.MaxLength = MaxOutputLenLegacy
		}
		if rule%2 == 0 {
			m.Hosts.Fallback = "ossec-manager"
		}
		if rule%5 == 0 {
			m.Output.Template = "{state} {description} {agent} {field.x} {user}"
		}
		a := alert.Alert{
			ID: id, Rule: alert.Rule{ID: rule, Level: level, Description: desc, Groups: []string{desc}},
			Agent: alert.Agent{Name: agent}, Location: loc, SrcIP: src, User: user,
			FullLog: strings.Split(log, "\n"), Fields: map[string]string{"x": log}, Resolved: resolved,
		}
		r, err := m.Map(a)
		if err != nil {
			if !errors.Is(err, ErrBadName) && !errors.Is(err, ErrNoService) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			if strings.ContainsAny(err.Error(), "\n\r\x00") {
				t.Errorf("error is not one clean line: %q", err)
			}
			return
		}
		if err := ValidateHost(r.Host); err != nil {
			t.Errorf("host: %v", err)
		}
		if err := ValidateService(r.Service); err != nil {
			t.Errorf("service: %v", err)
		}
		checkOutput(t, r.Output, m.Output.MaxLength, long)
		if r.State < OK || r.State > Unknown {
			t.Errorf("state %d", r.State)
		}
		if strings.ContainsFunc(r.AlertID, func(r rune) bool { return r < 0x21 || r > 0x7e }) || len(r.AlertID) > 64 {
			t.Errorf("alert id %q", r.AlertID)
		}
	})
}
