package ciphers

import (
	"bytes"
	"slices"
	"testing"
)

// TestSerpentSBoxBitsliced checks the bitsliced S-box functions of
// serpent_sbox.go against the specification's tables for every input:
// bit v of the input words carries the 4-bit input v (and bit v+16 its
// complement position 15-v).
func TestSerpentSBoxBitsliced(t *testing.T) {
	fwd := []func(a, b, c, d uint32) (uint32, uint32, uint32, uint32){
		serpentS0, serpentS1, serpentS2, serpentS3, serpentS4, serpentS5, serpentS6, serpentS7,
	}
	inv := []func(a, b, c, d uint32) (uint32, uint32, uint32, uint32){
		serpentSInv0, serpentSInv1, serpentSInv2, serpentSInv3, serpentSInv4, serpentSInv5, serpentSInv6, serpentSInv7,
	}
	input := func(v, bit int) uint32 { return uint32(v >> bit & 1) }
	for n := range 8 {
		var invTable [16]uint8
		for v, s := range serpentSBox[n] {
			invTable[s] = uint8(v)
		}
		for _, tc := range []struct {
			name  string
			fn    func(a, b, c, d uint32) (uint32, uint32, uint32, uint32)
			table [16]uint8
		}{
			{"S" + string(rune('0'+n)), fwd[n], serpentSBox[n]},
			{"SInv" + string(rune('0'+n)), inv[n], invTable},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var x [4]uint32
				for v := range 16 {
					for i := range 4 {
						x[i] |= input(v, i)<<v | input(15-v, i)<<(v+16)
					}
				}
				y0, y1, y2, y3 := tc.fn(x[0], x[1], x[2], x[3])
				y := [4]uint32{y0, y1, y2, y3}
				for pos := range 32 {
					in := pos
					if pos >= 16 {
						in = 15 - (pos - 16)
					}
					var got uint8
					for i := range 4 {
						got |= uint8(y[i]>>pos&1) << i
					}
					if want := tc.table[in]; got != want {
						t.Errorf("input %d (bit %d): got %d, want %d", in, pos, got, want)
					}
				}
			})
		}
	}
}

// serpentKATs are the NESSIE-format vectors of the Serpent authors
// (Serpent-{128,192,256}-128.verified.test-vectors): key and block bytes in
// order, byte 0 the least significant byte of word 0. iter100/iter1000:
// the result of encrypting the plaintext 100/1000 times in a row.
var serpentKATs = []struct {
	name, key, plain, cipher, iter100, iter1000 string
}{
	{"256/set1/0", "8000000000000000000000000000000000000000000000000000000000000000", "00000000000000000000000000000000", "a223aa1288463c0e2be38ebd825616c0", "739e0148971fd975b585eafdbd659e2c", ""},
	{"256/set1/1", "4000000000000000000000000000000000000000000000000000000000000000", "00000000000000000000000000000000", "eae1d405570174df7df2f9966d509159", "df58b1ebbd9ddcc116f56c6d980a7645", ""},
	{"256/zero", "0000000000000000000000000000000000000000000000000000000000000000", "00000000000000000000000000000000", "49672ba898d98df95019180445491089", "", ""},
	{"192/set1/0", "800000000000000000000000000000000000000000000000", "00000000000000000000000000000000", "9e274ead9b737bb21efcfca548602689", "", ""},
	{"128/set1/0", "80000000000000000000000000000000", "00000000000000000000000000000000", "264e5481eff42a4606abda06c0bfda3d", "", ""},
	{"128/set2/0", "00000000000000000000000000000000", "80000000000000000000000000000000", "a3b35de7c358ddd82644678c64b8bcbb", "1ddf9883b4663045753758e0b9b2c09b", "be5ae44a1cf1bb86dd7a3b61ceea01ec"},
	{"128/set4/0", "000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff", "563e2cf8740a27c164804560391e9b27", "", ""},
	// The submission package's ecb_vk.txt and ecb_vt.txt (I=1) print key,
	// plaintext and ciphertext as numbers, most significant byte first:
	// the same algorithm with every string byte-reversed.
	{"submission/ecb_vk/1", "00000000000000000000000000000080", "00000000000000000000000000000000", "ddd26b98a5ffd82c05345a9dadbfaf49", "", ""},
	{"submission/ecb_vt/1", "00000000000000000000000000000000", "00000000000000000000000000000080", "4ae9a20b2b14a10290cbb820b7ffb510", "", ""},
}

func TestSerpentKnownAnswers(t *testing.T) {
	for _, tc := range serpentKATs {
		t.Run(tc.name, func(t *testing.T) {
			b, err := NewSerpent(c1Hex(t, tc.key))
			if err != nil {
				t.Fatalf("NewSerpent: %v", err)
			}
			c1CheckBlock(t, b, c1Hex(t, tc.plain), c1Hex(t, tc.cipher))
			for _, it := range []struct {
				n    int
				want string
			}{{100, tc.iter100}, {1000, tc.iter1000}} {
				if it.want == "" {
					continue
				}
				x := c1Hex(t, tc.plain)
				for range it.n {
					b.Encrypt(x, x)
				}
				if want := c1Hex(t, it.want); !bytes.Equal(x, want) {
					t.Errorf("iterated %d times: got %x, want %x", it.n, x, want)
				}
			}
		})
	}
}

func TestSerpentKeyLength(t *testing.T) {
	for _, n := range []int{0, 1, 8, 15, 17, 31, 33, 64} {
		if _, err := NewSerpent(make([]byte, n)); err == nil {
			t.Errorf("%d-byte key: no error", n)
		}
	}
}

// TestSerpentShortKeyPadding: a 16-byte key is the 32-byte key with the
// specification's padding (a 1 bit, byte 0x01 in this byte order, then
// zeros).
func TestSerpentShortKeyPadding(t *testing.T) {
	short := c1Hex(t, "000102030405060708090a0b0c0d0e0f")
	long := slices.Concat(short, []byte{1}, make([]byte, 15))
	a, err := NewSerpent(short)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewSerpent(long)
	if err != nil {
		t.Fatal(err)
	}
	x, y := make([]byte, 16), make([]byte, 16)
	a.Encrypt(x, short)
	b.Encrypt(y, short)
	if !bytes.Equal(x, y) {
		t.Errorf("16-byte key %x and padded key %x differ", x, y)
	}
}
