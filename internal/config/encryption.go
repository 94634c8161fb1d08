package config

import (
	"errors"

	"github.com/ossec-nagios/ossec-nagios/nsca"
)

// defaultMethod is send_nsca's default encryption_method.
func defaultMethod() nsca.Method { return nsca.MethodXOR }

// parseEncryption asks package nsca to read and validate a method: a name
// or a send_nsca number, known, accepted by the daemon and implemented.
// The error wraps nsca's sentinel (nsca.ErrUnknownMethod, ...).
func parseEncryption(v string, dst *nsca.Method) error {
	m, err := nsca.ParseMethod(v)
	if errors.Is(err, nsca.ErrUnknownMethod) {
		return invalid{msg: "unknown method " + quote(v) + " (use a number 0 to 26 or a name such as xor, 3des, rijndael-128)", err: err}
	}
	if err != nil {
		return invalid{msg: err.Error(), err: err}
	}
	if err := m.Validate(); err != nil {
		return invalid{msg: err.Error(), err: err}
	}
	*dst = m
	return nil
}
