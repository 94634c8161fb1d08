package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
)

func TestOSSECFormatterOneLine(t *testing.T) {
	f := &ossecFormatter{program: "ossec-nagios"}
	e := &logrus.Entry{
		Time:    time.Date(2026, 11, 3, 7, 8, 9, 0, time.UTC),
		Level:   logrus.InfoLevel,
		Message: "add 1795000000.0: sent",
		Data: logrus.Fields{
			"service": "OSSEC SSH",
			"host":    "web01\n[1795000020] RESTART_PROGRAM",
		},
	}
	b, err := f.Format(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `Tue Nov  3 07:08:09 UTC 2026 ossec-nagios: add 1795000000.0: sent host="web01\\n[1795000020] RESTART_PROGRAM" service="OSSEC SSH"` + "\n"
	if string(b) != want {
		t.Errorf("got  %q\nwant %q", b, want)
	}
	e.Level = logrus.ErrorLevel
	e.Data = nil
	b, _ = f.Format(e)
	if !strings.Contains(string(b), "ossec-nagios: ERROR: add") {
		t.Errorf("error entry lacks level: %q", b)
	}
}

func TestOpenLogFallsBack(t *testing.T) {
	var fallback bytes.Buffer
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// A path below a regular file cannot be created.
	l, c := openLog(filepath.Join(blocker, "logs", "active-responses.log"), logrus.InfoLevel, &fallback)
	defer c.Close()
	l.Info("hello")
	if !strings.Contains(fallback.String(), "hello") || !strings.Contains(fallback.String(), "WARNING") {
		t.Errorf("fallback got %q", fallback.String())
	}

	path := filepath.Join(dir, "logs", "active-responses.log")
	l, c = openLog(path, logrus.InfoLevel, &fallback)
	l.Info("to file")
	c.Close()
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), "ossec-nagios: to file") {
		t.Fatalf("log file = %q, %v", b, err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o660 {
		t.Errorf("log mode %v, want 0660 (shared with the ossec group)", st.Mode().Perm())
	}

	// A link planted at the log's place is never followed: the bridge
	// runs as root, and the target would be appended to.
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("untouched"), 0o600); err != nil {
		t.Fatal(err)
	}
	linked := filepath.Join(dir, "logs", "linked.log")
	if err := os.Symlink(target, linked); err != nil {
		t.Fatal(err)
	}
	fallback.Reset()
	l, c = openLog(linked, logrus.InfoLevel, &fallback)
	l.Info("not through the link")
	c.Close()
	if b, _ := os.ReadFile(target); string(b) != "untouched" {
		t.Errorf("the link's target was written: %q", b)
	}
	if !strings.Contains(fallback.String(), "not through the link") || !strings.Contains(fallback.String(), "not a regular file") {
		t.Errorf("fallback got %q", fallback.String())
	}
}
