package nsca

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"unicode/utf8"
)

// Sizes of the NSCA wire format (PROTOCOL.md §2, §3).
const (
	IVSize           = 128  // transmitted IV
	InitPacketSize   = 132  // IV + big-endian uint32 timestamp
	PacketSize       = 4304 // version-3 data packet, nsca >= 2.9
	LegacyPacketSize = 720  // version-3 data packet of nsca 2.7 (512-byte output)
	PacketVersion    = 3

	MaxHostLen         = 63   // host_name bytes before its NUL
	MaxServiceLen      = 127  // svc_description bytes before its NUL
	MaxOutputLen       = 4095 // plugin_output bytes before its NUL
	LegacyMaxOutputLen = 511  // plugin_output bytes before its NUL, legacy size
)

// Field offsets of the data packet (C struct with natural alignment).
const (
	offVersion = 0
	offCRC     = 4
	offTime    = 8
	offState   = 12
	offHost    = 14
	offService = offHost + MaxHostLen + 1       // 78
	offOutput  = offService + MaxServiceLen + 1 // 206
)

// Errors of Unmarshal and the decoders.
var (
	ErrPacketSize    = errors.New("nsca: wrong packet size")
	ErrPacketVersion = errors.New("nsca: packet version is not 3 (wrong password or encryption method?)")
	ErrCRC           = errors.New("nsca: packet CRC32 mismatch (wrong password or encryption method?)")
)

// InitPacket is what the daemon sends right after accepting a connection.
type InitPacket struct {
	IV        [IVSize]byte
	Timestamp uint32 // daemon's time(), echoed in every data packet
}

// Marshal returns the 132-byte wire form.
func (p InitPacket) Marshal() []byte {
	b := make([]byte, InitPacketSize)
	copy(b, p.IV[:])
	binary.BigEndian.PutUint32(b[IVSize:], p.Timestamp)
	return b
}

// ParseInitPacket reads the 132-byte init packet.
func ParseInitPacket(b []byte) (InitPacket, error) {
	var p InitPacket
	if len(b) != InitPacketSize {
		return p, fmt.Errorf("init packet of %d bytes, want %d: %w", len(b), InitPacketSize, ErrPacketSize)
	}
	copy(p.IV[:], b)
	p.Timestamp = binary.BigEndian.Uint32(b[IVSize:])
	return p, nil
}

// Check is one passive check result. An empty Service makes it a host
// check. State is the plugin return code (0 OK, 1 WARNING, 2 CRITICAL, 3
// UNKNOWN); on the wire it is an int16, so like send_nsca a value outside
// -32768..32767 wraps (70000 arrives as 4464).
type Check struct {
	Host    string
	Service string
	State   int
	Output  string
}

// Packet is a decoded data packet: the check plus the timestamp it carries.
type Packet struct {
	Check
	Timestamp uint32
}

// PacketLen returns the data packet size: PacketSize, or LegacyPacketSize
// when legacy is set.
func PacketLen(legacy bool) int {
	if legacy {
		return LegacyPacketSize
	}
	return PacketSize
}

// MarshalPacket writes p as a plaintext data packet into dst, whose length
// (PacketSize or LegacyPacketSize) selects the packet size. Every byte not
// covered by a field or its terminating NUL (struct padding and the rest of
// each string field) is taken from filler at the same offset; filler must be
// len(dst) bytes, or nil for zeros. Strings longer than their field are cut
// at a UTF-8 character boundary (host 63, service 127, output 4095 or 511
// bytes) and at the first NUL byte (the daemon would stop there anyway).
// The CRC32 is computed last, over the whole packet.
func MarshalPacket(dst []byte, p Packet, filler []byte) error {
	maxOut, err := outputMax(len(dst))
	if err != nil {
		return err
	}
	if filler != nil && len(filler) != len(dst) {
		return fmt.Errorf("filler of %d bytes for a %d-byte packet: %w", len(filler), len(dst), ErrPacketSize)
	}
	if filler != nil {
		copy(dst, filler)
	} else {
		clear(dst)
	}
	binary.BigEndian.PutUint16(dst[offVersion:], PacketVersion)
	binary.BigEndian.PutUint32(dst[offCRC:], 0)
	binary.BigEndian.PutUint32(dst[offTime:], p.Timestamp)
	binary.BigEndian.PutUint16(dst[offState:], uint16(int16(p.State)))
	putString(dst[offHost:], p.Host, MaxHostLen)
	putString(dst[offService:], p.Service, MaxServiceLen)
	putString(dst[offOutput:], p.Output, maxOut)
	binary.BigEndian.PutUint32(dst[offCRC:], crc32.ChecksumIEEE(dst))
	return nil
}

// UnmarshalPacket decodes a plaintext data packet of either size: version,
// then CRC32, as the daemon checks them. It never panics.
func UnmarshalPacket(b []byte) (Packet, error) {
	var p Packet
	maxOut, err := outputMax(len(b))
	if err != nil {
		return p, err
	}
	if v := int16(binary.BigEndian.Uint16(b[offVersion:])); v != PacketVersion {
		return p, fmt.Errorf("version %d: %w", v, ErrPacketVersion)
	}
	want := binary.BigEndian.Uint32(b[offCRC:])
	if got := packetCRC(b); got != want {
		return p, fmt.Errorf("crc32 %08x, computed %08x: %w", want, got, ErrCRC)
	}
	p.Timestamp = binary.BigEndian.Uint32(b[offTime:])
	p.State = int(int16(binary.BigEndian.Uint16(b[offState:])))
	p.Host = getString(b[offHost:], MaxHostLen)
	p.Service = getString(b[offService:], MaxServiceLen)
	p.Output = getString(b[offOutput:], maxOut)
	return p, nil
}

// packetCRC is the CRC32 of b with the crc32 field taken as zero.
func packetCRC(b []byte) uint32 {
	var zero [4]byte
	c := crc32.Update(0, crc32.IEEETable, b[:offCRC])
	c = crc32.Update(c, crc32.IEEETable, zero[:])
	return crc32.Update(c, crc32.IEEETable, b[offCRC+4:])
}

func outputMax(size int) (int, error) {
	switch size {
	case PacketSize:
		return MaxOutputLen, nil
	case LegacyPacketSize:
		return LegacyMaxOutputLen, nil
	}
	return 0, fmt.Errorf("packet of %d bytes, want %d or %d: %w", size, PacketSize, LegacyPacketSize, ErrPacketSize)
}

// putString writes s (cut by Truncate) and its NUL at the start of dst.
func putString(dst []byte, s string, max int) {
	s = Truncate(s, max)
	n := copy(dst, s)
	dst[n] = 0
}

// getString reads a NUL-terminated field of at most max bytes, as the
// daemon does (it stops at the first NUL or at max bytes).
func getString(b []byte, max int) string {
	b = b[:max]
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// Truncate cuts s at its first NUL byte and to at most max bytes, never in
// the middle of a UTF-8 sequence (for invalid UTF-8 it backs off at most
// three bytes).
func Truncate(s string, max int) string {
	for i := 0; i < len(s) && i <= max; i++ {
		if s[i] == 0 {
			return s[:i]
		}
	}
	if len(s) <= max {
		return s
	}
	cut := max
	for back := 0; back < utf8.UTFMax-1 && cut > 0 && !utf8.RuneStart(s[cut]); back++ {
		cut--
	}
	if !utf8.RuneStart(s[cut]) { // not UTF-8 at all: cut byte-wise
		cut = max
	}
	return s[:cut]
}
