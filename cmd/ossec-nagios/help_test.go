package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// helpEnv is an env whose OSSEC root is an empty temp dir, so that no help
// depends on (or touches) a real installation.
func helpEnv(t *testing.T) (*env, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	root := t.TempDir()
	var out, errb bytes.Buffer
	e := &env{
		argv0:  "ossec-nagios",
		stdin:  strings.NewReader(""),
		stdout: &out,
		stderr: &errb,
		getenv: func(k string) string {
			switch k {
			case "OSSEC_NAGIOS_ROOT":
				return root
			case "OSSEC_NAGIOS_CONFIG":
				return root + "/none.ini"
			}
			return ""
		},
		executable: func() (string, error) { return "", errors.New("none") },
	}
	return e, &out, &errb
}

// TestSubcommandHelp: every subcommand answers -h with its usage and at
// least one example, and exits with its help code (0, but send keeps
// send_nsca's 3 and check, a Nagios plugin, answers UNKNOWN).
func TestSubcommandHelp(t *testing.T) {
	tests := []struct {
		args  []string
		code  int
		usage string // the usage line names the subcommand
	}{
		{[]string{"send", "-h"}, sendUnknown, "ossec-nagios send"},
		{[]string{"resolve", "-h"}, exitOK, "ossec-nagios resolve"},
		{[]string{"gen", "-h"}, exitOK, "ossec-nagios gen"},
		{[]string{"gen", "nagios", "-h"}, exitOK, "ossec-nagios gen"},
		{[]string{"follow", "-h"}, exitOK, "ossec-nagios follow"},
		{[]string{"flush", "-h"}, exitOK, "ossec-nagios flush"},
		{[]string{"check", "-h"}, exitUnknown, "ossec-nagios check"},
		{[]string{"check-config", "-h"}, exitOK, "ossec-nagios check-config"},
		{[]string{"-check-config", "-h"}, exitOK, "ossec-nagios check-config"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			e, out, errb := helpEnv(t)
			code := e.dispatch(context.Background(), append([]string{"ossec-nagios"}, tc.args...))
			text := out.String() + errb.String()
			if code != tc.code {
				t.Errorf("exit %d, want %d; output:\n%s", code, tc.code, text)
			}
			if !strings.Contains(text, tc.usage) {
				t.Errorf("help does not name %q:\n%s", tc.usage, text)
			}
			if !strings.Contains(strings.ToLower(text), "example") {
				t.Errorf("help has no Examples section:\n%s", text)
			}
			if strings.Contains(text, "error:") {
				t.Errorf("help printed an error:\n%s", text)
			}
		})
	}
}

// TestTopLevelHelp: -h lists every subcommand and has examples; every
// spelling of help works.
func TestTopLevelHelp(t *testing.T) {
	for _, arg := range []string{"-h", "-help", "--help", "help"} {
		t.Run(arg, func(t *testing.T) {
			e, out, errb := helpEnv(t)
			if code := e.dispatch(context.Background(), []string{"ossec-nagios", arg}); code != exitOK {
				t.Fatalf("exit %d, want 0; stderr %q", code, errb.String())
			}
			text := out.String()
			for _, sc := range subcommands() {
				if !strings.Contains(text, "\n  "+sc.name+" ") {
					t.Errorf("help does not list %s:\n%s", sc.name, text)
				}
			}
			for _, want := range []string{"usage:", "subcommands:", "Examples:", "add|delete", "custom-nagios", "-version"} {
				if !strings.Contains(text, want) {
					t.Errorf("help lacks %q:\n%s", want, text)
				}
			}
		})
	}
}

// TestVersionHasCommit: -version prints the version and the commit (set
// by the Makefile's -ldflags; "unknown" in a test binary without one).
func TestVersionHasCommit(t *testing.T) {
	saved := [2]string{version, commit}
	t.Cleanup(func() { version, commit = saved[0], saved[1] })
	version, commit = "v1.2.3", "0123456789abcdef0123"
	for _, arg := range []string{"-version", "--version", "version"} {
		e, out, _ := helpEnv(t)
		if code := e.dispatch(context.Background(), []string{"ossec-nagios", arg}); code != exitOK {
			t.Fatalf("%s: exit %d", arg, code)
		}
		if got, want := out.String(), "ossec-nagios v1.2.3 (commit 0123456789ab)\n"; got != want {
			t.Errorf("%s: got %q, want %q", arg, got, want)
		}
	}
	commit = ""
	if got := versionLine(); !strings.HasPrefix(got, "ossec-nagios v1.2.3 (commit ") {
		t.Errorf("without -X main.commit: %q", got)
	}
}
