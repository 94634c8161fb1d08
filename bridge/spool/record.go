package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"sync"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge"
)

// ErrCorrupt marks a spool file that cannot be decoded: truncated, bit-flipped
// or not a spool record at all. Drain quarantines such files.
var ErrCorrupt = errors.New("spool: corrupt record")

// Record is one spooled result with the time it was put in the spool.
type Record struct {
	Result   bridge.Result
	Enqueued time.Time
}

// Layout of an encoded record (version 1), all integers big-endian:
//
//	magic      4 bytes  "ONS\x01"
//	enqueued   8 bytes  Unix nanoseconds, int64
//	state      1 byte   0..3
//	host       uvarint length + bytes
//	service    uvarint length + bytes
//	output     uvarint length + bytes
//	alert id   uvarint length + bytes
//	crc        4 bytes  CRC-32C of everything before it
const (
	magic = "ONS\x01"
	// MaxField is the largest host, service, output or alert id a record
	// holds; NSCA's largest packet carries 4 KiB of output, so this leaves
	// room for any transport without letting a corrupt length allocate
	// gigabytes.
	MaxField = 1 << 20
	// MaxRecordSize bounds an encoded record; a bigger file is corrupt.
	MaxRecordSize = len(magic) + 8 + 1 + 4*(binary.MaxVarintLen64+MaxField) + 4
)

// castagnoli builds the CRC-32C table on first use: a process that never
// touches the spool (most active responses) does not pay for it at start-up.
var castagnoli = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

// Encode returns the on-disk form of rec. It fails when a field is longer
// than MaxField, the host is empty or the state is not one of the four
// Nagios states.
func Encode(rec Record) ([]byte, error) {
	r := rec.Result
	if r.State < bridge.OK || r.State > bridge.Unknown {
		return nil, fmt.Errorf("spool: encode: state %d out of range", int(r.State))
	}
	if r.Host == "" {
		return nil, errors.New("spool: encode: empty host")
	}
	fields := [...]string{r.Host, r.Service, r.Output, r.AlertID}
	size := len(magic) + 8 + 1 + 4
	for _, f := range fields {
		if len(f) > MaxField {
			return nil, fmt.Errorf("spool: encode: field of %d bytes exceeds %d", len(f), MaxField)
		}
		size += binary.MaxVarintLen64 + len(f)
	}
	b := make([]byte, 0, size)
	b = append(b, magic...)
	b = binary.BigEndian.AppendUint64(b, uint64(rec.Enqueued.UnixNano()))
	b = append(b, byte(r.State))
	for _, f := range fields {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli())), nil
}

// Decode parses an encoded record. Every failure wraps ErrCorrupt; Decode
// never panics and never allocates more than len(b).
func Decode(b []byte) (Record, error) {
	var rec Record
	if len(b) > MaxRecordSize {
		return rec, fmt.Errorf("%w: %d bytes exceeds %d", ErrCorrupt, len(b), MaxRecordSize)
	}
	if len(b) < len(magic)+8+1+4+4 {
		return rec, fmt.Errorf("%w: truncated (%d bytes)", ErrCorrupt, len(b))
	}
	if string(b[:len(magic)]) != magic {
		return rec, fmt.Errorf("%w: bad magic %q", ErrCorrupt, b[:len(magic)])
	}
	body, sum := b[:len(b)-4], binary.BigEndian.Uint32(b[len(b)-4:])
	if got := crc32.Checksum(body, castagnoli()); got != sum {
		return rec, fmt.Errorf("%w: checksum %08x, want %08x", ErrCorrupt, got, sum)
	}
	p := body[len(magic):]
	rec.Enqueued = time.Unix(0, int64(binary.BigEndian.Uint64(p))).UTC()
	state := bridge.State(p[8])
	if state > bridge.Unknown {
		return rec, fmt.Errorf("%w: state %d out of range", ErrCorrupt, p[8])
	}
	rec.Result.State = state
	p = p[9:]
	var fields [4]string
	for i := range fields {
		n, k := binary.Uvarint(p)
		if k <= 0 {
			return Record{}, fmt.Errorf("%w: bad length of field %d", ErrCorrupt, i)
		}
		if k != len(binary.AppendUvarint(nil, n)) {
			return Record{}, fmt.Errorf("%w: non-minimal length of field %d", ErrCorrupt, i)
		}
		p = p[k:]
		if n > MaxField || n > uint64(len(p)) {
			return Record{}, fmt.Errorf("%w: field %d of %d bytes overruns the record", ErrCorrupt, i, n)
		}
		fields[i] = string(p[:n])
		p = p[n:]
	}
	if len(p) != 0 {
		return Record{}, fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(p))
	}
	if fields[0] == "" {
		return Record{}, fmt.Errorf("%w: empty host", ErrCorrupt)
	}
	rec.Result.Host, rec.Result.Service, rec.Result.Output, rec.Result.AlertID = fields[0], fields[1], fields[2], fields[3]
	return rec, nil
}
