package ciphers

import (
	"crypto/cipher"
	"fmt"
	"sync"
)

// SAFER+ (J. L. Massey, G. H. Khachatrian, M. K. Kuregian, "Nomination of
// SAFER+ as Candidate Algorithm for the Advanced Encryption Standard",
// Cylink, 1998): a byte-oriented substitution-linear network on a 16-byte
// block with 8, 12 or 16 rounds for 16-, 24- or 32-byte keys. Each round
// mixes in a subkey by XOR or addition mod 256, applies 45^x mod 257 or its
// logarithm, mixes in a second subkey the other way round, and ends with the
// linear layer: four levels of 2-point pseudo-Hadamard transforms with the
// "Armenian shuffle" between them. A last subkey follows the final round.
//
// libmcrypt's "saferplus" (NSCA method 26) takes key, input and output block
// as 32-bit words in reverse word order: the 4-byte groups of each (the
// bytes inside a group keep their order) are reversed around the standard
// algorithm, so a 32-byte key k0..k31 is used as k28..k31 k24..k27 ... k0..k3.

const saferPlusBlockSize = 16

// saferPlusTables holds e(x) = 45^x mod 257 (256 stored as 0) and its
// inverse l, built on first use.
type saferPlusTables struct {
	exp, log [256]uint8
}

var (
	saferPlusOnce sync.Once
	saferPlusT    *saferPlusTables
)

func saferPlusInit() {
	t := new(saferPlusTables)
	v := 1
	for x := range 256 {
		t.exp[x] = uint8(v) // 45^128 mod 257 = 256 is stored as 0
		t.log[uint8(v)] = uint8(x)
		v = v * 45 % 257
	}
	saferPlusT = t
}

type saferPlusCipher struct {
	t      *saferPlusTables
	rounds int
	k      [33][16]uint8 // K1..K(2r+1), k[0] = K1
	mcrypt bool          // libmcrypt's reversed 4-byte group order
}

// NewSaferPlus returns SAFER+ as libmcrypt's "saferplus" computes it (NSCA
// method 26): a 16-, 24- or 32-byte key (8, 12 or 16 rounds; NSCA uses 32),
// with the 4-byte groups of key, input and output in reverse order relative
// to the specification.
func NewSaferPlus(key []byte) (cipher.Block, error) {
	if len(key) != 16 && len(key) != 24 && len(key) != 32 {
		return nil, fmt.Errorf("saferplus: invalid key length %d bytes (want 16, 24 or 32)", len(key))
	}
	var k [32]byte
	n := len(key)
	for i := 0; i < n; i += 4 {
		copy(k[n-4-i:n-i], key[i:i+4])
	}
	c, err := newSaferPlusSpec(k[:n])
	if err != nil {
		return nil, err
	}
	c.mcrypt = true
	return c, nil
}

// saferPlusReverseGroups copies the 16-byte block src to dst with its four 4-byte
// groups in reverse order.
func saferPlusReverseGroups(dst, src *[16]uint8) {
	for i := 0; i < 16; i += 4 {
		copy(dst[12-i:16-i], src[i:i+4])
	}
}

// newSaferPlusSpec returns SAFER+ exactly as specified, with a 16-, 24- or
// 32-byte key.
func newSaferPlusSpec(key []byte) (*saferPlusCipher, error) {
	var rounds int
	switch len(key) {
	case 16:
		rounds = 8
	case 24:
		rounds = 12
	case 32:
		rounds = 16
	default:
		return nil, fmt.Errorf("saferplus: invalid key length %d bytes (want 16, 24 or 32)", len(key))
	}
	saferPlusOnce.Do(saferPlusInit)
	c := &saferPlusCipher{t: saferPlusT, rounds: rounds}
	c.expandKey(key)
	return c, nil
}

// expandKey runs the key schedule: the key plus a parity byte (XOR of all
// key bytes) forms a register of n+1 bytes; K1 is the first 16 key bytes;
// for i = 2..2r+1 every register byte is rotated left 3 bits and K_i is the
// 16 register bytes from position i-1 on (cyclically), each added to the
// bias byte B_i[j] = e(e(17i+j)) for i <= 17, e(17i+j) after, j = 1..16.
func (c *saferPlusCipher) expandKey(key []byte) {
	n := len(key)
	var reg [33]uint8
	copy(reg[:], key)
	for _, b := range key {
		reg[n] ^= b
	}
	copy(c.k[0][:], key[:16])
	e := &c.t.exp
	for i := 2; i <= 2*c.rounds+1; i++ {
		for j := 0; j <= n; j++ {
			reg[j] = reg[j]<<3 | reg[j]>>5
		}
		for j := 1; j <= 16; j++ {
			bias := e[uint8(17*i+j)]
			if i <= 17 {
				bias = e[bias]
			}
			c.k[i-1][j-1] = reg[(i-1+j-1)%(n+1)] + bias
		}
	}
}

func (c *saferPlusCipher) BlockSize() int { return saferPlusBlockSize }

// XOR-type positions (1-based 1, 4, 5, 8, 9, 12, 13, 16) are those with
// j%4 == 0 or 3 counted from 0; the others are addition-type.
func saferPlusXORPos(j int) bool { return j&3 == 0 || j&3 == 3 }

func (c *saferPlusCipher) Encrypt(dst, src []byte) {
	if len(src) < saferPlusBlockSize {
		panic("saferplus: input not full block")
	}
	if len(dst) < saferPlusBlockSize {
		panic("saferplus: output not full block")
	}
	var b, t [16]uint8
	copy(b[:], src)
	if c.mcrypt {
		t = b
		saferPlusReverseGroups(&b, &t)
	}
	c.encryptRounds(&b)
	kl := &c.k[2*c.rounds]
	for j := range 16 {
		if saferPlusXORPos(j) {
			b[j] ^= kl[j]
		} else {
			b[j] += kl[j]
		}
	}
	if c.mcrypt {
		t = b
		saferPlusReverseGroups(&b, &t)
	}
	copy(dst, b[:])
}

func (c *saferPlusCipher) Decrypt(dst, src []byte) {
	if len(src) < saferPlusBlockSize {
		panic("saferplus: input not full block")
	}
	if len(dst) < saferPlusBlockSize {
		panic("saferplus: output not full block")
	}
	var b, t [16]uint8
	copy(b[:], src)
	if c.mcrypt {
		t = b
		saferPlusReverseGroups(&b, &t)
	}
	kl := &c.k[2*c.rounds]
	for j := range 16 {
		if saferPlusXORPos(j) {
			b[j] ^= kl[j]
		} else {
			b[j] -= kl[j]
		}
	}
	c.decryptRounds(&b)
	if c.mcrypt {
		t = b
		saferPlusReverseGroups(&b, &t)
	}
	copy(dst, b[:])
}

// encryptRounds runs the rounds on b: per round the two subkey layers
// around e and l, then the linear layer PHT, shuffle, PHT, shuffle, PHT,
// shuffle, PHT. PHT(a, b) = (2a+b, a+b) on the byte pairs (0,1), (2,3), ...;
// the Armenian shuffle makes output byte i input byte
// {8, 11, 12, 15, 2, 1, 6, 5, 10, 9, 14, 13, 0, 7, 4, 3}[i]. Here the
// shuffles are done by renaming which variables form a pair, and one
// parallel assignment at the end of the round puts every byte back in its
// place.
func (c *saferPlusCipher) encryptRounds(b *[16]uint8) {
	e, l := &c.t.exp, &c.t.log
	x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15 := b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]
	for r := range c.rounds {
		k1, k2 := &c.k[2*r], &c.k[2*r+1]
		x0 = e[x0^k1[0]] + k2[0]
		x1 = l[x1+k1[1]] ^ k2[1]
		x2 = l[x2+k1[2]] ^ k2[2]
		x3 = e[x3^k1[3]] + k2[3]
		x4 = e[x4^k1[4]] + k2[4]
		x5 = l[x5+k1[5]] ^ k2[5]
		x6 = l[x6+k1[6]] ^ k2[6]
		x7 = e[x7^k1[7]] + k2[7]
		x8 = e[x8^k1[8]] + k2[8]
		x9 = l[x9+k1[9]] ^ k2[9]
		x10 = l[x10+k1[10]] ^ k2[10]
		x11 = e[x11^k1[11]] + k2[11]
		x12 = e[x12^k1[12]] + k2[12]
		x13 = l[x13+k1[13]] ^ k2[13]
		x14 = l[x14+k1[14]] ^ k2[14]
		x15 = e[x15^k1[15]] + k2[15]
		x1 += x0
		x0 += x1
		x3 += x2
		x2 += x3
		x5 += x4
		x4 += x5
		x7 += x6
		x6 += x7
		x9 += x8
		x8 += x9
		x11 += x10
		x10 += x11
		x13 += x12
		x12 += x13
		x15 += x14
		x14 += x15
		x11 += x8
		x8 += x11
		x15 += x12
		x12 += x15
		x1 += x2
		x2 += x1
		x5 += x6
		x6 += x5
		x9 += x10
		x10 += x9
		x13 += x14
		x14 += x13
		x7 += x0
		x0 += x7
		x3 += x4
		x4 += x3
		x13 += x10
		x10 += x13
		x3 += x0
		x0 += x3
		x11 += x12
		x12 += x11
		x1 += x6
		x6 += x1
		x9 += x14
		x14 += x9
		x7 += x4
		x4 += x7
		x5 += x8
		x8 += x5
		x15 += x2
		x2 += x15
		x7 += x14
		x14 += x7
		x15 += x8
		x8 += x15
		x13 += x0
		x0 += x13
		x11 += x6
		x6 += x11
		x9 += x4
		x4 += x9
		x5 += x2
		x2 += x5
		x1 += x10
		x10 += x1
		x3 += x12
		x12 += x3
		x0, x1, x2, x3, x4, x5, x7, x8, x10, x11, x12, x13, x14, x15 = x14, x7, x8, x15, x0, x13, x11, x4, x2, x5, x10, x1, x12, x3
	}
	*b = [16]uint8{x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15}
}

// decryptRounds undoes encryptRounds.
func (c *saferPlusCipher) decryptRounds(b *[16]uint8) {
	e, l := &c.t.exp, &c.t.log
	x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15 := b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]
	for r := c.rounds - 1; r >= 0; r-- {
		x14, x7, x8, x15, x0, x13, x11, x4, x2, x5, x10, x1, x12, x3 = x0, x1, x2, x3, x4, x5, x7, x8, x10, x11, x12, x13, x14, x15
		x12 -= x3
		x3 -= x12
		x10 -= x1
		x1 -= x10
		x2 -= x5
		x5 -= x2
		x4 -= x9
		x9 -= x4
		x6 -= x11
		x11 -= x6
		x0 -= x13
		x13 -= x0
		x8 -= x15
		x15 -= x8
		x14 -= x7
		x7 -= x14
		x2 -= x15
		x15 -= x2
		x8 -= x5
		x5 -= x8
		x4 -= x7
		x7 -= x4
		x14 -= x9
		x9 -= x14
		x6 -= x1
		x1 -= x6
		x12 -= x11
		x11 -= x12
		x0 -= x3
		x3 -= x0
		x10 -= x13
		x13 -= x10
		x4 -= x3
		x3 -= x4
		x0 -= x7
		x7 -= x0
		x14 -= x13
		x13 -= x14
		x10 -= x9
		x9 -= x10
		x6 -= x5
		x5 -= x6
		x2 -= x1
		x1 -= x2
		x12 -= x15
		x15 -= x12
		x8 -= x11
		x11 -= x8
		x14 -= x15
		x15 -= x14
		x12 -= x13
		x13 -= x12
		x10 -= x11
		x11 -= x10
		x8 -= x9
		x9 -= x8
		x6 -= x7
		x7 -= x6
		x4 -= x5
		x5 -= x4
		x2 -= x3
		x3 -= x2
		x0 -= x1
		x1 -= x0
		k1, k2 := &c.k[2*r], &c.k[2*r+1]
		x0 = l[x0-k2[0]] ^ k1[0]
		x1 = e[x1^k2[1]] - k1[1]
		x2 = e[x2^k2[2]] - k1[2]
		x3 = l[x3-k2[3]] ^ k1[3]
		x4 = l[x4-k2[4]] ^ k1[4]
		x5 = e[x5^k2[5]] - k1[5]
		x6 = e[x6^k2[6]] - k1[6]
		x7 = l[x7-k2[7]] ^ k1[7]
		x8 = l[x8-k2[8]] ^ k1[8]
		x9 = e[x9^k2[9]] - k1[9]
		x10 = e[x10^k2[10]] - k1[10]
		x11 = l[x11-k2[11]] ^ k1[11]
		x12 = l[x12-k2[12]] ^ k1[12]
		x13 = e[x13^k2[13]] - k1[13]
		x14 = e[x14^k2[14]] - k1[14]
		x15 = l[x15-k2[15]] ^ k1[15]
	}
	*b = [16]uint8{x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15}
}
