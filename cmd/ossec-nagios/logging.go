package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/ossec-nagios/ossec-nagios/internal/safefile"
)

// ossecFormatter writes one line per entry in the style of OSSEC's own
// active-response scripts in logs/active-responses.log:
//
//	Mon Nov 23 07:38:08 UTC 2026 ossec-nagios: add 1790275830.2512248 rule=5712: sent host=web01 service="OSSEC SSH" state=CRITICAL
//
// Attacker-controlled text in a field cannot start a new log line.
type ossecFormatter struct {
	program string
}

func (f *ossecFormatter) Format(e *logrus.Entry) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(e.Time.Format("Mon Jan _2 15:04:05 MST 2006"))
	b.WriteByte(' ')
	b.WriteString(f.program)
	b.WriteString(": ")
	if e.Level <= logrus.WarnLevel {
		b.WriteString(strings.ToUpper(e.Level.String()))
		b.WriteString(": ")
	}
	b.WriteString(oneLine(e.Message))
	keys := make([]string, 0, len(e.Data))
	for k := range e.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := oneLine(fmt.Sprint(e.Data[k]))
		if v == "" || strings.ContainsAny(v, " \"=") {
			v = fmt.Sprintf("%q", v)
		}
		fmt.Fprintf(&b, " %s=%s", k, v)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// oneLine makes s safe for a one-line log record.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\x00") {
		return s
	}
	r := strings.NewReplacer("\r", `\r`, "\n", `\n`, "\x00", `\0`)
	return r.Replace(s)
}

// openLog returns a logger that appends to path (creating it 0660), or to
// fallback when the file cannot be opened; the returned closer closes the
// file. The open error, if any, is logged to the fallback.
func openLog(path string, level logrus.Level, fallback io.Writer) (*logrus.Logger, io.Closer) {
	l := logrus.New()
	l.SetFormatter(&ossecFormatter{program: "ossec-nagios"})
	l.SetLevel(level)
	l.SetOutput(fallback)
	if path == "" {
		return l, io.NopCloser(nil)
	}
	if err := safefile.EnsureDir(filepath.Dir(path)); err == nil {
		// Never through a link: the logs directory may be writable by
		// the ossec group, and the bridge runs as root.
		f, err := safefile.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE)
		if err == nil {
			l.SetOutput(f)
			return l, f
		}
		l.WithError(err).Warn("cannot open log file, logging to stderr")
	} else {
		l.WithError(err).Warn("cannot create log directory, logging to stderr")
	}
	return l, io.NopCloser(nil)
}
