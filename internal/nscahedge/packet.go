package nsca

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"unicode/utf8"
)

// Sizes of the protocol (nsca 2.9 and later; legacy = 2.7).
const (
	InitPacketSize   = 132  // 128-byte IV + big-endian uint32 timestamp
	IVSize           = 128  // transmitted IV
	PacketSize       = 4304 // data packet, 4096-byte output
	LegacyPacketSize = 720  // data packet, 512-byte output (nsca 2.7)
	MaxHostLen       = 63   // host_name bytes before the NUL
	MaxServiceLen    = 127  // svc_description bytes before the NUL
	MaxOutputLen     = 4095 // plugin_output bytes before the NUL
	MaxLegacyOutput  = 511
	packetVersion    = 3

	offVersion = 0
	offCRC     = 4
	offTime    = 8
	offCode    = 12
	offHost    = 14
	offService = 78
	offOutput  = 206
)

// Check is one passive check result as it travels in a data packet. An
// empty Service makes it a host check.
type Check struct {
	Host    string
	Service string
	State   int // return code; sent as int16 like send_nsca
	Output  string
}

// InitPacket is what the daemon sends right after accepting.
type InitPacket struct {
	IV        [IVSize]byte
	Timestamp uint32
}

// ErrShortPacket and the others describe packets that cannot be decoded.
var (
	ErrShortPacket = errors.New("nsca: short packet")
	ErrBadVersion  = errors.New("nsca: bad packet version (wrong password or encryption method?)")
	ErrBadCRC      = errors.New("nsca: bad packet CRC32 (wrong password or encryption method?)")
)

// ParseInitPacket decodes the 132-byte init packet.
func ParseInitPacket(b []byte) (InitPacket, error) {
	var p InitPacket
	if len(b) < InitPacketSize {
		return p, fmt.Errorf("%w: init packet has %d bytes, want %d", ErrShortPacket, len(b), InitPacketSize)
	}
	copy(p.IV[:], b[:IVSize])
	p.Timestamp = binary.BigEndian.Uint32(b[IVSize:InitPacketSize])
	return p, nil
}

// Marshal returns the init packet's 132 bytes.
func (p InitPacket) Marshal() []byte {
	b := make([]byte, InitPacketSize)
	copy(b, p.IV[:])
	binary.BigEndian.PutUint32(b[IVSize:], p.Timestamp)
	return b
}

// packetSize returns the data packet size for the legacy flag.
func packetSize(legacy bool) int {
	if legacy {
		return LegacyPacketSize
	}
	return PacketSize
}

// MarshalPacket builds the plaintext data packet for c with the daemon's
// timestamp, into buf (len = 4304, or 720 when legacy). buf's existing
// bytes are the filler: send_nsca fills with random printable bytes, this
// package with zeros; the daemon ignores them but the CRC covers them.
// Fields are truncated at a UTF-8 boundary to what the packet holds.
func MarshalPacket(buf []byte, c Check, timestamp uint32) error {
	legacy := false
	switch len(buf) {
	case PacketSize:
	case LegacyPacketSize:
		legacy = true
	default:
		return fmt.Errorf("nsca: packet buffer of %d bytes, want %d or %d", len(buf), PacketSize, LegacyPacketSize)
	}
	maxOut := MaxOutputLen
	if legacy {
		maxOut = MaxLegacyOutput
	}
	binary.BigEndian.PutUint16(buf[offVersion:], packetVersion)
	binary.BigEndian.PutUint32(buf[offCRC:], 0)
	binary.BigEndian.PutUint32(buf[offTime:], timestamp)
	binary.BigEndian.PutUint16(buf[offCode:], uint16(int16(c.State)))
	putString(buf[offHost:offService], Truncate(c.Host, MaxHostLen))
	putString(buf[offService:offOutput], Truncate(c.Service, MaxServiceLen))
	putString(buf[offOutput:offOutput+maxOut+1], Truncate(c.Output, maxOut))
	binary.BigEndian.PutUint32(buf[offCRC:], crc32.ChecksumIEEE(buf))
	return nil
}

// putString writes s and its NUL terminator at the start of field.
func putString(field []byte, s string) {
	n := copy(field, s)
	field[n] = 0
}

// Truncate cuts s to at most max bytes without splitting a UTF-8 sequence.
func Truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && cut > max-utf8.UTFMax && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if !utf8.RuneStart(s[cut]) {
		cut = max // not UTF-8 anyway: cut at the byte limit
	}
	return s[:cut]
}

// UnmarshalPacket decodes a decrypted data packet (4304 or 720 bytes) and
// checks its version and CRC32 as the daemon does.
func UnmarshalPacket(b []byte) (c Check, timestamp uint32, err error) {
	legacy := false
	switch len(b) {
	case PacketSize:
	case LegacyPacketSize:
		legacy = true
	default:
		return c, 0, fmt.Errorf("%w: %d bytes, want %d or %d", ErrShortPacket, len(b), PacketSize, LegacyPacketSize)
	}
	if v := int16(binary.BigEndian.Uint16(b[offVersion:])); v != packetVersion {
		return c, 0, fmt.Errorf("%w: version %d", ErrBadVersion, v)
	}
	want := binary.BigEndian.Uint32(b[offCRC:])
	tmp := make([]byte, len(b))
	copy(tmp, b)
	binary.BigEndian.PutUint32(tmp[offCRC:], 0)
	if got := crc32.ChecksumIEEE(tmp); got != want {
		return c, 0, fmt.Errorf("%w: %08x, computed %08x", ErrBadCRC, want, got)
	}
	end := offOutput + MaxOutputLen + 1
	if legacy {
		end = offOutput + MaxLegacyOutput + 1
	}
	c.State = int(int16(binary.BigEndian.Uint16(b[offCode:])))
	c.Host = getString(b[offHost:offService])
	c.Service = getString(b[offService:offOutput])
	c.Output = getString(b[offOutput:end])
	return c, binary.BigEndian.Uint32(b[offTime:]), nil
}

// getString reads up to the first NUL, or the field size minus one, as the
// daemon does.
func getString(field []byte) string {
	field = field[:len(field)-1]
	for i, ch := range field {
		if ch == 0 {
			return string(field[:i])
		}
	}
	return string(field)
}
