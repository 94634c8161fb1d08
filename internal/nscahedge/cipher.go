package nsca

import "crypto/cipher"

// streamer encrypts or decrypts one whole packet in place. Its state
// carries on across the packets of a connection, as the daemon's does.
type streamer interface {
	encrypt(p []byte)
	decrypt(p []byte)
}

type noneStream struct{}

func (noneStream) encrypt([]byte) {}
func (noneStream) decrypt([]byte) {}

// xorStream is method 1: every byte XORed with the IV and the password,
// both restarting at offset 0 of each packet.
type xorStream struct {
	iv, pw []byte
}

func (x *xorStream) encrypt(p []byte) {
	for i := range p {
		p[i] ^= x.iv[i%len(x.iv)]
		if len(x.pw) > 0 {
			p[i] ^= x.pw[i%len(x.pw)]
		}
	}
}

func (x *xorStream) decrypt(p []byte) { x.encrypt(p) }

// cfb8 is libmcrypt's "cfb" mode: 8-bit CFB, one block encryption per
// byte, the register shifted by one ciphertext byte each time. It is not
// crypto/cipher's CFB, which feeds back whole blocks.
type cfb8 struct {
	b   cipher.Block
	reg []byte // register, block size
	out []byte // scratch for E_K(reg)
}

func newCFB8(b cipher.Block, iv []byte) *cfb8 {
	reg := make([]byte, b.BlockSize())
	copy(reg, iv)
	return &cfb8{b: b, reg: reg, out: make([]byte, b.BlockSize())}
}

func (c *cfb8) step(ct byte) {
	copy(c.reg, c.reg[1:])
	c.reg[len(c.reg)-1] = ct
}

func (c *cfb8) encrypt(p []byte) {
	for i := range p {
		c.b.Encrypt(c.out, c.reg)
		p[i] ^= c.out[0]
		c.step(p[i])
	}
}

func (c *cfb8) decrypt(p []byte) {
	for i := range p {
		c.b.Encrypt(c.out, c.reg)
		ct := p[i]
		p[i] ^= c.out[0]
		c.step(ct)
	}
}
