package ciphers

import (
	"crypto/cipher"
)

// Helpers of the libmcrypt-convention tests (the shared vector loader,
// hex and known-answer checks are in helpers_c1_test.go).

// c2Key is the NSCA key: the password truncated or zero-padded to n bytes.
func c2Key(password string, n int) []byte {
	k := make([]byte, n)
	copy(k, password)
	return k
}

// c2CFB8 runs libmcrypt's 8-bit CFB over data with the register reg
// (updated in place): for each byte k = E(R)[0], out = in ^ k, then R shifts
// left one byte and takes the ciphertext byte. decrypt says whether data is
// ciphertext.
func c2CFB8(b cipher.Block, reg, data []byte, decrypt bool) []byte {
	out := make([]byte, len(data))
	ks := make([]byte, b.BlockSize())
	for i, in := range data {
		b.Encrypt(ks, reg)
		out[i] = in ^ ks[0]
		c := out[i]
		if decrypt {
			c = in
		}
		copy(reg, reg[1:])
		reg[len(reg)-1] = c
	}
	return out
}

// c2FirstDiff returns the index of the first differing byte, or -1.
func c2FirstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// c2RevGroups returns b with its 4-byte groups in reverse order.
func c2RevGroups(b []byte) []byte {
	out := make([]byte, len(b))
	for i := 0; i+4 <= len(b); i += 4 {
		copy(out[len(b)-4-i:], b[i:i+4])
	}
	return out
}
