package nagioscfg

import (
	"bytes"
	"encoding/xml"
	"testing"
)

// FuzzEscapeText: the ossec.conf generator's XML escaping writes what
// encoding/xml's EscapeText writes, for any text (it replaces it only to
// keep encoding/xml's initialisation out of every process).
func FuzzEscapeText(f *testing.F) {
	for _, s := range []string{"", "plain", `a<b>&"c"'d'`, "tab\tnl\ncr\r", "nul\x00bell\x07", "bad \xff\xfe utf8", "\uFFFD", "\uFFFE\uFFFF", "\U0001F600 ünï", "\xed\xa0\x80 surrogate"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got, want bytes.Buffer
		escapeText(&got, s)
		if err := xml.EscapeText(&want, []byte(s)); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("escapeText(%q) = %q, encoding/xml gives %q", s, got.String(), want.String())
		}
	})
}
