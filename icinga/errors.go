package icinga

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Sentinels that callers branch on; an *Error wraps one of them (or a
// network error).
var (
	// ErrNotFound: Icinga has no such host or service (404 "No objects
	// found."). Icinga gives the same answer when the API user lacks the
	// permission actions/process-check-result (see Info.Allows). Permanent.
	ErrNotFound = errors.New("no such object")
	// ErrAuth: the credentials were refused (401) or the user lacks the
	// permission (403). Permanent until the configuration changes.
	ErrAuth = errors.New("authentication or permission refused")
	// ErrRejected: Icinga understood the request and refused it, e.g. a
	// host exit status other than 0 or 1 (400) or passive checks disabled
	// on the object. Permanent.
	ErrRejected = errors.New("check result rejected")
	// ErrBadName: a host or service name that cannot name one Icinga
	// object (empty, '!', invalid UTF-8, control characters). Nothing was
	// sent. Permanent.
	ErrBadName = errors.New("bad object name")
	// ErrServer: Icinga failed to process the request (5xx). Temporary.
	ErrServer = errors.New("server error")
	// ErrConfig: New was given an unusable Config.
	ErrConfig = errors.New("bad configuration")
)

// Error describes a failed API operation. Err is one of the sentinels
// above, a network error or a context error.
type Error struct {
	Op     string // "process-check-result", "ping"
	Object string // "host!service" or "host"; empty for ping
	Status int    // HTTP status; 0 when no response arrived
	Result int    // Icinga's code for the one object in the answer, when it gave one
	Detail string // Icinga's status text, quoted and cut (server text is untrusted)
	Err    error
}

func (e *Error) Error() string {
	s := "icinga: " + e.Op
	if e.Object != "" {
		s += " " + quoteShort(e.Object)
	}
	s += ": " + e.Err.Error()
	if e.Status != 0 {
		s += " (HTTP " + strconv.Itoa(e.Status) + ")"
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether trying again later may succeed: network
// failures, timeouts, 5xx, 408 and 429 are temporary; a missing object,
// refused credentials, a rejected result, a bad name and a cancelled
// context are not.
func (e *Error) Temporary() bool {
	switch {
	case errors.Is(e.Err, ErrNotFound), errors.Is(e.Err, ErrAuth), errors.Is(e.Err, ErrRejected),
		errors.Is(e.Err, ErrBadName), errors.Is(e.Err, ErrConfig), errors.Is(e.Err, context.Canceled):
		return false
	}
	return true
}

// Permanent reports whether Icinga refused this one result for good, so
// that sending it again can never succeed and the bridge quarantines it
// instead of retrying (bridge.IsPermanent): no such host or service (404
// "No objects found"), a result Icinga rejected (400, or a 403 inside the
// results for that object, e.g. passive checks disabled on it) and a name
// no object can have. Refused credentials or a missing permission (401,
// or 403 for the whole request) are not: they stop every result, which
// wait in order until the configuration is fixed; nor are network errors,
// timeouts and 5xx.
//
// An answer Icinga does not give to process-check-result (a redirect, 405,
// 409 ...) is not permanent either, although it is not temporary: it says
// the URL or a proxy is wrong, which is true of every result.
func (e *Error) Permanent() bool {
	switch {
	case errors.Is(e.Err, ErrNotFound), errors.Is(e.Err, ErrBadName):
		return true
	case errors.Is(e.Err, ErrRejected):
		return e.Result != 0 || e.Status == 0 || e.Status == http.StatusBadRequest
	}
	return false
}

// classify maps an HTTP status (of the response or of the one result in
// it) to a sentinel.
func classify(status int) error {
	switch {
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		return ErrAuth
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests, status >= 500:
		return ErrServer
	default:
		return ErrRejected
	}
}

// quoteShort quotes untrusted text for an error message: Go-quoted (no
// control character survives) and cut to about 120 bytes on a rune
// boundary.
func quoteShort(s string) string {
	const max = 120
	if len(s) <= max {
		return strconv.Quote(s)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "..."
}

// validateName refuses a name that cannot name exactly one Icinga object:
// empty, invalid UTF-8, holding '!' (Icinga's host!service separator;
// object names cannot contain it) or a control character.
func validateName(kind, name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty %s name", ErrBadName, kind)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: %s name is not valid UTF-8", ErrBadName, kind)
	}
	for _, r := range name {
		if r == '!' {
			return fmt.Errorf("%w: %s name holds '!'", ErrBadName, kind)
		}
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: %s name holds the control character %U", ErrBadName, kind, r)
		}
	}
	return nil
}
