package config

import (
	"errors"
	"strings"
	"testing"

	"gopkg.in/ini.v1"
)

// TestUnterminatedQuoteIsAnError guards against one missing quote
// swallowing the rest of the file: the value would read on to the next
// quote, taking the sections after it along (issue: a password holding
// "[ar]\ndeadline=0" and the services gone, check-config saying OK).
func TestUnterminatedQuoteIsAnError(t *testing.T) {
	tests := []struct {
		name, text string
		line       int    // 0: valid
		key        string // the key named in the error
	}{
		{"issue reproduction", "[nsca]\npassword=\"s3cr3t\n[ar]\ndeadline=0\n[service \"x\"]\n", 2, "password"},
		{"closed", "[nsca]\nserver=a\npassword=\"s3 ;cr3t\"\n[service \"x\"]\n", 0, ""},
		{"closed with a comment after", "[nsca]\nserver=a\npassword=\"s3cr3t\" ; the password\n[service \"x\"]\n", 0, ""},
		{"empty quotes", "[nsca]\nserver=a\npassword=\"\"\n[service \"x\"]\n", 0, ""},
		{"quote inside a plain value", "[nsca]\nserver=a\npassword=s3\"cr3t\n[service \"x\"]\n", 0, ""},
		{"crlf closed", "[nsca]\r\nserver=a\r\npassword=\"x\"\r\n[service \"x\"]\r\n", 0, ""},
		{"crlf open", "[nsca]\r\nserver=a\r\npassword=\"x\r\n[service \"x\"]\r\n", 3, "password"},
		{"triple quote open", "[nsca]\nserver=a\npassword=\"\"\"x\n\"\"\"\n[service \"x\"]\n", 3, "password"},
		{"backtick open", "[service \"x\"]\nlocation=`/var/log\n`\n", 2, "location"},
		{"space before the quote", "[nsca]\nserver=a\npassword =   \"x\n[service \"x\"]\n", 3, "password"},
		{"quoted key", "[nsca]\nserver=a\n\"password\" = \"x\n[service \"x\"]\n", 3, "password"},
		{"last line without newline", "[service \"x\"]\n[nsca]\nserver=a\npassword=\"x", 4, "password"},
		{"after a BOM", "\xef\xbb\xbf[nsca]\npassword=\"x\n", 2, "password"},
		{"comment lines are not values", "[nsca]\nserver=a\n; password=\"x\n# password=\"x\n[service \"x\"]\n", 0, ""},
		{"section line with a quote", "[service \"x\"]\n[nsca]\nserver=a\n", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tt.text), "o.ini")
			if tt.line == 0 {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			var ce *Error
			if !errors.As(err, &ce) || !errors.Is(err, ErrSyntax) {
				t.Fatalf("err = %v, want a *config.Error wrapping ErrSyntax", err)
			}
			if ce.Line != tt.line || ce.Key != tt.key {
				t.Errorf("error at line %d key %q, want line %d key %q: %v", ce.Line, ce.Key, tt.line, tt.key, err)
			}
			if !strings.HasPrefix(err.Error(), "o.ini:") || strings.Contains(err.Error(), "s3cr3t") || strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("error %q: want one line naming the file and not the value", err)
			}
		})
	}
}

// FuzzQuotes: whatever checkQuotes lets through, go-ini reads with no
// value spanning lines; what it refuses is one line naming a line of the
// input.
func FuzzQuotes(f *testing.F) {
	seeds := []string{
		"[nsca]\npassword=\"s3cr3t\n[ar]\ndeadline=0\n[service \"x\"]\n",
		"[nsca]\npassword=\"s3cr3t\"\n",
		"[nsca]\npassword=\"\"\"a\nb\"\"\"\n",
		"[s]\nk=`a\nb`\n",
		"[s]\n\"\"\"key\"\"\"=\"v\n\"\n",
		"[s]\n`k`=`v\n",
		"[s]\nk = \"\n\"\n",
		"[s]\nk=\"\"\"\n",
		"\xef\xbb\xbf[s]\nk=\"a\r\nb\"\r\n",
		"[s]\n  k  =  \"x\" ; c\n; k=\"y\n",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := checkQuotes([]byte(s), "f.ini")
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || ce.Line < 1 || ce.Line > strings.Count(s, "\n")+1 {
				t.Fatalf("error %v does not name a line of the input", err)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("error is not one line: %q", err)
			}
			return
		}
		file, err := ini.LoadSources(iniOptions, []byte(s))
		if err != nil {
			return
		}
		for _, sec := range file.Sections() {
			for _, k := range sec.Keys() {
				for _, v := range k.ValueWithShadows() {
					if strings.Contains(v, "\n") {
						t.Errorf("[%s] %s = %q spans lines", sec.Name(), k.Name(), v)
					}
				}
			}
		}
	})
}
