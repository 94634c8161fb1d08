package alert

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrBadIntegration reports integratord arguments or an alert file that
// cannot be used.
var ErrBadIntegration = errors.New("bad integration input")

// MaxIntegrationFile bounds the alert file integratord writes.
const MaxIntegrationFile = 16 << 20

// IntegrationRequest is how Wazuh's integratord runs a custom-* integration:
// argv [integrations|path, alertfile, apikey, hookurl, then (by version)
// debug, options file, timeout, retries, and "debug" or the literal
// "> /dev/null 2>&1"]. Empty fields stay in place as empty arguments.
type IntegrationRequest struct {
	AlertFile   string
	APIKey      string
	HookURL     string
	OptionsFile string
	Debug       bool
	Timeout     int // seconds, 0 when not given (Wazuh >= 4.8)
	Retries     int
}

// ParseIntegrationArgs parses the arguments after argv0.
func ParseIntegrationArgs(args []string) (IntegrationRequest, error) {
	var r IntegrationRequest
	if len(args) == 0 || strings.TrimSpace(args[0]) == "" {
		return r, fmt.Errorf("%w: no alert file argument", ErrBadIntegration)
	}
	r.AlertFile = args[0]
	if len(args) > 1 {
		r.APIKey = args[1]
	}
	if len(args) > 2 {
		r.HookURL = args[2]
	}
	nums := 0
	for _, a := range args[min(3, len(args)):] {
		t := strings.TrimSpace(a)
		switch {
		case t == "" || t == "> /dev/null 2>&1":
		case t == "debug":
			r.Debug = true
		case isDigits(t):
			n, _ := strconv.Atoi(t)
			if nums == 0 {
				r.Timeout = n
			} else {
				r.Retries = n
			}
			nums++
		case r.OptionsFile == "":
			r.OptionsFile = t
		}
	}
	return r, nil
}

func isDigits(s string) bool {
	_, ok := parseUint(s)
	return ok && len(s) < 10
}

// ReadIntegrationFile reads the alert file at once (integratord deletes it
// when the integration exits) and parses it: a JSON alert
// (alert_format=json) or the legacy key='value' text.
func ReadIntegrationFile(path string) (Alert, error) {
	f, err := os.Open(path)
	if err != nil {
		return Alert{}, fmt.Errorf("read integration alert file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxIntegrationFile+1))
	if err != nil {
		return Alert{}, fmt.Errorf("read integration alert file %s: %w", filepath.Base(path), err)
	}
	if len(b) > MaxIntegrationFile {
		return Alert{}, fmt.Errorf("read integration alert file %s: %w: larger than %d bytes", filepath.Base(path), ErrBadIntegration, MaxIntegrationFile)
	}
	a, err := ParseIntegration(b)
	if err != nil {
		return Alert{}, fmt.Errorf("integration alert file %s: %w", filepath.Base(path), err)
	}
	return a, nil
}

// ParseIntegration parses the content of an integratord alert file.
func ParseIntegration(b []byte) (Alert, error) {
	t := bytes.TrimSpace(b)
	if len(t) == 0 {
		return Alert{}, fmt.Errorf("%w: empty alert file", ErrBadIntegration)
	}
	var a Alert
	var err error
	if t[0] == '{' {
		a, err = ParseJSONAlert(t)
	} else {
		a, err = ParseIntegrationText(b)
	}
	if err != nil {
		return Alert{}, err
	}
	a.Source = SourceIntegration
	return a, nil
}

var integrationKeys = []string{"alertdate", "alertlocation", "ruleid", "alertlevel", "ruledescription", "alertlog", "srcip"}

// ParseIntegrationText parses integratord's legacy text format (when
// alert_format is not json):
//
//	alertdate='…'\nalertlocation='…'\nruleid='…'\nalertlevel='…'\nruledescription='…'\nalertlog='…'\nsrcip='…'
//
// The keys come in this order; a value ends where "'\n<next key>='" begins,
// so a quote inside the description or location does not cut it. alertlog is
// what integratord left of full_log (quotes and non-ASCII replaced, cut to
// max_log).
func ParseIntegrationText(b []byte) (Alert, error) {
	s := validString(b)
	vals := make(map[string]string, len(integrationKeys))
	pos := 0
	for i, k := range integrationKeys {
		open := k + "='"
		if i == 0 {
			if !strings.HasPrefix(s, open) {
				return Alert{}, fmt.Errorf("%w: text alert does not start with %s", ErrBadIntegration, open)
			}
		} else {
			sep := "'\n" + open
			j := strings.Index(s[pos:], sep)
			if j < 0 {
				return Alert{}, fmt.Errorf("%w: text alert has no %s", ErrBadIntegration, k)
			}
			vals[integrationKeys[i-1]] = s[pos : pos+j]
			pos += j + 2
		}
		pos += len(open)
	}
	last := strings.TrimRight(s[pos:], "\r\n")
	last, ok := strings.CutSuffix(last, "'")
	if !ok {
		return Alert{}, fmt.Errorf("%w: text alert srcip is not quoted", ErrBadIntegration)
	}
	vals["srcip"] = last

	a := Alert{
		Raw:      s,
		Source:   SourceIntegration,
		Resolved: true,
		SrcIP:    strings.TrimSpace(vals["srcip"]),
	}
	if v := vals["ruleid"]; v != "" {
		n, ok := ruleID(v)
		if !ok {
			return Alert{}, fmt.Errorf("%w: ruleid %q is not a number", ErrBadIntegration, clip([]byte(v), 32))
		}
		a.Rule.ID = n
	}
	if v := vals["alertlevel"]; v != "" {
		n, ok := ruleLevel(v)
		if !ok {
			return Alert{}, fmt.Errorf("%w: alertlevel %q is not a number", ErrBadIntegration, clip([]byte(v), 32))
		}
		a.Rule.Level = n
	}
	a.Rule.Description = vals["ruledescription"]
	if t, err := time.Parse("2006-01-02T15:04:05.000-0700", vals["alertdate"]); err == nil {
		a.Time = t
	}
	// The location is the JSON one: only the part after "->" for agents.
	a.Location = vals["alertlocation"]
	if v := vals["alertlog"]; v != "" {
		a.FullLog = []string{v}
	}
	return a, nil
}
