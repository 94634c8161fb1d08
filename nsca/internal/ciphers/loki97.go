package ciphers

import (
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"sync"
)

// LOKI97 (L. Brown, J. Pieprzyk, "Introducing the new LOKI97 Block Cipher",
// AES candidate, 1998): a 16-round Feistel network on two 64-bit halves,
// whose round function f is two substitution-permutation layers over the
// S-boxes S1 (13-bit input) and S2 (11-bit input), with 48 subkeys from a
// 256-bit key schedule that runs the same f.
//
// The specification reads key and block as big-endian 64-bit words. libmcrypt's
// "loki97" (NSCA method 10) reads them as little-endian 32-bit words, so to
// match it every 4-byte group of the key, of the input block and of the
// output block is byte-reversed around the standard algorithm.

const loki97BlockSize = 16

// loki97Delta is floor((sqrt(5)-1) * 2^63), the key schedule constant.
const loki97Delta = 0x9E3779B97F4A7C15

// loki97Tables are the S-boxes and the permutation P, built on first use.
type loki97Tables struct {
	s1 [1 << 13]uint8 // S1(x) = ((x ^ 0x1FFF)^3 mod 0x2911) & 0xFF in GF(2^13)
	s2 [1 << 11]uint8 // S2(x) = ((x ^ 0x7FF)^3 mod 0xAA7) & 0xFF in GF(2^11)
	// p[i][v] is P applied to byte v placed in byte i of a 64-bit word
	// (i = 0 the least significant byte), so P(x) is the OR of eight
	// lookups.
	p [8][256]uint64
}

var (
	loki97Once sync.Once
	loki97T    *loki97Tables
)

// loki97GFCube returns x^3 in GF(2^n) modulo the polynomial poly (degree n).
func loki97GFCube(x, poly uint32, n uint) uint32 {
	return loki97GFMul(loki97GFMul(x, x, poly, n), x, poly, n)
}

func loki97GFMul(a, b, poly uint32, n uint) uint32 {
	var r uint32
	for b != 0 {
		if b&1 != 0 {
			r ^= a
		}
		b >>= 1
		a <<= 1
		if a&(1<<n) != 0 {
			a ^= poly
		}
	}
	return r
}

// loki97PermDest returns the output bit of P for input bit i (bit 0 the
// least significant): P transposes the 8x8 bit matrix of the word, the
// specification's list 56, 48, 40, ..., 0, 57, 49, ... read from input bit
// 63 down.
func loki97PermDest(i int) int {
	a, b := i/8, i%8 // byte a, bit b
	return 8*b + (7 - a)
}

func loki97Init() {
	t := new(loki97Tables)
	for x := range uint32(len(t.s1)) {
		t.s1[x] = uint8(loki97GFCube(x^0x1FFF, 0x2911, 13))
	}
	for x := range uint32(len(t.s2)) {
		t.s2[x] = uint8(loki97GFCube(x^0x7FF, 0xAA7, 11))
	}
	for i := range 8 {
		for v := range 256 {
			var out uint64
			for b := range 8 {
				if v>>b&1 != 0 {
					out |= 1 << loki97PermDest(8*i+b)
				}
			}
			t.p[i][v] = out
		}
	}
	loki97T = t
}

type loki97Cipher struct {
	t      *loki97Tables
	sk     [48]uint64
	mcrypt bool // libmcrypt's byte order (reverse each 4-byte group)
}

// NewLOKI97 returns LOKI97 as libmcrypt's "loki97" computes it (NSCA method
// 10): a 32-byte key, and key, input and output taken with every 4-byte
// group byte-reversed relative to the specification.
func NewLOKI97(key []byte) (cipher.Block, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("loki97: invalid key length %d bytes (want 32)", len(key))
	}
	var k [32]byte
	copy(k[:], key)
	loki97Reverse4(k[:])
	c, err := newLOKI97Spec(k[:])
	if err != nil {
		return nil, err
	}
	c.mcrypt = true
	return c, nil
}

// newLOKI97Spec returns LOKI97 exactly as specified, with a 32-byte key
// [Ka|Kb|Kc|Kd] (the specification's shorter keys are not offered: NSCA
// always pads to 32 bytes).
func newLOKI97Spec(key []byte) (*loki97Cipher, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("loki97: invalid key length %d bytes (want 32)", len(key))
	}
	loki97Once.Do(loki97Init)
	c := &loki97Cipher{t: loki97T}
	// [K4|K3|K2|K1] = [Ka|Kb|Kc|Kd]; then 48 rounds of
	// SK_i = K1_i = K4 ^ g_i(K1, K3, K2), g_i = f(K1 + K3 + Delta*i, K2),
	// with K4_i = K3, K3_i = K2, K2_i = K1 of the round before.
	k4 := binary.BigEndian.Uint64(key[0:])
	k3 := binary.BigEndian.Uint64(key[8:])
	k2 := binary.BigEndian.Uint64(key[16:])
	k1 := binary.BigEndian.Uint64(key[24:])
	for i := range 48 {
		sk := k4 ^ c.f(k1+k3+loki97Delta*uint64(i+1), k2)
		k4, k3, k2, k1 = k3, k2, k1, sk
		c.sk[i] = sk
	}
	return c, nil
}

// loki97Reverse4 byte-reverses every 4-byte group of b in place.
func loki97Reverse4(b []byte) {
	for i := 0; i+4 <= len(b); i += 4 {
		b[i], b[i+1], b[i+2], b[i+3] = b[i+3], b[i+2], b[i+1], b[i]
	}
}

// f is the round function f(A, B) = Sb(P(Sa(E(KP(A, B)))), B).
func (c *loki97Cipher) f(a, b uint64) uint64 {
	t := c.t
	// KP: swap the bits of the two 32-bit halves of A where the low half
	// of B has a 1.
	al, ar, m := uint32(a>>32), uint32(a), uint32(b)
	x := uint64((al&^m)|(ar&m))<<32 | uint64((ar&^m)|(al&m))
	// E expands 64 to 96 bits: [4-0,63-56] [58-48] [52-40] [42-32]
	// [34-24] [28-16] [18-8] [12-0], each through Sa = S1 S2 S1 S2 S2 S1 S2
	// S1; the eight output bytes (first = most significant) go through P.
	p := t.p[7][t.s1[(x&0x1F)<<8|x>>56]] |
		t.p[6][t.s2[(x>>48)&0x7FF]] |
		t.p[5][t.s1[(x>>40)&0x1FFF]] |
		t.p[4][t.s2[(x>>32)&0x7FF]] |
		t.p[3][t.s2[(x>>24)&0x7FF]] |
		t.p[2][t.s1[(x>>16)&0x1FFF]] |
		t.p[1][t.s2[(x>>8)&0x7FF]] |
		t.p[0][t.s1[x&0x1FFF]]
	// Sb = S2 S2 S1 S1 S2 S2 S1 S1, each on one byte of P's output with
	// the high bits taken from the upper half of B: [63-61] [60-58] [57-53]
	// [52-48] [47-45] [44-42] [41-37] [36-32].
	h := b >> 32
	return uint64(t.s2[(h>>29&0x7)<<8|p>>56&0xFF])<<56 |
		uint64(t.s2[(h>>26&0x7)<<8|p>>48&0xFF])<<48 |
		uint64(t.s1[(h>>21&0x1F)<<8|p>>40&0xFF])<<40 |
		uint64(t.s1[(h>>16&0x1F)<<8|p>>32&0xFF])<<32 |
		uint64(t.s2[(h>>13&0x7)<<8|p>>24&0xFF])<<24 |
		uint64(t.s2[(h>>10&0x7)<<8|p>>16&0xFF])<<16 |
		uint64(t.s1[(h>>5&0x1F)<<8|p>>8&0xFF])<<8 |
		uint64(t.s1[(h&0x1F)<<8|p&0xFF])
}

func (c *loki97Cipher) BlockSize() int { return loki97BlockSize }

// load reads the block as two big-endian 64-bit halves, after libmcrypt's
// 4-byte reversal when that variant is in use.
func (c *loki97Cipher) load(src []byte) (l, r uint64) {
	if !c.mcrypt {
		return binary.BigEndian.Uint64(src[0:]), binary.BigEndian.Uint64(src[8:])
	}
	w0 := uint64(binary.LittleEndian.Uint32(src[0:]))
	w1 := uint64(binary.LittleEndian.Uint32(src[4:]))
	w2 := uint64(binary.LittleEndian.Uint32(src[8:]))
	w3 := uint64(binary.LittleEndian.Uint32(src[12:]))
	return w0<<32 | w1, w2<<32 | w3
}

func (c *loki97Cipher) store(dst []byte, l, r uint64) {
	if !c.mcrypt {
		binary.BigEndian.PutUint64(dst[0:], l)
		binary.BigEndian.PutUint64(dst[8:], r)
		return
	}
	binary.LittleEndian.PutUint32(dst[0:], uint32(l>>32))
	binary.LittleEndian.PutUint32(dst[4:], uint32(l))
	binary.LittleEndian.PutUint32(dst[8:], uint32(r>>32))
	binary.LittleEndian.PutUint32(dst[12:], uint32(r))
}

func (c *loki97Cipher) Encrypt(dst, src []byte) {
	if len(src) < loki97BlockSize {
		panic("loki97: input not full block")
	}
	if len(dst) < loki97BlockSize {
		panic("loki97: output not full block")
	}
	l, r := c.load(src)
	for i := 0; i < 48; i += 3 {
		t := r + c.sk[i]
		l, r = t+c.sk[i+2], l^c.f(t, c.sk[i+1])
	}
	c.store(dst, r, l)
}

func (c *loki97Cipher) Decrypt(dst, src []byte) {
	if len(src) < loki97BlockSize {
		panic("loki97: input not full block")
	}
	if len(dst) < loki97BlockSize {
		panic("loki97: output not full block")
	}
	r, l := c.load(src)
	for i := 45; i >= 0; i -= 3 {
		t := l - c.sk[i+2]
		l, r = r^c.f(t, c.sk[i+1]), t-c.sk[i]
	}
	c.store(dst, l, r)
}
