package ciphers

import (
	"fmt"
	"strings"
	"testing"
)

// TestCAST256RFC2612 runs the known-answer vectors of RFC 2612 Appendix A
// (128-, 192- and 256-bit keys, zero plaintext) on the RFC cipher.
func TestCAST256RFC2612(t *testing.T) {
	tests := []c1KAT{
		{"key128", "2342bb9efa38542c0af75647f29f615d", "00000000000000000000000000000000", "c842a08972b43d20836c91d1b7530f6b"},
		{"key192", "2342bb9efa38542cbed0ac83940ac298bac77a7717942863", "00000000000000000000000000000000", "1b386c0210dcadcbdd0e41aa08a7a7e8"},
		{"key256", "2342bb9efa38542cbed0ac83940ac2988d7c47ce264908461cc1b5137ae6b604", "00000000000000000000000000000000", "4f6a2038286897b9c9870136553317fa"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := newCAST256RFC(c1Hex(t, tc.key))
			if err != nil {
				t.Fatal(err)
			}
			c1CheckBlock(t, c, c1Hex(t, tc.plain), c1Hex(t, tc.ciphertext))
			c1RoundTrip(t, c, 200)
		})
	}
}

// c1Swap32 byte-reverses every 4-byte group of b.
func c1Swap32(b []byte) []byte {
	out := make([]byte, len(b))
	for i := 0; i+4 <= len(b); i += 4 {
		out[i], out[i+1], out[i+2], out[i+3] = b[i+3], b[i+2], b[i+1], b[i]
	}
	return out
}

// TestCAST256MCryptIsSwappedRFC: NewCAST256 equals the RFC cipher with the
// key, input and output byte-reversed in 4-byte groups, shown on the RFC
// vectors themselves.
func TestCAST256MCryptIsSwappedRFC(t *testing.T) {
	tests := []c1KAT{
		{"key128", "2342bb9efa38542c0af75647f29f615d", "00000000000000000000000000000000", "c842a08972b43d20836c91d1b7530f6b"},
		{"key192", "2342bb9efa38542cbed0ac83940ac298bac77a7717942863", "00000000000000000000000000000000", "1b386c0210dcadcbdd0e41aa08a7a7e8"},
		{"key256", "2342bb9efa38542cbed0ac83940ac2988d7c47ce264908461cc1b5137ae6b604", "000102030405060708090a0b0c0d0e0f", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key, plain := c1Hex(t, tc.key), c1Hex(t, tc.plain)
			rfc, err := newCAST256RFC(key)
			if err != nil {
				t.Fatal(err)
			}
			want := make([]byte, 16)
			rfc.Encrypt(want, plain)
			if tc.ciphertext != "" && fmt.Sprintf("%x", want) != tc.ciphertext {
				t.Fatalf("RFC cipher = %x, want %s", want, tc.ciphertext)
			}
			mc, err := NewCAST256(c1Swap32(key))
			if err != nil {
				t.Fatal(err)
			}
			c1CheckBlock(t, mc, c1Swap32(plain), c1Swap32(want))
		})
	}
}

// TestCAST256Libmcrypt: blocks computed with Debian's libmcrypt 2.5.8
// "cast-256" in ECB mode.
func TestCAST256Libmcrypt(t *testing.T) {
	tests := []c1KAT{
		{"rfc-key128-zero-padded", "2342bb9efa38542c0af75647f29f615d00000000000000000000000000000000", "00000000000000000000000000000000", "8be69de71f0900cfc47482636bdfce05"},
		{"nsca-password-iv", "6e7363612d746573742d70770000000000000000000000000000000000000000", "60b458420c8389681c94cdd2f4c8cfcf", "54cbae89ad2e8682f623ef8369edc272"},
		{"counting", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "000102030405060708090a0b0c0d0e0f", "b3fb2cefcad5532de25bfc0f905a19f4"},
		{"all-ones-block", "3e2a1c0f9d8b7a6958473625140302f1e0dfcebdac9b8a7968574635241302f1", "ffffffffffffffffffffffffffffffff", "c1ad796f027b7e541c3642cb37e4215d"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewCAST256(c1Hex(t, tc.key))
			if err != nil {
				t.Fatal(err)
			}
			c1CheckBlock(t, c, c1Hex(t, tc.plain), c1Hex(t, tc.ciphertext))
		})
	}
}

func TestCAST256BadKey(t *testing.T) {
	for _, n := range []int{0, 8, 15, 17, 30, 33, 36} {
		t.Run(fmt.Sprintf("%d-bytes", n), func(t *testing.T) {
			c, err := NewCAST256(make([]byte, n))
			if err == nil || c != nil {
				t.Fatalf("NewCAST256(%d bytes) = %v, %v; want an error", n, c, err)
			}
			if !strings.HasPrefix(err.Error(), "cast256: ") {
				t.Errorf("error %q lacks the cast256 prefix", err)
			}
			if r, err := newCAST256RFC(make([]byte, n)); err == nil || r != nil {
				t.Fatalf("newCAST256RFC(%d bytes) returned no error", n)
			}
		})
	}
}

func BenchmarkCAST256Encrypt(b *testing.B) {
	c, err := NewCAST256(make([]byte, 32))
	if err != nil {
		b.Fatal(err)
	}
	c1BenchBlock(b, c)
}
