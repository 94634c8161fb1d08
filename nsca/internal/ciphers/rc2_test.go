package ciphers

import (
	"strings"
	"testing"
)

// TestRC2RFC2268 runs the eight known-answer vectors of RFC 2268 section 5
// (key, effective key bits, plaintext, ciphertext).
func TestRC2RFC2268(t *testing.T) {
	tests := []struct {
		c1KAT
		bits int
	}{
		{c1KAT{"zero-key-63-bits", "0000000000000000", "0000000000000000", "ebb773f993278eff"}, 63},
		{c1KAT{"ones-key-64-bits", "ffffffffffffffff", "ffffffffffffffff", "278b27e42e2f0d49"}, 64},
		{c1KAT{"pattern-64-bits", "3000000000000000", "1000000000000001", "30649edf9be7d2c2"}, 64},
		{c1KAT{"one-byte-key", "88", "0000000000000000", "61a8a244adacccf0"}, 64},
		{c1KAT{"seven-byte-key", "88bca90e90875a", "0000000000000000", "6ccf4308974c267f"}, 64},
		{c1KAT{"16-byte-key-64-bits", "88bca90e90875a7f0f79c384627bafb2", "0000000000000000", "1a807d272bbe5db1"}, 64},
		{c1KAT{"16-byte-key-128-bits", "88bca90e90875a7f0f79c384627bafb2", "0000000000000000", "2269552ab0f85ca6"}, 128},
		{c1KAT{"33-byte-key-129-bits", "88bca90e90875a7f0f79c384627bafb216f80a6f85920584c42fceb0be255daf1e", "0000000000000000", "5b78d3a43dfff1f1"}, 129},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := newRC2(c1Hex(t, tc.key), tc.bits)
			if err != nil {
				t.Fatal(err)
			}
			c1CheckBlock(t, c, c1Hex(t, tc.plain), c1Hex(t, tc.ciphertext))
		})
	}
}

// TestRC2Libmcrypt: blocks computed with Debian's libmcrypt 2.5.8 "rc2" in
// ECB mode, which NewRC2 must equal (effective key bits 1024).
func TestRC2Libmcrypt(t *testing.T) {
	tests := []c1KAT{
		{"16-byte-key", "88bca90e90875a7f0f79c384627bafb2", "0000000000000000", "db66015b97954a43"},
		{"counting-128-byte-key", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f", "0001020304050607", "8a8f8e5c5a04c73b"},
		{"nsca-password-iv", "6e7363612d746573742d70770000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", "60b458420c838968", "e3544cc5b1a8a3de"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewRC2(c1Hex(t, tc.key))
			if err != nil {
				t.Fatal(err)
			}
			c1CheckBlock(t, c, c1Hex(t, tc.plain), c1Hex(t, tc.ciphertext))
		})
	}
}

// TestRC2MCryptDefault: NewRC2 is the RFC cipher with 1024 effective bits,
// which is not the same as skipping the effective-bits step.
func TestRC2MCryptDefault(t *testing.T) {
	key := []byte(strings.Repeat("nsca-test-pw", 11)[:128])
	a, err := NewRC2(key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := newRC2(key, 1024)
	if err != nil {
		t.Fatal(err)
	}
	c, err := newRC2(key, 1016)
	if err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 8)
	x, y, z := make([]byte, 8), make([]byte, 8), make([]byte, 8)
	a.Encrypt(x, p)
	b.Encrypt(y, p)
	c.Encrypt(z, p)
	if string(x) != string(y) {
		t.Fatalf("NewRC2 = %x, RFC with 1024 bits = %x", x, y)
	}
	if string(x) == string(z) {
		t.Fatalf("1024 and 1016 effective bits give the same block %x", x)
	}
	c1RoundTrip(t, a, 1000)
}

func TestRC2BadKey(t *testing.T) {
	tests := []struct {
		name string
		key  int
		bits int
	}{
		{"empty-key", 0, 1024},
		{"129-byte-key", 129, 1024},
		{"zero-bits", 8, 0},
		{"1025-bits", 8, 1025},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := newRC2(make([]byte, tc.key), tc.bits)
			if err == nil || c != nil {
				t.Fatalf("newRC2(%d bytes, %d bits) = %v, %v; want an error", tc.key, tc.bits, c, err)
			}
			if !strings.HasPrefix(err.Error(), "rc2: ") {
				t.Errorf("error %q lacks the rc2 prefix", err)
			}
		})
	}
	if _, err := NewRC2(nil); err == nil {
		t.Error("NewRC2(nil) returned no error")
	}
}

func BenchmarkRC2Encrypt(b *testing.B) {
	c, err := NewRC2(make([]byte, 128))
	if err != nil {
		b.Fatal(err)
	}
	c1BenchBlock(b, c)
}
