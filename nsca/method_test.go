package nsca

import (
	"errors"
	"strings"
	"testing"
)

func TestParseMethod(t *testing.T) {
	tests := []struct {
		in   string
		want Method
		err  error
	}{
		{"0", MethodNone, nil}, {"none", MethodNone, nil}, {"NONE", MethodNone, nil},
		{"1", MethodXOR, nil}, {"xor", MethodXOR, nil},
		{"3", Method3DES, nil}, {" 3 ", Method3DES, nil}, {"3des", Method3DES, nil}, {"tripledes", Method3DES, nil}, {"3DES", Method3DES, nil},
		{"cast-128", MethodCAST128, nil}, {"CAST128", MethodCAST128, nil}, {"cast5", MethodCAST128, nil},
		{"rijndael-256", MethodRijndael256, nil}, {"RIJNDAEL256", MethodRijndael256, nil}, {"rijndael_128", MethodRijndael128, nil},
		{"blowfish", MethodBlowfish, nil}, {"twofish", MethodTwofish, nil}, {"xtea", MethodXTEA, nil}, {"des", MethodDES, nil},
		{"safer+", MethodSAFERPlus, nil}, {"saferplus", MethodSAFERPlus, nil}, {"gost", MethodGOST, nil}, {"26", MethodSAFERPlus, nil},
		{"threeway", Method3WAY, nil}, {"3way", Method3WAY, nil}, {"arcfour", MethodARCFOUR, nil},
		{"27", 0, ErrUnknownMethod}, {"-1", 0, ErrUnknownMethod}, {"", 0, ErrUnknownMethod}, {"aes", 0, ErrUnknownMethod}, {"rot13", 0, ErrUnknownMethod},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseMethod(tc.in)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseMethod(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestMethodTable(t *testing.T) {
	accepted := map[Method]bool{0: true, 1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 8: true, 9: true, 10: true, 11: true, 14: true, 15: true, 16: true, 20: true, 23: true, 26: true}
	if len(Methods()) != 27 {
		t.Fatalf("%d methods, want 27", len(Methods()))
	}
	for _, m := range Methods() {
		t.Run(m.String(), func(t *testing.T) {
			if m.DaemonAccepts() != accepted[m] {
				t.Fatalf("DaemonAccepts = %v", m.DaemonAccepts())
			}
			err := m.Validate()
			switch {
			case !accepted[m]:
				if !errors.Is(err, ErrUnsupportedMethod) || !strings.Contains(err.Error(), m.String()) {
					t.Fatalf("Validate = %v, want ErrUnsupportedMethod naming %s", err, m)
				}
			case err != nil:
				if !errors.Is(err, ErrNotImplemented) || !strings.Contains(err.Error(), m.McryptName()) {
					t.Fatalf("Validate = %v, want nil or ErrNotImplemented naming %s", err, m.McryptName())
				}
			case m > MethodXOR:
				b, err := m.newBlock([]byte("pw"))
				if err != nil || b.BlockSize() != m.BlockSize() {
					t.Fatalf("newBlock: %v", err)
				}
			}
			if n, err := ParseMethod(m.String()); err != nil || n != m {
				t.Fatalf("ParseMethod(String()) = %v, %v", n, err)
			}
			if n, err := ParseMethod(m.McryptName()); err != nil || n != m {
				t.Fatalf("ParseMethod(McryptName()) = %v, %v", n, err)
			}
		})
	}
	if err := Method(27).Validate(); !errors.Is(err, ErrUnknownMethod) {
		t.Errorf("Validate(27) = %v", err)
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"short", "abc", 5, "abc"},
		{"exact", "abcde", 5, "abcde"},
		{"ascii", "abcdef", 5, "abcde"},
		{"utf8 boundary", "abcdé", 5, "abcd"},
		{"utf8 whole", "abcé", 5, "abcé"},
		{"4 byte rune", "ab😀", 5, "ab"},
		{"nul", "ab\x00cd", 5, "ab"},
		{"invalid utf8", "\x80\x80\x80\x80\x80\x80", 5, "\x80\x80\x80\x80\x80"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Truncate(tc.in, tc.max); got != tc.want {
				t.Errorf("Truncate(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
			}
		})
	}
}
