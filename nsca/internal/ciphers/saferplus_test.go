package ciphers

import (
	"testing"
)

// TestSaferPlusKnownAnswers: the SAFER+ submission's test triples for the
// three key sizes (as also carried in LibTomCrypt's self test), in the
// specification's byte order, and libmcrypt's own self-test vector through
// NewSaferPlus (libmcrypt's reversed 4-byte group order).
func TestSaferPlusKnownAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, key, plain, cipher string
		mcrypt                   bool
	}{
		{"spec/128", "2923be84e16cd6ae529049f1f1bbe9eb", "b3a6db3c870c3e99245e0d1c06b747de", "e01fb60a0cff54467f0d59f90939a5dc", false},
		{"spec/192", "48d38f75e6d91d2ae5c0f72b788187440e5f5000d4618dbe", "7b0515073b33821f187092da6454ceb1", "5c88043f395f640096828210c16fdb85", false},
		{"spec/256", "f3a88dfebef2eb71ffa0d03b75068c7e8778734dd0be82bedbc246412b8cfa30", "7f70f0a754863295aa5b68130be6fcf5", "580b1924ace5cad5aa416999dc68998a", false},
		// libmcrypt saferplus.c self test: key byte j = 2j+10, plaintext
		// byte j = j.
		{"libmcrypt/256", "0a0c0e10121416181a1c1e20222426282a2c2e30323436383a3c3e4042444648", "000102030405060708090a0b0c0d0e0f", "97fa76704bf6b578549f65c6f75b228b", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := c1Hex(t, tc.key)
			if tc.mcrypt {
				b, err := NewSaferPlus(key)
				if err != nil {
					t.Fatal(err)
				}
				c1CheckBlock(t, b, c1Hex(t, tc.plain), c1Hex(t, tc.cipher))
				return
			}
			b, err := newSaferPlusSpec(key)
			if err != nil {
				t.Fatal(err)
			}
			c1CheckBlock(t, b, c1Hex(t, tc.plain), c1Hex(t, tc.cipher))
			// The same triple through NewSaferPlus with the 4-byte
			// groups of key, plaintext and ciphertext in reverse order.
			m, err := NewSaferPlus(c2RevGroups(key))
			if err != nil {
				t.Fatal(err)
			}
			c1CheckBlock(t, m, c2RevGroups(c1Hex(t, tc.plain)), c2RevGroups(c1Hex(t, tc.cipher)))
		})
	}
}

// TestSaferPlusBias checks the key schedule's bias words against values
// printed in the specification's table (B2, B17, B18, B33 first bytes).
func TestSaferPlusBias(t *testing.T) {
	saferPlusOnce.Do(saferPlusInit)
	e := &saferPlusT.exp
	bias := func(i, j int) uint8 {
		b := e[uint8(17*i+j)]
		if i <= 17 {
			b = e[b]
		}
		return b
	}
	for _, tc := range []struct{ i, j, want int }{
		{2, 1, 70}, {2, 2, 151}, {2, 16, 100},
		{17, 1, 136}, {18, 1, 220}, {33, 1, 62}, {33, 16, 51},
	} {
		if got := bias(tc.i, tc.j); int(got) != tc.want {
			t.Errorf("B%d[%d] = %d, want %d", tc.i, tc.j, got, tc.want)
		}
	}
	if e[0] != 1 || e[1] != 45 || e[128] != 0 || saferPlusT.log[0] != 128 || saferPlusT.log[45] != 1 {
		t.Errorf("exp/log tables wrong at the edges: e0=%d e1=%d e128=%d l0=%d l45=%d",
			e[0], e[1], e[128], saferPlusT.log[0], saferPlusT.log[45])
	}
}

func TestSaferPlusKeyLength(t *testing.T) {
	for _, n := range []int{0, 8, 15, 17, 23, 25, 31, 33, 64} {
		if _, err := NewSaferPlus(make([]byte, n)); err == nil {
			t.Errorf("NewSaferPlus with %d-byte key: no error", n)
		}
		if _, err := newSaferPlusSpec(make([]byte, n)); err == nil {
			t.Errorf("newSaferPlusSpec with %d-byte key: no error", n)
		}
	}
}
