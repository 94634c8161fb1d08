package ciphers

import "testing"

// TestRijndaelSBoxDefinition: the S-box built from powers of 03 equals
// SubBytes computed from its definition, a^254 followed by the affine map.
func TestRijndaelSBoxDefinition(t *testing.T) {
	tab := rijndaelInit()
	for x := range 256 {
		inv := byte(1)
		for range 254 {
			inv = gfMul(inv, byte(x))
		}
		if x == 0 {
			inv = 0
		}
		want := inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^ rotl8(inv, 4) ^ 0x63
		if tab.sbox[x] != want {
			t.Fatalf("S(%#02x) = %#02x, want %#02x", x, tab.sbox[x], want)
		}
		if tab.inv[want] != byte(x) {
			t.Fatalf("S^-1(%#02x) = %#02x, want %#02x", want, tab.inv[want], x)
		}
	}
	if tab.sbox[0] != 0x63 || tab.sbox[0x53] != 0xed { // FIPS-197 figure 7
		t.Fatalf("S(00) = %#02x, S(53) = %#02x; want 0x63, 0xed", tab.sbox[0], tab.sbox[0x53])
	}
}

// BenchmarkTables: what the first use of each cipher pays to build its
// tables (none is built at package initialisation).
func BenchmarkTables(b *testing.B) {
	b.Run("rijndael", func(b *testing.B) {
		for b.Loop() {
			rijndaelInit()
		}
	})
	b.Run("gost", func(b *testing.B) {
		for b.Loop() {
			gostBuild()
		}
	})
	b.Run("loki97", func(b *testing.B) {
		for b.Loop() {
			loki97Init()
		}
	})
	b.Run("saferplus", func(b *testing.B) {
		for b.Loop() {
			saferPlusInit()
		}
	})
}
