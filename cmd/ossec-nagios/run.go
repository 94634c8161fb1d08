package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"
)

// Exit codes of every mode but send (which keeps send_nsca's).
const (
	exitOK      = 0
	exitFailure = 1 // runtime failure: delivery, I/O
	exitUsage   = 2 // bad arguments, bad input, bad config
)

// version and commit are set at build time with -ldflags
// "-X main.version=... -X main.commit=..."; without them the commit comes
// from the VCS stamp that go build records in a git checkout.
var (
	version = "dev"
	commit  = ""
)

// versionLine is what -version prints: the version and the commit.
func versionLine() string {
	c, modified := commit, false
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if c == "" {
					c = s.Value
				}
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if c == "" {
		return fmt.Sprintf("ossec-nagios %s (commit unknown)", version)
	}
	if len(c) > 12 {
		c = c[:12]
	}
	if modified && commit == "" {
		c += "+modified"
	}
	return fmt.Sprintf("ossec-nagios %s (commit %s)", version, c)
}

// env is what a subcommand may touch of the process: its streams, its
// environment and where the executable lives. Tests build their own.
type env struct {
	argv0  string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// executable returns the real path of the running binary (OSSEC root
	// detection); tests point it at a throw-away OSSEC tree.
	executable func() (string, error)
	// startFn returns when the process started (the active response's
	// budget counts from it); nil means when the invocation starts.
	startFn func() time.Time
}

// usageError marks an error caused by the caller's input (exit 2).
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// hintError carries a hint line printed after the error.
type hintError struct {
	err  error
	hint string
}

func (h hintError) Error() string { return h.err.Error() }
func (h hintError) Unwrap() error { return h.err }

// report prints err as one clear line (plus an optional hint) on stderr and
// returns the exit code it deserves.
func (e *env) report(err error) int {
	if err == nil {
		return exitOK
	}
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	fmt.Fprintf(e.stderr, "ossec-nagios: error: %s\n", msg)
	var h hintError
	if errors.As(err, &h) && h.hint != "" {
		fmt.Fprintf(e.stderr, "hint: %s\n", h.hint)
	}
	var u usageError
	if errors.As(err, &u) {
		return exitUsage
	}
	return exitFailure
}

type subcommand struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

func subcommands() []subcommand {
	return []subcommand{
		{"send", "send passive check results read from stdin (send_nsca drop-in)", runSend},
		{"resolve", "print the alert an id resolves to and the result it maps to", runResolve},
		{"gen", "generate Nagios / Icinga 2 objects or ossec.conf blocks", runGen},
		{"follow", "tail alerts.json / alerts.log and send every alert", runFollow},
		{"flush", "deliver spooled results", runFlush},
		{"check", "Nagios plugin: the bridge's own health", runCheck},
		{"check-config", "validate the mapping INI and exit", runCheckConfig},
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{
		stdin:      stdin,
		stdout:     stdout,
		stderr:     stderr,
		getenv:     os.Getenv,
		executable: executablePath,
		startFn:    processStart,
	}
	if len(args) > 0 {
		e.argv0 = args[0]
	}
	return e.dispatch(ctx, args)
}

func executablePath() (string, error) {
	p, err := os.Executable()
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(p)
}

func (e *env) dispatch(ctx context.Context, args []string) int {
	var rest []string
	if len(args) > 1 {
		rest = args[1:]
	}
	// How OSSEC runs us decides the mode (DESIGN.md, "The binary's contract").
	base := filepath.Base(e.argv0)
	if base == "integrations" || strings.HasPrefix(base, "custom-") {
		return runIntegration(ctx, e, rest)
	}
	if len(rest) == 0 {
		return runARJSON(ctx, e)
	}
	switch rest[0] {
	case "add", "delete":
		return runARLegacy(ctx, e, rest)
	case "-version", "--version", "version":
		fmt.Fprintln(e.stdout, versionLine())
		return exitOK
	case "-h", "-help", "--help", "help":
		e.usage(e.stdout)
		return exitOK
	case "-check-config", "--check-config":
		return runCheckConfig(ctx, e, rest[1:])
	}
	for _, sc := range subcommands() {
		if sc.name == rest[0] {
			return sc.run(ctx, e, rest[1:])
		}
	}
	fmt.Fprintf(e.stderr, "ossec-nagios: error: unknown subcommand %q\n", rest[0])
	e.usage(e.stderr)
	return exitUsage
}

func (e *env) usage(w io.Writer) {
	fmt.Fprintf(w, `usage:
  ossec-nagios add|delete USER SRCIP ALERTID RULEID [LOCATION ...]   active response (OSSEC, Wazuh < 4.2)
  ossec-nagios < message.json                                        active response (Wazuh >= 4.2)
  custom-nagios ALERTFILE [APIKEY] [HOOKURL] ...                     integratord custom integration
  ossec-nagios SUBCOMMAND [flags]

subcommands:
`)
	for _, sc := range subcommands() {
		fmt.Fprintf(w, "  %-13s %s\n", sc.name, sc.summary)
	}
	fmt.Fprintf(w, `
Examples:
  ossec-nagios check-config                            validate <OSSEC>/etc/ossec-nagios.ini
  ossec-nagios resolve -format nsca 1780297522.5825    what the active response would send, sending nothing
  ossec-nagios gen nagios -with-hosts > /etc/nagios4/conf.d/ossec.cfg
  ossec-nagios -version                                the version and the commit it was built from

Run 'ossec-nagios SUBCOMMAND -h' for a subcommand's flags and examples.
`)
}
