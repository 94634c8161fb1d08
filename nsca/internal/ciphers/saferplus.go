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

// saferPlusShuffle is the Armenian shuffle: output byte i is input byte
// saferPlusShuffle[i].
var saferPlusShuffle = [16]uint8{8, 11, 12, 15, 2, 1, 6, 5, 10, 9, 14, 13, 0, 7, 4, 3}

// saferPlusUnshuffle is the inverse of saferPlusShuffle.
var saferPlusUnshuffle = func() (u [16]uint8) {
	for i, s := range saferPlusShuffle {
		u[s] = uint8(i)
	}
	return u
}()

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
	e, l := &c.t.exp, &c.t.log
	var b, t [16]uint8
	copy(b[:], src)
	if c.mcrypt {
		t = b
		saferPlusReverseGroups(&b, &t)
	}
	for r := range c.rounds {
		k1, k2 := &c.k[2*r], &c.k[2*r+1]
		for j := 0; j < 16; j += 4 {
			b[j] = e[b[j]^k1[j]] + k2[j]
			b[j+1] = l[b[j+1]+k1[j+1]] ^ k2[j+1]
			b[j+2] = l[b[j+2]+k1[j+2]] ^ k2[j+2]
			b[j+3] = e[b[j+3]^k1[j+3]] + k2[j+3]
		}
		// Linear layer: PHT, shuffle, PHT, shuffle, PHT, shuffle, PHT,
		// where PHT(a, b) = (2a+b, a+b) on each byte pair.
		for level := range 4 {
			for j := 0; j < 16; j += 2 {
				b[j+1] += b[j]
				b[j] += b[j+1]
			}
			if level < 3 {
				for j, s := range saferPlusShuffle {
					t[j] = b[s]
				}
				b = t
			}
		}
	}
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
	e, l := &c.t.exp, &c.t.log
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
	for r := c.rounds - 1; r >= 0; r-- {
		for level := range 4 {
			if level > 0 {
				for j, s := range saferPlusUnshuffle {
					t[j] = b[s]
				}
				b = t
			}
			// Inverse PHT: (x, y) = (2a+b, a+b) gives a = x-y, b = y-a.
			for j := 0; j < 16; j += 2 {
				b[j] -= b[j+1]
				b[j+1] -= b[j]
			}
		}
		k1, k2 := &c.k[2*r], &c.k[2*r+1]
		for j := 0; j < 16; j += 4 {
			b[j] = l[b[j]-k2[j]] ^ k1[j]
			b[j+1] = e[b[j+1]^k2[j+1]] - k1[j+1]
			b[j+2] = e[b[j+2]^k2[j+2]] - k1[j+2]
			b[j+3] = l[b[j+3]-k2[j+3]] ^ k1[j+3]
		}
	}
	if c.mcrypt {
		t = b
		saferPlusReverseGroups(&b, &t)
	}
	copy(dst, b[:])
}
