package nsca

import (
	crand "crypto/rand"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
)

// An Encoder turns checks into encrypted data packets for one connection:
// it echoes the init packet's timestamp and keeps the connection's cipher
// state. It is not safe for concurrent use.
type Encoder struct {
	ts   uint32
	size int
	c    packetCrypter
	rng  *rand.ChaCha8
}

// NewEncoder prepares the packets of one connection whose init packet was
// init. legacy selects the 720-byte packet of nsca 2.7.
func NewEncoder(m Method, password string, init InitPacket, legacy bool) (*Encoder, error) {
	size := PacketLen(legacy)
	c, err := newCrypter(m, []byte(password), init.IV[:], size, false)
	if err != nil {
		return nil, err
	}
	var seed [32]byte
	_, _ = crand.Read(seed[:]) // never fails (crypto/rand panics or blocks instead)
	return &Encoder{ts: init.Timestamp, size: size, c: c, rng: rand.NewChaCha8(seed)}, nil
}

// PacketLen returns the size of the packets this encoder makes.
func (e *Encoder) PacketLen() int { return e.size }

// Encode appends the encrypted packet of c to dst. The filler (every byte
// no field covers) is random in 0x30..0x77 as send_nsca makes it: zero
// filler would put the XOR method's IV-and-password key stream in the
// clear.
func (e *Encoder) Encode(dst []byte, c Check) ([]byte, error) {
	dst, pkt := grow(dst, e.size)
	_, _ = e.rng.Read(pkt)
	for i, b := range pkt {
		pkt[i] = '0' + byte((uint16(b)*72)>>8)
	}
	if err := MarshalPacket(pkt, Packet{Check: c, Timestamp: e.ts}, pkt); err != nil {
		return dst[:len(dst)-e.size], err
	}
	e.c.crypt(pkt)
	return dst, nil
}

// EncodeFiller is Encode with the filler given: filler must be the packet
// size (nil = zeros). Tests reproduce captured packets with it.
func (e *Encoder) EncodeFiller(dst []byte, c Check, filler []byte) ([]byte, error) {
	dst, pkt := grow(dst, e.size)
	if err := MarshalPacket(pkt, Packet{Check: c, Timestamp: e.ts}, filler); err != nil {
		return dst[:len(dst)-e.size], err
	}
	e.c.crypt(pkt)
	return dst, nil
}

// grow extends dst by n bytes (their content undefined) and returns the
// extended slice and the new part.
func grow(dst []byte, n int) ([]byte, []byte) {
	l := len(dst)
	dst = slices.Grow(dst, n)[:l+n]
	return dst, dst[l:]
}

// A Decoder decrypts and checks the packets of one connection, in order,
// as the daemon does (for tests and diagnostics). It is not safe for
// concurrent use.
type Decoder struct {
	size int
	c    packetCrypter
	buf  []byte
}

// NewDecoder prepares to read the packets of a connection whose init
// packet was init.
func NewDecoder(m Method, password string, init InitPacket, legacy bool) (*Decoder, error) {
	size := PacketLen(legacy)
	c, err := newCrypter(m, []byte(password), init.IV[:], size, true)
	if err != nil {
		return nil, err
	}
	return &Decoder{size: size, c: c, buf: make([]byte, size)}, nil
}

// PacketLen returns the size of the packets this decoder reads.
func (d *Decoder) PacketLen() int { return d.size }

// Decode decrypts one encrypted packet (b is not modified), advancing the
// cipher state, and checks its version and CRC32.
func (d *Decoder) Decode(b []byte) (Packet, error) {
	if len(b) != d.size {
		return Packet{}, fmt.Errorf("packet of %d bytes, want %d: %w", len(b), d.size, ErrPacketSize)
	}
	copy(d.buf, b)
	d.c.crypt(d.buf)
	return UnmarshalPacket(d.buf)
}

// Plain returns the plaintext of the packet last given to Decode (valid
// until the next call).
func (d *Decoder) Plain() []byte { return d.buf }

// Read reads and decodes the next packet of r. At a clean end of stream it
// returns io.EOF; a partial packet gives io.ErrUnexpectedEOF.
func (d *Decoder) Read(r io.Reader) (Packet, error) {
	b := make([]byte, d.size)
	if _, err := io.ReadFull(r, b); err != nil {
		return Packet{}, err
	}
	return d.Decode(b)
}
