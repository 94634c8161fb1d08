package ciphers

import (
	"bytes"
	"crypto/cipher"
	"fmt"
	"math/rand/v2"
	"testing"
)

// The NSCA methods whose block ciphers live in loki97.go, serpent.go and
// saferplus.go, with libmcrypt's key size (NSCA pads the password to it).
var c2Methods = []struct {
	method int
	name   string
	key    int
	newFn  func([]byte) (cipher.Block, error)
}{
	{10, "loki97", 32, NewLOKI97},
	{20, "serpent", 32, NewSerpent},
	{26, "saferplus", 32, NewSaferPlus},
}

// TestC2SendNSCAVectors decrypts every packet send_nsca 2.10.2 sent with
// methods 10, 20 and 26 (libmcrypt 8-bit CFB, register = first 16 IV bytes)
// and compares with the known plaintext, then re-encrypts the plaintext and
// compares with the captured packet.
func TestC2SendNSCAVectors(t *testing.T) {
	for _, m := range c2Methods {
		for i, v := range c1LoadVectors(t, "vectors.jsonl", m.method) {
			t.Run(fmt.Sprintf("%s/%d_len%d", m.name, i, v.PacketLen), func(t *testing.T) {
				checkC2Stream(t, m.newFn, m.key, v, c1Hex(t, v.PacketHex))
			})
		}
	}
}

// TestC2SendNSCAConnection decrypts three packets sent on one connection
// with one cipher state (the register runs on across packets).
func TestC2SendNSCAConnection(t *testing.T) {
	for _, m := range c2Methods {
		for i, v := range c1LoadVectors(t, "vectors-connection.jsonl", m.method) {
			t.Run(fmt.Sprintf("%s/%d", m.name, i), func(t *testing.T) {
				stream := c1Hex(t, v.StreamHex)
				if v.Packets < 2 || len(stream) != v.Packets*v.PacketLen {
					t.Fatalf("stream of %d bytes, want %d packets of %d", len(stream), v.Packets, v.PacketLen)
				}
				checkC2Stream(t, m.newFn, m.key, v, stream)
			})
		}
	}
}

func checkC2Stream(t *testing.T, newFn func([]byte) (cipher.Block, error), keyLen int, v c1Vector, ct []byte) {
	t.Helper()
	iv := c1Hex(t, v.IVHex)
	want := c1Hex(t, v.PlainHex)
	if len(iv) != 128 {
		t.Fatalf("iv is %d bytes, want 128", len(iv))
	}
	if len(ct) != len(want) {
		t.Fatalf("ciphertext %d bytes, plaintext %d", len(ct), len(want))
	}
	b, err := newFn(c2Key(v.Password, keyLen))
	if err != nil {
		t.Fatalf("new cipher: %v", err)
	}
	reg := bytes.Clone(iv[:b.BlockSize()])
	got := c2CFB8(b, reg, ct, true)
	if i := c2FirstDiff(got, want); i >= 0 {
		t.Fatalf("decrypt: first wrong byte at %d of %d: got %x want %x", i, len(want), got[i:min(i+16, len(got))], want[i:min(i+16, len(want))])
	}
	reg = bytes.Clone(iv[:b.BlockSize()])
	enc := c2CFB8(b, reg, want, false)
	if i := c2FirstDiff(enc, ct); i >= 0 {
		t.Fatalf("encrypt: first wrong byte at %d of %d", i, len(ct))
	}
}

// TestC2RoundTrip: Decrypt inverts Encrypt for random keys and blocks, and
// different keys give different ciphertexts.
func TestC2RoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	fill := func(b []byte) {
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
	}
	for _, m := range c2Methods {
		t.Run(m.name, func(t *testing.T) {
			key, key2 := make([]byte, m.key), make([]byte, m.key)
			for range 20 {
				fill(key)
				copy(key2, key)
				key2[rng.IntN(m.key)] ^= 1 << rng.IntN(8)
				b, err := m.newFn(key)
				if err != nil {
					t.Fatal(err)
				}
				b2, err := m.newFn(key2)
				if err != nil {
					t.Fatal(err)
				}
				p := make([]byte, b.BlockSize())
				c, c2, back := make([]byte, len(p)), make([]byte, len(p)), make([]byte, len(p))
				for range 20 {
					fill(p)
					b.Encrypt(c, p)
					b.Decrypt(back, c)
					if !bytes.Equal(back, p) {
						t.Fatalf("key %x: Decrypt(Encrypt(%x)) = %x", key, p, back)
					}
					b2.Encrypt(c2, p)
					if bytes.Equal(c, c2) || bytes.Equal(c, p) {
						t.Fatalf("key %x: ciphertext %x equals the plaintext or another key's", key, c)
					}
				}
			}
		})
	}
}

// BenchmarkC2Block measures one block encryption per cipher.
func BenchmarkC2Block(b *testing.B) {
	for _, m := range c2Methods {
		b.Run(m.name, func(b *testing.B) {
			blk, err := m.newFn(c2Key("nsca-test-pw", m.key))
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, blk.BlockSize())
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				blk.Encrypt(buf, buf)
			}
		})
	}
}

// BenchmarkC2Packet measures libmcrypt 8-bit CFB over one 4304-byte NSCA
// packet (one block encryption per byte).
func BenchmarkC2Packet(b *testing.B) {
	for _, m := range c2Methods {
		b.Run(m.name, func(b *testing.B) {
			blk, err := m.newFn(c2Key("nsca-test-pw", m.key))
			if err != nil {
				b.Fatal(err)
			}
			reg := make([]byte, blk.BlockSize())
			pkt := make([]byte, 4304)
			b.SetBytes(int64(len(pkt)))
			for b.Loop() {
				c2CFB8(blk, reg, pkt, false)
			}
		})
	}
}
