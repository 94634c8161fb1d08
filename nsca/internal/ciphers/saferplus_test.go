package ciphers

import (
	"bytes"
	"testing"
)

func TestSaferTmp(t *testing.T) {
	k := []byte{243, 168, 141, 254, 190, 242, 235, 113, 255, 160, 208, 59, 117, 6, 140, 126, 135, 120, 115, 77, 208, 190, 130, 190, 219, 194, 70, 65, 43, 140, 250, 48}
	p := []byte{127, 112, 240, 167, 84, 134, 50, 149, 170, 91, 104, 19, 11, 230, 252, 245}
	want := []byte{88, 11, 25, 36, 172, 229, 202, 213, 170, 65, 105, 153, 220, 104, 153, 138}
	c, err := newSaferPlusSpec(k)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 16)
	c.Encrypt(out, p)
	if !bytes.Equal(out, want) {
		t.Errorf("got %v", out)
	}
	c.Decrypt(out, out)
	t.Logf("%v", out)
}
