package nsca

import (
	"errors"
	"strings"
	"testing"
)

func TestReadSendConfig(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  SendConfig
		warns []string // substrings, one per warning, in order
		err   string   // ConfigError.Msg
		errIs error
	}{
		{name: "empty file", in: "", want: SendConfig{Method: MethodXOR}},
		{name: "debian default", in: "#password=\n#encryption_method=1\n", want: SendConfig{Method: MethodXOR}},
		{name: "plain", in: "password=secret\nencryption_method=14\n", want: SendConfig{Password: "secret", Method: MethodRijndael128}},
		{name: "no final newline", in: "password=secret", want: SendConfig{Password: "secret", Method: MethodXOR}},
		{name: "value after first equals", in: "password=a=b==\n", want: SendConfig{Password: "a=b==", Method: MethodXOR}},
		{name: "leading equals skipped", in: "==password=x\n", want: SendConfig{Password: "x", Method: MethodXOR}},
		{name: "spaces kept", in: "password = x \n", want: SendConfig{Password: " x ", Method: MethodXOR},
			warns: []string{"password starts with a space and ends with a space"}},
		{name: "crlf kept", in: "password=x\r\nencryption_method=3\r\n", want: SendConfig{Password: "x\r", Method: Method3DES},
			warns: []string{"password holds a carriage return", "encryption_method holds a carriage return"}},
		{name: "key by substring", in: "my_password_is=x\nthe_encryption_method_=2\n", want: SendConfig{Password: "x", Method: MethodDES}},
		{name: "password wins over method in one name", in: "encryption_method_password=3\n", want: SendConfig{Password: "3", Method: MethodXOR}},
		{name: "method atoi", in: "encryption_method= 8 # blowfish\n", want: SendConfig{Method: MethodBlowfish}, warns: []string{"starts with a space"}},
		{name: "method 0 is none", in: "encryption_method=0\n", want: SendConfig{Method: MethodNone}},
		{name: "method name", in: "encryption_method=tripledes\n", want: SendConfig{Method: Method3DES}},
		{name: "method nsca name", in: "encryption_method=RIJNDAEL128\n", want: SendConfig{Method: MethodRijndael128}},
		{name: "legacy yes", in: "legacy_2_7_mode=yes\n", want: SendConfig{Method: MethodXOR, Legacy: true, LegacySet: true}},
		{name: "legacy false", in: "legacy_2_7_mode=false\n", want: SendConfig{Method: MethodXOR, LegacySet: true}},
		{name: "legacy unknown ignored", in: "legacy_2_7_mode=1\n", want: SendConfig{Method: MethodXOR}, warns: []string{"neither"}},
		{name: "last one wins", in: "password=a\npassword=b\n", want: SendConfig{Password: "b", Method: MethodXOR}},
		{name: "empty value", in: "# c\npassword=\n", err: "No variable value specified in config file 'f' - Line 2"},
		{name: "no equals", in: "password\n", err: "No variable value specified in config file 'f' - Line 1"},
		{name: "only equals", in: "===\n", err: "No variable value specified in config file 'f' - Line 1"},
		{name: "only equals at eof", in: "password=x\n===", err: "No variable name specified in config file 'f' - Line 2"},
		{name: "blank line with spaces", in: "password=x\n  \n", err: "No variable value specified in config file 'f' - Line 2"},
		{name: "crlf blank line", in: "password=x\r\n\r\n", err: "No variable value specified in config file 'f' - Line 2"},
		{name: "indented comment", in: " #password=x\n", want: SendConfig{Password: "x", Method: MethodXOR}},
		{name: "unknown option", in: "server=1\n", err: "Unknown option specified in config file 'f' - Line 1"},
		{name: "password too long", in: "password=" + strings.Repeat("x", 512) + "\n", err: "Password is too long in config file 'f' - Line 1"},
		{name: "password at max", in: "password=" + strings.Repeat("x", 511) + "\n", want: SendConfig{Password: strings.Repeat("x", 511), Method: MethodXOR}},
		{name: "unused number", in: "encryption_method=13\n", err: "Invalid encryption method (13) in config file 'f' - Line 1", errIs: ErrUnsupportedMethod},
		{name: "out of range", in: "encryption_method=27\n", err: "Invalid encryption method (27) in config file 'f' - Line 1", errIs: ErrUnknownMethod},
		{name: "negative", in: "encryption_method=-1\n", err: "Invalid encryption method (-1) in config file 'f' - Line 1", errIs: ErrUnknownMethod},
		{name: "unknown name", in: "encryption_method=rot13\n", err: "Invalid encryption method (rot13) in config file 'f' - Line 1", errIs: ErrUnknownMethod},
		{name: "daemon rejects", in: "encryption_method=7\n", err: "Unusable encryption method in config file 'f' - Line 1: encryption method 7 (3WAY", errIs: ErrUnsupportedMethod},
		{name: "stream cipher", in: "encryption_method=arcfour\n", err: "Line 1: encryption method 12 (ARCFOUR", errIs: ErrUnsupportedMethod},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, warns, err := ReadSendConfig(strings.NewReader(tc.in), "f")
			if tc.err != "" {
				var ce *ConfigError
				if !errors.As(err, &ce) || !strings.Contains(ce.Msg, tc.err) {
					t.Fatalf("err = %v, want a ConfigError with %q", err, tc.err)
				}
				if tc.errIs != nil && !errors.Is(err, tc.errIs) {
					t.Fatalf("err = %v, want errors.Is %v", err, tc.errIs)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if len(warns) != len(tc.warns) {
				t.Fatalf("warnings %q, want %d", warns, len(tc.warns))
			}
			for i, w := range tc.warns {
				if !strings.Contains(warns[i], w) {
					t.Errorf("warning %q does not contain %q", warns[i], w)
				}
				if got.Password != "" && strings.Contains(warns[i], got.Password) && len(got.Password) > 2 {
					t.Errorf("warning %q shows the password", warns[i])
				}
			}
		})
	}
}

// A line longer than send_nsca's buffer is read in pieces, each counted as
// a line, as fgets does.
func TestReadSendConfigLongLine(t *testing.T) {
	in := "password=" + strings.Repeat("x", 6000) + "\n"
	_, _, err := ReadSendConfig(strings.NewReader(in), "f")
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Line != 1 || !strings.Contains(ce.Msg, "Password is too long") {
		t.Fatalf("err = %v", err)
	}
}
