package nsca

import (
	"crypto/cipher"
	"crypto/subtle"
	"fmt"
)

// CFB8 is libmcrypt's "cfb" mode: 8-bit cipher feedback, one block
// encryption per byte. The register starts as the IV; for each byte the
// first byte of E(register) is XORed with it, and the ciphertext byte is
// shifted into the register. It is a cipher.Stream whose state carries on
// from one XORKeyStream call to the next (NSCA keeps one state for a whole
// connection). It is not crypto/cipher's CFB, which works in whole blocks.
type CFB8 struct {
	b       cipher.Block
	bs      int
	decrypt bool
	// buf holds the register at buf[pos:pos+bs]; ciphertext bytes are
	// appended after it, so a byte costs no shifting until buf is full.
	buf []byte
	pos int
	out []byte
}

const cfbWindow = 4096

// NewCFB8Encrypter returns the encrypting stream over b, with the first
// b.BlockSize() bytes of iv as the register.
func NewCFB8Encrypter(b cipher.Block, iv []byte) (*CFB8, error) { return newCFB8(b, iv, false) }

// NewCFB8Decrypter returns the decrypting stream over b, with the first
// b.BlockSize() bytes of iv as the register.
func NewCFB8Decrypter(b cipher.Block, iv []byte) (*CFB8, error) { return newCFB8(b, iv, true) }

func newCFB8(b cipher.Block, iv []byte, decrypt bool) (*CFB8, error) {
	bs := b.BlockSize()
	if len(iv) < bs {
		return nil, fmt.Errorf("cfb8: iv of %d bytes, block size %d", len(iv), bs)
	}
	c := &CFB8{b: b, bs: bs, decrypt: decrypt, buf: make([]byte, bs+cfbWindow), out: make([]byte, bs)}
	copy(c.buf, iv[:bs])
	return c, nil
}

// XORKeyStream encrypts or decrypts src into dst (which may be the same
// slice); len(dst) must be at least len(src).
func (c *CFB8) XORKeyStream(dst, src []byte) {
	if len(dst) < len(src) {
		panic("nsca: cfb8 output smaller than input")
	}
	for i, p := range src {
		if c.pos == cfbWindow {
			copy(c.buf, c.buf[cfbWindow:])
			c.pos = 0
		}
		c.b.Encrypt(c.out, c.buf[c.pos:c.pos+c.bs])
		x := p ^ c.out[0]
		if c.decrypt {
			c.buf[c.pos+c.bs] = p
		} else {
			c.buf[c.pos+c.bs] = x
		}
		dst[i] = x
		c.pos++
	}
}

// packetCrypter encrypts or decrypts the packets of one connection in
// order: CFB methods carry the state across packets, XOR restarts per
// packet.
type packetCrypter interface {
	crypt(p []byte)
}

type noneCrypter struct{}

func (noneCrypter) crypt([]byte) {}

// xorCrypter: c[i] = p[i] ^ iv[i%128] ^ pw[i%len(pw)], i from 0 in every
// packet; the key stream is computed once per connection.
type xorCrypter struct{ ks []byte }

func newXORCrypter(iv, password []byte, size int) *xorCrypter {
	ks := make([]byte, size)
	for i := range ks {
		ks[i] = iv[i%len(iv)]
		if len(password) > 0 {
			ks[i] ^= password[i%len(password)]
		}
	}
	return &xorCrypter{ks: ks}
}

func (x *xorCrypter) crypt(p []byte) {
	for len(p) > 0 {
		n := subtle.XORBytes(p, p, x.ks)
		p = p[n:]
	}
}

type cfbCrypter struct{ s *CFB8 }

func (c cfbCrypter) crypt(p []byte) { c.s.XORKeyStream(p, p) }

// newCrypter builds the connection's cipher state from the method, the
// password and the init packet's IV.
func newCrypter(m Method, password []byte, iv []byte, size int, decrypt bool) (packetCrypter, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	switch m {
	case MethodNone:
		return noneCrypter{}, nil
	case MethodXOR:
		return newXORCrypter(iv, password, size), nil
	}
	b, err := m.newBlock(password)
	if err != nil {
		return nil, err
	}
	s, err := newCFB8(b, iv, decrypt)
	if err != nil {
		return nil, fmt.Errorf("encryption method %s: %w", m.describe(), err)
	}
	return cfbCrypter{s}, nil
}
