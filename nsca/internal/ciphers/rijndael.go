package ciphers

import (
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"sync"
)

// Rijndael as its authors specified it (J. Daemen, V. Rijmen, "AES
// Proposal: Rijndael", and "The Design of Rijndael", chapter 3), with a
// block and a key of 128, 192 or 256 bits each. AES is the 128-bit-block
// subset; libmcrypt's "rijndael-192" and "rijndael-256" (NSCA methods 15 and
// 16) are the 192- and 256-bit blocks, always with NSCA's 256-bit key.
//
// The state is Nb columns of four bytes (input byte 4c+r is row r of column
// c); Nr = max(Nb, Nk) + 6 rounds; ShiftRows moves row r left by C_r
// columns, with (C1, C2, C3) = (1, 2, 3) for Nb = 4 and 6 and (1, 3, 4) for
// Nb = 8. Columns are held as big-endian 32-bit words (row 0 in the top
// byte).

// rijndaelTables are the lookup tables of every Rijndael cipher, built on
// first use (by the first NewRijndael) so that a process that never uses
// Rijndael does not pay for them at start-up.
type rijndaelTables struct {
	// sbox and inv are SubBytes and its inverse, computed from their
	// definition: the multiplicative inverse in GF(2^8) modulo
	// x^8+x^4+x^3+x+1 (0 maps to 0) followed by the affine transformation
	// b'_i = b_i + b_(i+4) + b_(i+5) + b_(i+6) + b_(i+7) + c_i with c = 0x63.
	sbox, inv [256]byte
	// te[i][x] is the contribution of byte x in row i to a column after
	// SubBytes and MixColumns: the S-box output times the MixColumns column
	// (02, 01, 01, 03) rotated down by i rows.
	te [4][256]uint32
}

var rijndaelT = sync.OnceValue(rijndaelInit)

func rijndaelInit() *rijndaelTables {
	t := new(rijndaelTables)
	// Powers and logarithms of the generator 03 give every inverse in one
	// pass: a^-1 = 03^(255 - log a).
	var exp, log [256]byte
	p := byte(1)
	for i := range 255 {
		exp[i] = p
		log[p] = byte(i)
		p = gfMul(p, 3)
	}
	for x := range 256 {
		var b byte // the inverse of 0 is taken as 0
		if x != 0 {
			b = exp[(255-int(log[x]))%255]
		}
		r := b ^ rotl8(b, 1) ^ rotl8(b, 2) ^ rotl8(b, 3) ^ rotl8(b, 4) ^ 0x63
		t.sbox[x] = r
		t.inv[r] = byte(x)
	}
	for x := range 256 {
		s := t.sbox[x]
		w := uint32(gfMul(s, 2))<<24 | uint32(s)<<16 | uint32(s)<<8 | uint32(gfMul(s, 3))
		for i := range 4 {
			t.te[i][x] = w>>(8*i) | w<<(32-8*i)
		}
	}
	return t
}

func rotl8(b byte, n uint) byte { return b<<n | b>>(8-n) }

// gfMul multiplies in GF(2^8) modulo x^8+x^4+x^3+x+1.
func gfMul(a, b byte) byte {
	var p byte
	for b != 0 {
		if b&1 != 0 {
			p ^= a
		}
		hi := a & 0x80
		a <<= 1
		if hi != 0 {
			a ^= 0x1b
		}
		b >>= 1
	}
	return p
}

type rijndaelCipher struct {
	t      *rijndaelTables
	nb, nr int
	// shift[r][c] is the column ShiftRows takes row r of column c from.
	shift [4][8]uint8
	// ishift is the same for InvShiftRows.
	ishift [4][8]uint8
	// ek holds the round keys, nb columns per round; the array has room for
	// the largest schedule, 8 columns x 15 rounds.
	ek [8 * 15]uint32
}

// NewRijndael returns Rijndael with a blockSize-byte block (16, 24 or 32)
// and a key of 16, 24 or 32 bytes. With blockSize 16 it is AES.
func NewRijndael(key []byte, blockSize int) (cipher.Block, error) {
	if blockSize != 16 && blockSize != 24 && blockSize != 32 {
		return nil, fmt.Errorf("rijndael: invalid block size %d bytes (want 16, 24 or 32)", blockSize)
	}
	if len(key) != 16 && len(key) != 24 && len(key) != 32 {
		return nil, fmt.Errorf("rijndael: invalid key length %d bytes (want 16, 24 or 32)", len(key))
	}
	nb, nk := blockSize/4, len(key)/4
	c := &rijndaelCipher{t: rijndaelT(), nb: nb, nr: max(nb, nk) + 6}
	offs := [4]int{0, 1, 2, 3}
	if nb == 8 {
		offs = [4]int{0, 1, 3, 4}
	}
	for r := range 4 {
		for col := range nb {
			c.shift[r][col] = uint8((col + offs[r]) % nb)
			c.ishift[r][col] = uint8((col - offs[r] + nb) % nb)
		}
	}

	// Key expansion: W[i] = W[i-Nk] ^ temp, temp being W[i-1] put through
	// RotWord, SubWord and the round constant every Nk words, and through
	// SubWord alone at i mod Nk = 4 when Nk > 6.
	w := c.ek[:nb*(c.nr+1)]
	for i := range nk {
		w[i] = binary.BigEndian.Uint32(key[4*i:])
	}
	rcon := byte(1)
	for i := nk; i < len(w); i++ {
		t := w[i-1]
		switch {
		case i%nk == 0:
			t = subWord(&c.t.sbox, t<<8|t>>24) ^ uint32(rcon)<<24
			rcon = gfMul(rcon, 2)
		case nk > 6 && i%nk == 4:
			t = subWord(&c.t.sbox, t)
		}
		w[i] = w[i-nk] ^ t
	}
	return c, nil
}

func subWord(sbox *[256]byte, w uint32) uint32 {
	return uint32(sbox[w>>24])<<24 | uint32(sbox[w>>16&0xff])<<16 |
		uint32(sbox[w>>8&0xff])<<8 | uint32(sbox[w&0xff])
}

func (c *rijndaelCipher) BlockSize() int { return 4 * c.nb }

// Encrypt: AddRoundKey, then Nr-1 rounds of SubBytes, ShiftRows,
// MixColumns and AddRoundKey (one table lookup per byte), then a final round
// without MixColumns.
func (c *rijndaelCipher) Encrypt(dst, src []byte) {
	nb := c.nb
	if len(src) < 4*nb || len(dst) < 4*nb {
		panic("rijndael: block is shorter than the block size")
	}
	var s, t [8]uint32
	rk := c.ek[:8]
	for col := range nb {
		s[col] = binary.BigEndian.Uint32(src[4*col:]) ^ rk[col&7]
	}
	sh1, sh2, sh3 := &c.shift[1], &c.shift[2], &c.shift[3]
	te, sbox := &c.t.te, &c.t.sbox
	k := nb
	for range c.nr - 1 {
		rk = c.ek[k:][:8]
		for col := range nb {
			col &= 7
			t[col] = te[0][s[col]>>24] ^
				te[1][byte(s[sh1[col]&7]>>16)] ^
				te[2][byte(s[sh2[col]&7]>>8)] ^
				te[3][byte(s[sh3[col]&7])] ^
				rk[col]
		}
		s = t
		k += nb
	}
	rk = c.ek[k : k+nb]
	for col := range nb {
		col &= 7
		v := uint32(sbox[s[col]>>24])<<24 |
			uint32(sbox[byte(s[sh1[col]&7]>>16)])<<16 |
			uint32(sbox[byte(s[sh2[col]&7]>>8)])<<8 |
			uint32(sbox[byte(s[sh3[col]&7])])
		binary.BigEndian.PutUint32(dst[4*col:], v^rk[col])
	}
}

// Decrypt applies the inverse steps in reverse order: AddRoundKey,
// InvMixColumns, InvShiftRows and InvSubBytes.
func (c *rijndaelCipher) Decrypt(dst, src []byte) {
	nb := c.nb
	if len(src) < 4*nb || len(dst) < 4*nb {
		panic("rijndael: block is shorter than the block size")
	}
	var s, t [8]uint32
	inv := &c.t.inv
	k := nb * c.nr
	for col := range nb {
		s[col] = binary.BigEndian.Uint32(src[4*col:]) ^ c.ek[k+col]
	}
	for round := c.nr - 1; ; round-- {
		// InvShiftRows and InvSubBytes.
		for col := range nb {
			t[col] = uint32(inv[s[col]>>24])<<24 |
				uint32(inv[s[c.ishift[1][col]]>>16&0xff])<<16 |
				uint32(inv[s[c.ishift[2][col]]>>8&0xff])<<8 |
				uint32(inv[s[c.ishift[3][col]]&0xff])
		}
		k = nb * round
		for col := range nb {
			t[col] ^= c.ek[k+col]
		}
		if round == 0 {
			break
		}
		for col := range nb {
			t[col] = invMixColumn(t[col])
		}
		s = t
	}
	for col := range nb {
		binary.BigEndian.PutUint32(dst[4*col:], t[col])
	}
}

// invMixColumn multiplies one column by the inverse MixColumns matrix
// (0e, 0b, 0d, 09).
func invMixColumn(w uint32) uint32 {
	a0, a1, a2, a3 := byte(w>>24), byte(w>>16), byte(w>>8), byte(w)
	b0 := gfMul(a0, 14) ^ gfMul(a1, 11) ^ gfMul(a2, 13) ^ gfMul(a3, 9)
	b1 := gfMul(a0, 9) ^ gfMul(a1, 14) ^ gfMul(a2, 11) ^ gfMul(a3, 13)
	b2 := gfMul(a0, 13) ^ gfMul(a1, 9) ^ gfMul(a2, 14) ^ gfMul(a3, 11)
	b3 := gfMul(a0, 11) ^ gfMul(a1, 13) ^ gfMul(a2, 9) ^ gfMul(a3, 14)
	return uint32(b0)<<24 | uint32(b1)<<16 | uint32(b2)<<8 | uint32(b3)
}
