package ciphers

import (
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"math/bits"
)

// Serpent (R. Anderson, E. Biham, L. Knudsen, "Serpent: A Proposal for the
// Advanced Encryption Standard") in its bitsliced description: the 128-bit
// block is four 32-bit words, 32 rounds of key mixing, one of eight 4-bit
// S-boxes applied across the words, and the linear transformation.
//
// Byte order: key and block bytes are read as little-endian 32-bit words,
// word 0 first, the convention of the NESSIE test vectors and of libmcrypt's
// "serpent" (NSCA method 20).

const serpentBlockSize = 16

// serpentSBox is S0..S7 of the specification; serpent_sbox.go holds the
// bitsliced form actually used.
var serpentSBox = [8][16]uint8{
	{3, 8, 15, 1, 10, 6, 5, 11, 14, 13, 4, 2, 7, 0, 9, 12},
	{15, 12, 2, 7, 9, 0, 5, 10, 1, 11, 14, 8, 6, 13, 3, 4},
	{8, 6, 7, 9, 3, 12, 10, 15, 13, 1, 14, 4, 0, 11, 5, 2},
	{0, 15, 11, 8, 12, 9, 6, 3, 13, 1, 2, 4, 10, 7, 5, 14},
	{1, 15, 8, 3, 12, 0, 11, 6, 2, 5, 4, 10, 9, 14, 7, 13},
	{15, 5, 2, 11, 4, 10, 9, 12, 0, 3, 14, 8, 13, 6, 7, 1},
	{7, 2, 12, 5, 8, 4, 6, 11, 14, 9, 1, 15, 13, 3, 10, 0},
	{1, 13, 15, 0, 14, 8, 2, 11, 7, 4, 12, 10, 9, 3, 5, 6},
}

// serpentPhi is the fractional part of the golden ratio, (sqrt(5)-1)*2^31.
const serpentPhi = 0x9e3779b9

type serpentCipher struct {
	k [33][4]uint32 // round keys K0..K32
}

// NewSerpent returns Serpent with a 16-, 24- or 32-byte key (NSCA uses 32).
// Shorter keys are padded as the specification says: one 1 bit after the
// key, then zeros, to 256 bits.
func NewSerpent(key []byte) (cipher.Block, error) {
	switch len(key) {
	case 16, 24, 32:
	default:
		return nil, fmt.Errorf("serpent: invalid key length %d bytes (want 16, 24 or 32)", len(key))
	}
	var padded [32]byte
	copy(padded[:], key)
	if len(key) < 32 {
		padded[len(key)] = 0x01
	}
	c := new(serpentCipher)
	c.expandKey(&padded)
	return c, nil
}

func (c *serpentCipher) expandKey(key *[32]byte) {
	// w[0..7] are the key words w_-8..w_-1, w[8+i] the prekey w_i.
	var w [8 + 132]uint32
	for i := range 8 {
		w[i] = binary.LittleEndian.Uint32(key[4*i:])
	}
	for i := range 132 {
		x := w[i] ^ w[i+3] ^ w[i+5] ^ w[i+7] ^ serpentPhi ^ uint32(i)
		w[i+8] = bits.RotateLeft32(x, 11)
	}
	p := w[8:]
	for i := range 33 {
		a, b, d, e := p[4*i], p[4*i+1], p[4*i+2], p[4*i+3]
		// K_i uses S-box (3 - i) mod 8.
		a, b, d, e = serpentSBoxN((3-i+32)%8, a, b, d, e)
		c.k[i] = [4]uint32{a, b, d, e}
	}
}

func serpentSBoxN(n int, x0, x1, x2, x3 uint32) (uint32, uint32, uint32, uint32) {
	switch n {
	case 0:
		return serpentS0(x0, x1, x2, x3)
	case 1:
		return serpentS1(x0, x1, x2, x3)
	case 2:
		return serpentS2(x0, x1, x2, x3)
	case 3:
		return serpentS3(x0, x1, x2, x3)
	case 4:
		return serpentS4(x0, x1, x2, x3)
	case 5:
		return serpentS5(x0, x1, x2, x3)
	case 6:
		return serpentS6(x0, x1, x2, x3)
	default:
		return serpentS7(x0, x1, x2, x3)
	}
}

func serpentSInvN(n int, x0, x1, x2, x3 uint32) (uint32, uint32, uint32, uint32) {
	switch n {
	case 0:
		return serpentSInv0(x0, x1, x2, x3)
	case 1:
		return serpentSInv1(x0, x1, x2, x3)
	case 2:
		return serpentSInv2(x0, x1, x2, x3)
	case 3:
		return serpentSInv3(x0, x1, x2, x3)
	case 4:
		return serpentSInv4(x0, x1, x2, x3)
	case 5:
		return serpentSInv5(x0, x1, x2, x3)
	case 6:
		return serpentSInv6(x0, x1, x2, x3)
	default:
		return serpentSInv7(x0, x1, x2, x3)
	}
}

func (c *serpentCipher) BlockSize() int { return serpentBlockSize }

// serpentLT is the linear transformation between rounds.
func serpentLT(x0, x1, x2, x3 uint32) (uint32, uint32, uint32, uint32) {
	x0 = bits.RotateLeft32(x0, 13)
	x2 = bits.RotateLeft32(x2, 3)
	x1 ^= x0 ^ x2
	x3 ^= x2 ^ (x0 << 3)
	x1 = bits.RotateLeft32(x1, 1)
	x3 = bits.RotateLeft32(x3, 7)
	x0 ^= x1 ^ x3
	x2 ^= x3 ^ (x1 << 7)
	x0 = bits.RotateLeft32(x0, 5)
	x2 = bits.RotateLeft32(x2, 22)
	return x0, x1, x2, x3
}

// serpentLTInv undoes serpentLT.
func serpentLTInv(x0, x1, x2, x3 uint32) (uint32, uint32, uint32, uint32) {
	x2 = bits.RotateLeft32(x2, -22)
	x0 = bits.RotateLeft32(x0, -5)
	x2 ^= x3 ^ (x1 << 7)
	x0 ^= x1 ^ x3
	x3 = bits.RotateLeft32(x3, -7)
	x1 = bits.RotateLeft32(x1, -1)
	x3 ^= x2 ^ (x0 << 3)
	x1 ^= x0 ^ x2
	x2 = bits.RotateLeft32(x2, -3)
	x0 = bits.RotateLeft32(x0, -13)
	return x0, x1, x2, x3
}

func (c *serpentCipher) Encrypt(dst, src []byte) {
	if len(src) < serpentBlockSize {
		panic("serpent: input not full block")
	}
	if len(dst) < serpentBlockSize {
		panic("serpent: output not full block")
	}
	x0 := binary.LittleEndian.Uint32(src[0:])
	x1 := binary.LittleEndian.Uint32(src[4:])
	x2 := binary.LittleEndian.Uint32(src[8:])
	x3 := binary.LittleEndian.Uint32(src[12:])
	k := &c.k
	for r := 0; r < 32; r += 8 {
		x0, x1, x2, x3 = serpentLT(serpentS0(x0^k[r][0], x1^k[r][1], x2^k[r][2], x3^k[r][3]))
		x0, x1, x2, x3 = serpentLT(serpentS1(x0^k[r+1][0], x1^k[r+1][1], x2^k[r+1][2], x3^k[r+1][3]))
		x0, x1, x2, x3 = serpentLT(serpentS2(x0^k[r+2][0], x1^k[r+2][1], x2^k[r+2][2], x3^k[r+2][3]))
		x0, x1, x2, x3 = serpentLT(serpentS3(x0^k[r+3][0], x1^k[r+3][1], x2^k[r+3][2], x3^k[r+3][3]))
		x0, x1, x2, x3 = serpentLT(serpentS4(x0^k[r+4][0], x1^k[r+4][1], x2^k[r+4][2], x3^k[r+4][3]))
		x0, x1, x2, x3 = serpentLT(serpentS5(x0^k[r+5][0], x1^k[r+5][1], x2^k[r+5][2], x3^k[r+5][3]))
		x0, x1, x2, x3 = serpentLT(serpentS6(x0^k[r+6][0], x1^k[r+6][1], x2^k[r+6][2], x3^k[r+6][3]))
		x0, x1, x2, x3 = serpentS7(x0^k[r+7][0], x1^k[r+7][1], x2^k[r+7][2], x3^k[r+7][3])
		if r < 24 {
			x0, x1, x2, x3 = serpentLT(x0, x1, x2, x3)
		}
	}
	x0 ^= k[32][0]
	x1 ^= k[32][1]
	x2 ^= k[32][2]
	x3 ^= k[32][3]
	binary.LittleEndian.PutUint32(dst[0:], x0)
	binary.LittleEndian.PutUint32(dst[4:], x1)
	binary.LittleEndian.PutUint32(dst[8:], x2)
	binary.LittleEndian.PutUint32(dst[12:], x3)
}

func (c *serpentCipher) Decrypt(dst, src []byte) {
	if len(src) < serpentBlockSize {
		panic("serpent: input not full block")
	}
	if len(dst) < serpentBlockSize {
		panic("serpent: output not full block")
	}
	k := &c.k
	x0 := binary.LittleEndian.Uint32(src[0:]) ^ k[32][0]
	x1 := binary.LittleEndian.Uint32(src[4:]) ^ k[32][1]
	x2 := binary.LittleEndian.Uint32(src[8:]) ^ k[32][2]
	x3 := binary.LittleEndian.Uint32(src[12:]) ^ k[32][3]
	for r := 31; r >= 0; r-- {
		if r < 31 {
			x0, x1, x2, x3 = serpentLTInv(x0, x1, x2, x3)
		}
		x0, x1, x2, x3 = serpentSInvN(r%8, x0, x1, x2, x3)
		x0 ^= k[r][0]
		x1 ^= k[r][1]
		x2 ^= k[r][2]
		x3 ^= k[r][3]
	}
	binary.LittleEndian.PutUint32(dst[0:], x0)
	binary.LittleEndian.PutUint32(dst[4:], x1)
	binary.LittleEndian.PutUint32(dst[8:], x2)
	binary.LittleEndian.PutUint32(dst[12:], x3)
}
