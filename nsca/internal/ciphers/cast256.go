package ciphers

import (
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"math/bits"
)

// CAST-256 as specified in RFC 2612: a 128-bit block of four 32-bit words
// A, B, C, D, six forward quad-rounds Q and six reverse quad-rounds QBAR
// with the round functions f1, f2, f3 over the S-boxes S1..S4, and a key of
// 128 to 256 bits (zero-padded to 256) expanded by 12 pairs of forward
// octaves W into 48 masking and 48 rotation subkeys.
//
// The RFC reads key and block as big-endian words. libmcrypt's "cast-256"
// (NSCA method 5) reads them as little-endian words: it equals the RFC
// cipher with every 4-byte group of the key, the input and the output
// byte-reversed. NewCAST256 is that variant; the RFC cipher is
// newCAST256RFC.

const (
	cast256BlockSize = 16
	cast256MaxKey    = 32
)

type cast256Cipher struct {
	km [12][4]uint32 // masking subkeys Km_i
	kr [12][4]uint8  // rotation subkeys Kr_i (5 bits)
	// littleEndian selects libmcrypt's word order.
	littleEndian bool
}

// NewCAST256 returns CAST-256 as libmcrypt's "cast-256" computes it: key,
// input and output read and written as little-endian 32-bit words. The key
// is 16, 20, 24, 28 or 32 bytes (NSCA passes 32).
func NewCAST256(key []byte) (cipher.Block, error) {
	if err := cast256CheckKey(key); err != nil {
		return nil, err
	}
	k := make([]byte, len(key))
	for i := 0; i < len(key); i += 4 {
		binary.BigEndian.PutUint32(k[i:], binary.LittleEndian.Uint32(key[i:]))
	}
	c := newCAST256Schedule(k)
	c.littleEndian = true
	return c, nil
}

// newCAST256RFC returns CAST-256 exactly as RFC 2612 specifies it.
func newCAST256RFC(key []byte) (*cast256Cipher, error) {
	if err := cast256CheckKey(key); err != nil {
		return nil, err
	}
	return newCAST256Schedule(key), nil
}

func cast256CheckKey(key []byte) error {
	if n := len(key); n < 16 || n > cast256MaxKey || n%4 != 0 {
		return fmt.Errorf("cast256: invalid key length %d bytes (want 16, 20, 24, 28 or 32)", n)
	}
	return nil
}

func cast256F1(d, km uint32, kr uint8) uint32 {
	i := bits.RotateLeft32(km+d, int(kr))
	return ((cast256S[0][i>>24] ^ cast256S[1][i>>16&0xff]) - cast256S[2][i>>8&0xff]) + cast256S[3][i&0xff]
}

func cast256F2(d, km uint32, kr uint8) uint32 {
	i := bits.RotateLeft32(km^d, int(kr))
	return ((cast256S[0][i>>24] - cast256S[1][i>>16&0xff]) + cast256S[2][i>>8&0xff]) ^ cast256S[3][i&0xff]
}

func cast256F3(d, km uint32, kr uint8) uint32 {
	i := bits.RotateLeft32(km-d, int(kr))
	return ((cast256S[0][i>>24] + cast256S[1][i>>16&0xff]) ^ cast256S[2][i>>8&0xff]) - cast256S[3][i&0xff]
}

// newCAST256Schedule runs the key schedule of RFC 2612 section 2.4 on a
// big-endian key of 16..32 bytes (a multiple of 4, checked by the caller).
func newCAST256Schedule(key []byte) *cast256Cipher {
	var kappa [8]uint32 // A B C D E F G H
	var padded [32]byte
	copy(padded[:], key)
	for i := range kappa {
		kappa[i] = binary.BigEndian.Uint32(padded[4*i:])
	}

	// Tm and Tr: Cm = 2^30*sqrt(2), Mm = 2^30*sqrt(3), Cr = 19, Mr = 17.
	var tm [24][8]uint32
	var tr [24][8]uint8
	cm, cr := uint32(0x5a827999), uint8(19)
	for i := range 24 {
		for j := range 8 {
			tm[i][j] = cm
			cm += 0x6ed9eba1
			tr[i][j] = cr
			cr = (cr + 17) & 31
		}
	}
	w := func(i int) {
		k := &kappa
		k[6] ^= cast256F1(k[7], tm[i][0], tr[i][0])
		k[5] ^= cast256F2(k[6], tm[i][1], tr[i][1])
		k[4] ^= cast256F3(k[5], tm[i][2], tr[i][2])
		k[3] ^= cast256F1(k[4], tm[i][3], tr[i][3])
		k[2] ^= cast256F2(k[3], tm[i][4], tr[i][4])
		k[1] ^= cast256F3(k[2], tm[i][5], tr[i][5])
		k[0] ^= cast256F1(k[1], tm[i][6], tr[i][6])
		k[7] ^= cast256F2(k[0], tm[i][7], tr[i][7])
	}
	c := new(cast256Cipher)
	for i := range 12 {
		w(2 * i)
		w(2*i + 1)
		// Kr_i = 5 LSBs of (A, C, E, G); Km_i = (H, F, D, B).
		c.kr[i] = [4]uint8{uint8(kappa[0] & 31), uint8(kappa[2] & 31), uint8(kappa[4] & 31), uint8(kappa[6] & 31)}
		c.km[i] = [4]uint32{kappa[7], kappa[5], kappa[3], kappa[1]}
	}
	return c
}

func (c *cast256Cipher) BlockSize() int { return cast256BlockSize }

func (c *cast256Cipher) load(src []byte) (a, b, cc, d uint32) {
	if c.littleEndian {
		return binary.LittleEndian.Uint32(src[0:]), binary.LittleEndian.Uint32(src[4:]),
			binary.LittleEndian.Uint32(src[8:]), binary.LittleEndian.Uint32(src[12:])
	}
	return binary.BigEndian.Uint32(src[0:]), binary.BigEndian.Uint32(src[4:]),
		binary.BigEndian.Uint32(src[8:]), binary.BigEndian.Uint32(src[12:])
}

func (c *cast256Cipher) store(dst []byte, a, b, cc, d uint32) {
	if c.littleEndian {
		binary.LittleEndian.PutUint32(dst[0:], a)
		binary.LittleEndian.PutUint32(dst[4:], b)
		binary.LittleEndian.PutUint32(dst[8:], cc)
		binary.LittleEndian.PutUint32(dst[12:], d)
		return
	}
	binary.BigEndian.PutUint32(dst[0:], a)
	binary.BigEndian.PutUint32(dst[4:], b)
	binary.BigEndian.PutUint32(dst[8:], cc)
	binary.BigEndian.PutUint32(dst[12:], d)
}

// Encrypt applies Q_0..Q_5 then QBAR_6..QBAR_11 (RFC 2612 section 2.3).
func (c *cast256Cipher) Encrypt(dst, src []byte) {
	if len(src) < cast256BlockSize || len(dst) < cast256BlockSize {
		panic("cast256: block is shorter than 16 bytes")
	}
	a, b, cc, d := c.load(src)
	for i := range 6 {
		km, kr := &c.km[i], &c.kr[i]
		cc ^= cast256F1(d, km[0], kr[0])
		b ^= cast256F2(cc, km[1], kr[1])
		a ^= cast256F3(b, km[2], kr[2])
		d ^= cast256F1(a, km[3], kr[3])
	}
	for i := 6; i < 12; i++ {
		km, kr := &c.km[i], &c.kr[i]
		d ^= cast256F1(a, km[3], kr[3])
		a ^= cast256F3(b, km[2], kr[2])
		b ^= cast256F2(cc, km[1], kr[1])
		cc ^= cast256F1(d, km[0], kr[0])
	}
	c.store(dst, a, b, cc, d)
}

// Decrypt applies Q_11..Q_6 then QBAR_5..QBAR_0.
func (c *cast256Cipher) Decrypt(dst, src []byte) {
	if len(src) < cast256BlockSize || len(dst) < cast256BlockSize {
		panic("cast256: block is shorter than 16 bytes")
	}
	a, b, cc, d := c.load(src)
	for i := 11; i >= 6; i-- {
		km, kr := &c.km[i], &c.kr[i]
		cc ^= cast256F1(d, km[0], kr[0])
		b ^= cast256F2(cc, km[1], kr[1])
		a ^= cast256F3(b, km[2], kr[2])
		d ^= cast256F1(a, km[3], kr[3])
	}
	for i := 5; i >= 0; i-- {
		km, kr := &c.km[i], &c.kr[i]
		d ^= cast256F1(a, km[3], kr[3])
		a ^= cast256F3(b, km[2], kr[2])
		b ^= cast256F2(cc, km[1], kr[1])
		cc ^= cast256F1(d, km[0], kr[0])
	}
	c.store(dst, a, b, cc, d)
}
