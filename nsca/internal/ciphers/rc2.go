package ciphers

import (
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"math/bits"
)

// RC2 as specified in RFC 2268 ("A Description of the RC2(r) Encryption
// Algorithm"): a 64-bit block of four little-endian 16-bit words, a key of 1
// to 128 bytes expanded into 64 16-bit subkeys, and an effective key length
// in bits that limits the search space of the expanded key.
//
// libmcrypt's "rc2" (NSCA method 11) takes the full 128-byte key with
// effective key bits 1024, which still applies the one PITABLE substitution
// of RFC 2268 section 2 to L[0].

const (
	rc2BlockSize = 8
	// rc2MaxKey is the longest key of RFC 2268 and the key NSCA passes.
	rc2MaxKey = 128
	// rc2MCryptEffectiveBits is the effective key length libmcrypt uses.
	rc2MCryptEffectiveBits = 1024
)

// rc2PiTable is PITABLE of RFC 2268 section 2, a permutation of 0..255
// "based on the expansion of pi".
var rc2PiTable = [256]byte{
	0xd9, 0x78, 0xf9, 0xc4, 0x19, 0xdd, 0xb5, 0xed, 0x28, 0xe9, 0xfd, 0x79, 0x4a, 0xa0, 0xd8, 0x9d,
	0xc6, 0x7e, 0x37, 0x83, 0x2b, 0x76, 0x53, 0x8e, 0x62, 0x4c, 0x64, 0x88, 0x44, 0x8b, 0xfb, 0xa2,
	0x17, 0x9a, 0x59, 0xf5, 0x87, 0xb3, 0x4f, 0x13, 0x61, 0x45, 0x6d, 0x8d, 0x09, 0x81, 0x7d, 0x32,
	0xbd, 0x8f, 0x40, 0xeb, 0x86, 0xb7, 0x7b, 0x0b, 0xf0, 0x95, 0x21, 0x22, 0x5c, 0x6b, 0x4e, 0x82,
	0x54, 0xd6, 0x65, 0x93, 0xce, 0x60, 0xb2, 0x1c, 0x73, 0x56, 0xc0, 0x14, 0xa7, 0x8c, 0xf1, 0xdc,
	0x12, 0x75, 0xca, 0x1f, 0x3b, 0xbe, 0xe4, 0xd1, 0x42, 0x3d, 0xd4, 0x30, 0xa3, 0x3c, 0xb6, 0x26,
	0x6f, 0xbf, 0x0e, 0xda, 0x46, 0x69, 0x07, 0x57, 0x27, 0xf2, 0x1d, 0x9b, 0xbc, 0x94, 0x43, 0x03,
	0xf8, 0x11, 0xc7, 0xf6, 0x90, 0xef, 0x3e, 0xe7, 0x06, 0xc3, 0xd5, 0x2f, 0xc8, 0x66, 0x1e, 0xd7,
	0x08, 0xe8, 0xea, 0xde, 0x80, 0x52, 0xee, 0xf7, 0x84, 0xaa, 0x72, 0xac, 0x35, 0x4d, 0x6a, 0x2a,
	0x96, 0x1a, 0xd2, 0x71, 0x5a, 0x15, 0x49, 0x74, 0x4b, 0x9f, 0xd0, 0x5e, 0x04, 0x18, 0xa4, 0xec,
	0xc2, 0xe0, 0x41, 0x6e, 0x0f, 0x51, 0xcb, 0xcc, 0x24, 0x91, 0xaf, 0x50, 0xa1, 0xf4, 0x70, 0x39,
	0x99, 0x7c, 0x3a, 0x85, 0x23, 0xb8, 0xb4, 0x7a, 0xfc, 0x02, 0x36, 0x5b, 0x25, 0x55, 0x97, 0x31,
	0x2d, 0x5d, 0xfa, 0x98, 0xe3, 0x8a, 0x92, 0xae, 0x05, 0xdf, 0x29, 0x10, 0x67, 0x6c, 0xba, 0xc9,
	0xd3, 0x00, 0xe6, 0xcf, 0xe1, 0x9e, 0xa8, 0x2c, 0x63, 0x16, 0x01, 0x3f, 0x58, 0xe2, 0x89, 0xa9,
	0x0d, 0x38, 0x34, 0x1b, 0xab, 0x33, 0xff, 0xb0, 0xbb, 0x48, 0x0c, 0x5f, 0xb9, 0xb1, 0xcd, 0x2e,
	0xc5, 0xf3, 0xdb, 0x47, 0xe5, 0xa5, 0x9c, 0x77, 0x0a, 0xa6, 0x20, 0x68, 0xfe, 0x7f, 0xc1, 0xad,
}

type rc2Cipher struct {
	k [64]uint16
}

// NewRC2 returns RC2 as libmcrypt's "rc2" runs it for NSCA: key of 1 to 128
// bytes (NSCA always passes 128), effective key bits 1024.
func NewRC2(key []byte) (cipher.Block, error) {
	return newRC2(key, rc2MCryptEffectiveBits)
}

// newRC2 is the RFC 2268 key expansion with an explicit effective key
// length T1 in bits (1..1024).
func newRC2(key []byte, effectiveBits int) (*rc2Cipher, error) {
	t := len(key)
	if t < 1 || t > rc2MaxKey {
		return nil, fmt.Errorf("rc2: invalid key length %d bytes (want 1..128)", t)
	}
	if effectiveBits < 1 || effectiveBits > 1024 {
		return nil, fmt.Errorf("rc2: invalid effective key length %d bits (want 1..1024)", effectiveBits)
	}
	var l [128]byte
	copy(l[:], key)
	for i := t; i < 128; i++ {
		l[i] = rc2PiTable[l[i-1]+l[i-t]]
	}
	t8 := (effectiveBits + 7) / 8
	tm := byte(255 >> uint(8*t8-effectiveBits))
	l[128-t8] = rc2PiTable[l[128-t8]&tm]
	for i := 127 - t8; i >= 0; i-- {
		l[i] = rc2PiTable[l[i+1]^l[i+t8]]
	}
	c := new(rc2Cipher)
	for i := range c.k {
		c.k[i] = uint16(l[2*i]) | uint16(l[2*i+1])<<8
	}
	return c, nil
}

func (c *rc2Cipher) BlockSize() int { return rc2BlockSize }

// Encrypt runs 5 mixing rounds, a mashing round, 6 mixing rounds, a
// mashing round and 5 mixing rounds (RFC 2268 section 3).
func (c *rc2Cipher) Encrypt(dst, src []byte) {
	if len(src) < rc2BlockSize || len(dst) < rc2BlockSize {
		panic("rc2: block is shorter than 8 bytes")
	}
	r0 := binary.LittleEndian.Uint16(src[0:])
	r1 := binary.LittleEndian.Uint16(src[2:])
	r2 := binary.LittleEndian.Uint16(src[4:])
	r3 := binary.LittleEndian.Uint16(src[6:])
	k := &c.k
	for i := range 16 {
		if i == 5 || i == 11 {
			// Mashing round.
			r0 += k[r3&63]
			r1 += k[r0&63]
			r2 += k[r1&63]
			r3 += k[r2&63]
		}
		// Mixing round, subkeys K[4i..4i+3].
		j := 4 * (i & 15)
		r0 += k[j] + (r3 & r2) + (^r3 & r1)
		r0 = bits.RotateLeft16(r0, 1)
		r1 += k[j+1] + (r0 & r3) + (^r0 & r2)
		r1 = bits.RotateLeft16(r1, 2)
		r2 += k[j+2] + (r1 & r0) + (^r1 & r3)
		r2 = bits.RotateLeft16(r2, 3)
		r3 += k[j+3] + (r2 & r1) + (^r2 & r0)
		r3 = bits.RotateLeft16(r3, 5)
	}
	binary.LittleEndian.PutUint16(dst[0:], r0)
	binary.LittleEndian.PutUint16(dst[2:], r1)
	binary.LittleEndian.PutUint16(dst[4:], r2)
	binary.LittleEndian.PutUint16(dst[6:], r3)
}

// Decrypt inverts Encrypt with the r-mixing and r-mashing rounds of RFC
// 2268 section 4, in reverse order.
func (c *rc2Cipher) Decrypt(dst, src []byte) {
	if len(src) < rc2BlockSize || len(dst) < rc2BlockSize {
		panic("rc2: block is shorter than 8 bytes")
	}
	r0 := binary.LittleEndian.Uint16(src[0:])
	r1 := binary.LittleEndian.Uint16(src[2:])
	r2 := binary.LittleEndian.Uint16(src[4:])
	r3 := binary.LittleEndian.Uint16(src[6:])
	k := &c.k
	for i := 15; i >= 0; i-- {
		// R-mixing round, subkeys K[4i+3..4i].
		j := 4 * (i & 15)
		r3 = bits.RotateLeft16(r3, -5)
		r3 -= k[j+3] + (r2 & r1) + (^r2 & r0)
		r2 = bits.RotateLeft16(r2, -3)
		r2 -= k[j+2] + (r1 & r0) + (^r1 & r3)
		r1 = bits.RotateLeft16(r1, -2)
		r1 -= k[j+1] + (r0 & r3) + (^r0 & r2)
		r0 = bits.RotateLeft16(r0, -1)
		r0 -= k[j] + (r3 & r2) + (^r3 & r1)
		if i == 5 || i == 11 {
			// R-mashing round.
			r3 -= k[r2&63]
			r2 -= k[r1&63]
			r1 -= k[r0&63]
			r0 -= k[r3&63]
		}
	}
	binary.LittleEndian.PutUint16(dst[0:], r0)
	binary.LittleEndian.PutUint16(dst[2:], r1)
	binary.LittleEndian.PutUint16(dst[4:], r2)
	binary.LittleEndian.PutUint16(dst[6:], r3)
}
