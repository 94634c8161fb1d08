package alert

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrBadID reports an alert id that is not "<epoch>.<n>".
var ErrBadID = errors.New("alert id is not <epoch>.<n>")

// ID is a parsed alert id "<epoch>.<n>". N is the byte offset of the alert's
// header in the alerts file that was current when it was written (OSSEC <= 4.1,
// Wazuh), or a ticket counter (OSSEC 4.2+).
type ID struct {
	Epoch int64
	N     int64
}

// ParseID parses "<epoch>.<n>" (both parts decimal, no sign).
func ParseID(s string) (ID, error) {
	dot := strings.IndexByte(s, '.')
	if dot <= 0 || dot == len(s)-1 {
		return ID{}, fmt.Errorf("parse alert id %q: %w", s, ErrBadID)
	}
	e, ok1 := parseUint(s[:dot])
	n, ok2 := parseUint(s[dot+1:])
	if !ok1 || !ok2 {
		return ID{}, fmt.Errorf("parse alert id %q: %w", s, ErrBadID)
	}
	return ID{Epoch: e, N: n}, nil
}

// String returns the id as OSSEC prints it.
func (id ID) String() string {
	return strconv.FormatInt(id.Epoch, 10) + "." + strconv.FormatInt(id.N, 10)
}

// Time returns the epoch part as a time.
func (id ID) Time() time.Time { return time.Unix(id.Epoch, 0) }

// parseUint parses a non-empty run of ASCII digits that fits an int64,
// without leading zeros (OSSEC prints none).
func parseUint(s string) (int64, bool) {
	if s == "" || len(s) > 18 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

func parseUintBytes(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 || (len(b) > 1 && b[0] == '0') {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}
