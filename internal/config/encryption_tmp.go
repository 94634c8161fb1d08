package config

import (
	"strconv"
	"strings"
)

// Method is a stand-in for nsca.Method until nsca/method.go exists.
type Method int

func defaultMethod() Method { return 1 }

var tmpMethods = map[string]int{"none": 0, "xor": 1, "des": 2, "3des": 3, "cast128": 4, "cast256": 5, "xtea": 6,
	"blowfish": 8, "twofish": 9, "loki97": 10, "rc2": 11, "rijndael128": 14, "rijndael192": 15, "rijndael256": 16,
	"serpent": 20, "gost": 23, "saferplus": 26}

func parseEncryption(v string, m *Method) error {
	if n, err := strconv.Atoi(v); err == nil {
		for _, k := range tmpMethods {
			if k == n {
				*m = Method(n)
				return nil
			}
		}
		return invalidf("unsupported method %d", n)
	}
	n, ok := tmpMethods[strings.ToLower(v)]
	if !ok {
		return invalidf("unknown method %q", v)
	}
	*m = Method(n)
	return nil
}
