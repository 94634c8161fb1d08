package ciphers

import (
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"math/bits"
	"sync"
)

// GOST 28147-89 as libmcrypt's "gost" computes it (NSCA method 23), which
// differs from the standard's usual implementations in three ways, all
// confirmed against packets captured from send_nsca:
//
//   - the 256-bit key is eight little-endian 32-bit words K0..K7;
//   - the 64-bit block is read as two big-endian words n1 (bytes 0..3) and
//     n2 (bytes 4..7) and written back as n2 then n1, big-endian;
//   - the S-box row k1 is the one printed in Applied Cryptography, whose
//     last entry is 2 where a permutation would have 12.
//
// Otherwise it is GOST's Feistel network: 32 rounds with the subkeys
// K0..K7 three times then K7..K0, the round function adding the subkey
// modulo 2^32, substituting each 4-bit nibble and rotating left 11 bits.

const (
	gostBlockSize = 8
	gostKeySize   = 32
)

// gostSBox holds rows k1..k8: nibble i of the round function's input
// (i = 0 least significant) goes through row k(i+1).
var gostSBox = [8][16]byte{
	{1, 15, 13, 0, 5, 7, 10, 4, 9, 2, 3, 14, 6, 11, 8, 2}, // k1, libmcrypt's misprint
	{13, 11, 4, 1, 3, 15, 5, 9, 0, 10, 14, 7, 6, 8, 2, 12},
	{4, 11, 10, 0, 7, 2, 1, 13, 3, 6, 8, 5, 9, 12, 15, 14},
	{6, 12, 7, 1, 5, 15, 13, 8, 4, 10, 9, 14, 0, 3, 11, 2},
	{7, 13, 10, 1, 0, 8, 9, 15, 14, 4, 6, 12, 11, 2, 5, 3},
	{5, 8, 1, 13, 10, 3, 4, 2, 14, 15, 12, 7, 6, 0, 9, 11},
	{14, 11, 4, 12, 6, 13, 15, 10, 2, 3, 8, 1, 0, 7, 5, 9},
	{4, 10, 9, 2, 13, 8, 0, 14, 6, 11, 1, 12, 7, 15, 5, 3},
}

// gostTable is the round function as four byte-indexed tables: f[j][b] is
// the substitution of byte j of the input (two nibbles), placed at byte j
// and rotated left 11 bits. Substitution and rotation act on disjoint bits,
// so f(x) is the XOR of the four lookups.
type gostTable [4][256]uint32

// gostF builds the table on first use (by the first NewGOST), so that a
// process that never uses GOST does not pay for it at start-up.
var gostF = sync.OnceValue(gostBuild)

func gostBuild() *gostTable {
	t := new(gostTable)
	for j := range 4 {
		for b := range 256 {
			lo := uint32(gostSBox[2*j][b&15])
			hi := uint32(gostSBox[2*j+1][b>>4])
			t[j][b] = bits.RotateLeft32((hi<<4|lo)<<(8*j), 11)
		}
	}
	return t
}

type gostCipher struct {
	f *gostTable
	k [32]uint32 // the subkey of each round, in encryption order
}

// NewGOST returns libmcrypt's GOST 28147-89 for a 32-byte key.
func NewGOST(key []byte) (cipher.Block, error) {
	if len(key) != gostKeySize {
		return nil, fmt.Errorf("gost: invalid key length %d bytes (want 32)", len(key))
	}
	c := &gostCipher{f: gostF()}
	for i := range 8 {
		w := binary.LittleEndian.Uint32(key[4*i:])
		c.k[i], c.k[8+i], c.k[16+i] = w, w, w
		c.k[31-i] = w
	}
	return c, nil
}

func (c *gostCipher) BlockSize() int { return gostBlockSize }

func gostRound(f *gostTable, x uint32) uint32 {
	return f[0][x&0xff] ^ f[1][x>>8&0xff] ^ f[2][x>>16&0xff] ^ f[3][x>>24]
}

// Encrypt runs the 32 rounds, alternating n2 ^= f(n1+K) and n1 ^= f(n2+K).
func (c *gostCipher) Encrypt(dst, src []byte) {
	if len(src) < gostBlockSize || len(dst) < gostBlockSize {
		panic("gost: block is shorter than 8 bytes")
	}
	f := c.f
	n1 := binary.BigEndian.Uint32(src[0:])
	n2 := binary.BigEndian.Uint32(src[4:])
	for r := 0; r < 32; r += 2 {
		n2 ^= gostRound(f, n1+c.k[r])
		n1 ^= gostRound(f, n2+c.k[r+1])
	}
	binary.BigEndian.PutUint32(dst[0:], n2)
	binary.BigEndian.PutUint32(dst[4:], n1)
}

// Decrypt undoes the rounds of Encrypt from the last to the first.
func (c *gostCipher) Decrypt(dst, src []byte) {
	if len(src) < gostBlockSize || len(dst) < gostBlockSize {
		panic("gost: block is shorter than 8 bytes")
	}
	f := c.f
	n2 := binary.BigEndian.Uint32(src[0:])
	n1 := binary.BigEndian.Uint32(src[4:])
	for r := 31; r > 0; r -= 2 {
		n1 ^= gostRound(f, n2+c.k[r])
		n2 ^= gostRound(f, n1+c.k[r-1])
	}
	binary.BigEndian.PutUint32(dst[0:], n1)
	binary.BigEndian.PutUint32(dst[4:], n2)
}
