package ciphers

import (
	"bytes"
	"crypto/cipher"
	"fmt"
	"testing"
)

// The NSCA methods whose block ciphers live in rc2.go, gost.go, rijndael.go
// and cast256.go, with libmcrypt's key size (NSCA zero-pads or cuts the
// password to it) and block size (the CFB register, taken from the IV).
var c1Methods = []struct {
	method     int
	name       string
	key, block int
	newFn      func([]byte) (cipher.Block, error)
}{
	{5, "cast-256", 32, 16, NewCAST256},
	{11, "rc2", 128, 8, NewRC2},
	{15, "rijndael-192", 32, 24, func(k []byte) (cipher.Block, error) { return NewRijndael(k, 24) }},
	{16, "rijndael-256", 32, 32, func(k []byte) (cipher.Block, error) { return NewRijndael(k, 32) }},
	{23, "gost", 32, 8, NewGOST},
}

// c1CFB8 is libmcrypt's 8-bit CFB over data with register reg (updated in
// place): for each byte k = E(R)[0], out = in ^ k, then R shifts left one
// byte and takes the ciphertext byte.
func c1CFB8(b cipher.Block, reg, data []byte, decrypt bool) []byte {
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

// c1CheckStream decrypts ct with a fresh cipher state and compares with the
// captured plaintext byte for byte, then re-encrypts the plaintext and
// compares with ct.
func c1CheckStream(t *testing.T, newFn func([]byte) (cipher.Block, error), keyLen, blockLen int, v c1Vector, ct []byte) {
	t.Helper()
	iv := c1Hex(t, v.IVHex)
	want := c1Hex(t, v.PlainHex)
	if len(iv) != 128 {
		t.Fatalf("iv is %d bytes, want 128", len(iv))
	}
	if len(ct) != len(want) || len(ct) == 0 {
		t.Fatalf("ciphertext %d bytes, plaintext %d", len(ct), len(want))
	}
	key := make([]byte, keyLen)
	copy(key, v.Password)
	blk, err := newFn(key)
	if err != nil {
		t.Fatal(err)
	}
	if blk.BlockSize() != blockLen {
		t.Fatalf("BlockSize() = %d, want %d", blk.BlockSize(), blockLen)
	}
	got := c1CFB8(blk, bytes.Clone(iv[:blockLen]), ct, true)
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("decrypt: first difference at byte %d of %d: got %#02x, want %#02x", i, len(got), got[i], want[i])
		}
	}
	enc := c1CFB8(blk, bytes.Clone(iv[:blockLen]), want, false)
	for i := range enc {
		if enc[i] != ct[i] {
			t.Fatalf("encrypt: first difference at byte %d of %d", i, len(enc))
		}
	}
}

// TestC1SendNSCAVectors decrypts every packet send_nsca 2.10.2 sent with
// methods 5, 11, 15, 16 and 23 and re-encrypts its plaintext.
func TestC1SendNSCAVectors(t *testing.T) {
	for _, m := range c1Methods {
		vs := c1LoadVectors(t, "vectors.jsonl", m.method)
		if len(vs) != 8 {
			t.Errorf("method %d: %d vectors, want 8", m.method, len(vs))
		}
		for i, v := range vs {
			t.Run(fmt.Sprintf("%s/%d_len%d", m.name, i, v.PacketLen), func(t *testing.T) {
				if v.Name != m.name {
					t.Fatalf("vector names method %q", v.Name)
				}
				c1CheckStream(t, m.newFn, m.key, m.block, v, c1Hex(t, v.PacketHex))
			})
		}
	}
}

// TestC1SendNSCAConnection decrypts three packets sent on one connection
// with one cipher state: the register runs on from packet to packet.
func TestC1SendNSCAConnection(t *testing.T) {
	for _, m := range c1Methods {
		for i, v := range c1LoadVectors(t, "vectors-connection.jsonl", m.method) {
			t.Run(fmt.Sprintf("%s/%d", m.name, i), func(t *testing.T) {
				stream := c1Hex(t, v.StreamHex)
				if v.Packets < 2 || len(stream) != v.Packets*v.PacketLen {
					t.Fatalf("stream of %d bytes, want %d packets of %d", len(stream), v.Packets, v.PacketLen)
				}
				c1CheckStream(t, m.newFn, m.key, m.block, v, stream)
			})
		}
	}
}

// TestC1WrongPassword: a password one byte off must not decrypt a packet,
// so the vector tests above cannot pass by accident.
func TestC1WrongPassword(t *testing.T) {
	for _, m := range c1Methods {
		t.Run(m.name, func(t *testing.T) {
			v := c1LoadVectors(t, "vectors.jsonl", m.method)[0]
			key := make([]byte, m.key)
			copy(key, v.Password)
			key[0] ^= 1
			blk, err := m.newFn(key)
			if err != nil {
				t.Fatal(err)
			}
			iv := c1Hex(t, v.IVHex)
			got := c1CFB8(blk, bytes.Clone(iv[:m.block]), c1Hex(t, v.PacketHex), true)
			if bytes.Equal(got[:64], c1Hex(t, v.PlainHex)[:64]) {
				t.Fatal("a wrong key decrypted the packet")
			}
		})
	}
}
