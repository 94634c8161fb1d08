package ciphers

import (
	"bytes"
	"crypto/aes"
	"fmt"
	"strings"
	"testing"
)

// TestRijndaelKnownAnswers: FIPS-197 Appendix C (AES, 128-bit block) and,
// for the 192- and 256-bit blocks, B. Gladman's Rijndael vectors for every
// block and key size (plaintext = the hex digits of pi, key = those of e).
// The two 256-bit-key results for blocks 24 and 32 were also computed with
// Debian's libmcrypt "rijndael-192" and "rijndael-256".
func TestRijndaelKnownAnswers(t *testing.T) {
	const (
		pi = "3243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c8"
		e  = "2b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfe"
	)
	tests := []c1KAT{
		{"fips197-c1-aes128", "000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff", "69c4e0d86a7b0430d8cdb78070b4c55a"},
		{"fips197-c2-aes192", "000102030405060708090a0b0c0d0e0f1011121314151617", "00112233445566778899aabbccddeeff", "dda97ca4864cdfe06eaf70a0ec0d7191"},
		{"fips197-c3-aes256", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "00112233445566778899aabbccddeeff", "8ea2b7ca516745bfeafc49904b496089"},
		{"gladman-b128-k128", e[:32], pi[:32], "3925841d02dc09fbdc118597196a0b32"},
		{"gladman-b128-k256", e, pi[:32], "1a6e6c2c662e7da6501ffb62bc9e93f3"},
		{"gladman-b192-k128", e[:32], pi[:48], "b24d275489e82bb8f7375e0d5fcdb1f481757c538b65148a"},
		{"gladman-b192-k192", e[:48], pi[:48], "725ae43b5f3161de806a7c93e0bca93c967ec1ae1b71e1cf"},
		{"gladman-b192-k256", e, pi[:48], "0ebacf199e3315c2e34b24fcc7c46ef4388aa475d66c194c"},
		{"gladman-b256-k128", e[:32], pi, "7d15479076b69a46ffb3b3beae97ad8313f622f67fedb487de9f06b9ed9c8f19"},
		{"gladman-b256-k192", e[:48], pi, "5d7101727bb25781bf6715b0e6955282b9610e23a43c2eb062699f0ebf5887b2"},
		{"gladman-b256-k256", e, pi, "a49406115dfb30a40418aafa4869b7c6a886ff31602a7dd19c889dc64f7e4e7a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plain := c1Hex(t, tc.plain)
			c, err := NewRijndael(c1Hex(t, tc.key), len(plain))
			if err != nil {
				t.Fatal(err)
			}
			c1CheckBlock(t, c, plain, c1Hex(t, tc.ciphertext))
			c1RoundTrip(t, c, 200)
		})
	}
}

// TestRijndaelIsAES: with a 16-byte block, NewRijndael equals crypto/aes
// for every key size, on 1000 blocks each.
func TestRijndaelIsAES(t *testing.T) {
	for _, keyLen := range []int{16, 24, 32} {
		t.Run(fmt.Sprintf("key%d", 8*keyLen), func(t *testing.T) {
			key := make([]byte, keyLen)
			for i := range key {
				key[i] = byte(7*i + keyLen)
			}
			r, err := NewRijndael(key, 16)
			if err != nil {
				t.Fatal(err)
			}
			a, err := aes.NewCipher(key)
			if err != nil {
				t.Fatal(err)
			}
			blk := make([]byte, 16)
			got, want := make([]byte, 16), make([]byte, 16)
			for i := range 1000 {
				r.Encrypt(got, blk)
				a.Encrypt(want, blk)
				if !bytes.Equal(got, want) {
					t.Fatalf("block %d: Encrypt(%x) = %x, crypto/aes %x", i, blk, got, want)
				}
				r.Decrypt(got, blk)
				a.Decrypt(want, blk)
				if !bytes.Equal(got, want) {
					t.Fatalf("block %d: Decrypt(%x) = %x, crypto/aes %x", i, blk, got, want)
				}
				copy(blk, want)
			}
		})
	}
}

func TestRijndaelBadParameters(t *testing.T) {
	tests := []struct {
		name       string
		key, block int
	}{
		{"key-0", 0, 16}, {"key-20", 20, 16}, {"key-64", 64, 32},
		{"block-0", 32, 0}, {"block-8", 32, 8}, {"block-20", 32, 20}, {"block-64", 32, 64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewRijndael(make([]byte, tc.key), tc.block)
			if err == nil || c != nil {
				t.Fatalf("NewRijndael(%d-byte key, block %d) = %v, %v; want an error", tc.key, tc.block, c, err)
			}
			if !strings.HasPrefix(err.Error(), "rijndael: ") {
				t.Errorf("error %q lacks the rijndael prefix", err)
			}
		})
	}
}

func BenchmarkRijndaelEncrypt(b *testing.B) {
	for _, bs := range []int{16, 24, 32} {
		b.Run(fmt.Sprintf("block%d-key256", 8*bs), func(b *testing.B) {
			c, err := NewRijndael(make([]byte, 32), bs)
			if err != nil {
				b.Fatal(err)
			}
			c1BenchBlock(b, c)
		})
	}
}
