package ciphers

import (
	"bytes"
	"testing"
)

func TestSerpentTmp(t *testing.T) {
	for _, v := range []struct{ k, p, c string }{
		{"8000000000000000000000000000000000000000000000000000000000000000", "00000000000000000000000000000000", "A223AA1288463C0E2BE38EBD825616C0"},
		{"00000000000000000000000000000000", "80000000000000000000000000000000", "A3B35DE7C358DDD82644678C64B8BCBB"},
	} {
		b, err := NewSerpent(c2Hex(t, v.k))
		if err != nil {
			t.Fatal(err)
		}
		out := make([]byte, 16)
		b.Encrypt(out, c2Hex(t, v.p))
		if !bytes.Equal(out, c2Hex(t, v.c)) {
			t.Errorf("got %X want %s", out, v.c)
		}
	}
}
