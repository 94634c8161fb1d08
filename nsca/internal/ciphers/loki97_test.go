package ciphers

import (
	"bytes"
	"testing"
)

func TestLOKI97Tmp(t *testing.T) {
	k := c2Hex(t, "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F")
	c, err := newLOKI97Spec(k)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 16)
	c.Encrypt(out, c2Hex(t, "000102030405060708090A0B0C0D0E0F"))
	if !bytes.Equal(out, c2Hex(t, "75080E359F10FE640144B35C57128DAD")) {
		t.Errorf("got %X", out)
	}
	back := make([]byte, 16)
	c.Decrypt(back, out)
	t.Logf("%X", back)
}
