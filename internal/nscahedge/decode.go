package nsca

import "fmt"

// Decoder decrypts and decodes the data packets of one connection, as the
// daemon does: one cipher state for the whole stream. It is for tests and
// diagnostics (e.g. telling a wrong password from a wrong packet size).
type Decoder struct {
	legacy bool
	s      streamer
}

// NewDecoder returns a decoder for a connection that started with init
// packet iv, for the given method and password.
func NewDecoder(method Method, password string, iv []byte, legacy bool) (*Decoder, error) {
	if len(iv) != IVSize {
		return nil, fmt.Errorf("nsca: IV of %d bytes, want %d", len(iv), IVSize)
	}
	s, err := newStream(method, []byte(password), iv)
	if err != nil {
		return nil, err
	}
	return &Decoder{legacy: legacy, s: s}, nil
}

// PacketSize is the size of the packets this decoder expects.
func (d *Decoder) PacketSize() int { return packetSize(d.legacy) }

// Decrypt decrypts one packet in place, advancing the cipher state.
func (d *Decoder) Decrypt(p []byte) error {
	if len(p) != d.PacketSize() {
		return fmt.Errorf("%w: %d bytes, want %d", ErrShortPacket, len(p), d.PacketSize())
	}
	d.s.decrypt(p)
	return nil
}

// Decode decrypts a copy of one encrypted packet and decodes it, checking
// version and CRC.
func (d *Decoder) Decode(packet []byte) (Check, uint32, error) {
	p := append([]byte(nil), packet...)
	if err := d.Decrypt(p); err != nil {
		return Check{}, 0, err
	}
	return UnmarshalPacket(p)
}
