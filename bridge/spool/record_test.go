package spool

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"strings"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	enq := time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.UTC)
	tests := []struct {
		name string
		r    bridge.Result
	}{
		{"service check", bridge.Result{Host: "web01", Service: "OSSEC SSH", State: bridge.Critical, Output: "OSSEC rule 5712 (level 10): brute force", AlertID: "1714564800.1234"}},
		{"host check", bridge.Result{Host: "db01", State: bridge.OK, Output: "recovered"}},
		{"hostile output", bridge.Result{Host: "h", Service: "s", State: bridge.Unknown, Output: "a\nb\x00c|d;e\xff\xfe"}},
		{"empty output", bridge.Result{Host: "h", Service: "s", State: bridge.Warning}},
		{"large output", bridge.Result{Host: "h", Service: "s", State: bridge.Warning, Output: strings.Repeat("x", 100000)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Encode(Record{Result: tt.r, Enqueued: enq})
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			got, err := Decode(b)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got.Result != tt.r || !got.Enqueued.Equal(enq) {
				t.Fatalf("round trip: got %+v at %v, want %+v at %v", got.Result, got.Enqueued, tt.r, enq)
			}
		})
	}
}

func TestEncodeRefuses(t *testing.T) {
	tests := []struct {
		name string
		r    bridge.Result
		want string
	}{
		{"state too high", bridge.Result{Host: "h", State: 4}, "state 4 out of range"},
		{"negative state", bridge.Result{Host: "h", State: -1}, "state -1 out of range"},
		{"empty host", bridge.Result{Service: "s"}, "empty host"},
		{"huge output", bridge.Result{Host: "h", Output: strings.Repeat("x", MaxField+1)}, "exceeds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Encode(Record{Result: tt.r})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Encode: got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func validRecord(t testing.TB) []byte {
	t.Helper()
	b, err := Encode(Record{Result: bridge.Result{Host: "web01", Service: "OSSEC", State: bridge.Critical, Output: "out", AlertID: "1.2"}, Enqueued: time.Unix(1700000000, 5)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeCorrupt(t *testing.T) {
	good := validRecord(t)
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x40
		return b
	}
	// withCRC re-seals a body so that the structural checks, not the
	// checksum, must catch the damage.
	withCRC := func(body []byte) []byte {
		b := append(bytes.Clone(body), 0, 0, 0, 0)
		sum := crc32Sum(body)
		b[len(b)-4], b[len(b)-3], b[len(b)-2], b[len(b)-1] = byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum)
		return b
	}
	body := good[:len(good)-4]
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "truncated"},
		{"truncated", good[:len(good)-1], "checksum"},
		{"truncated header", good[:10], "truncated"},
		{"bad magic", append([]byte("XXXX"), good[4:]...), "bad magic"},
		{"flipped output byte", flip(len(good) - 6), "checksum"},
		{"flipped crc", flip(len(good) - 1), "checksum"},
		{"state out of range", withCRC(append(append(bytes.Clone(body[:12]), 9), body[13:]...)), "state 9"},
		{"length overruns", withCRC(append(bytes.Clone(body[:13]), 0x7f, 'x', 0, 0, 0)), "overruns"},
		{"bad varint", withCRC(append(bytes.Clone(body[:13]), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)), "bad length"},
		{"trailing bytes", withCRC(append(bytes.Clone(body), 'x')), "trailing"},
		{"non-minimal length", withCRC(append(bytes.Clone(body[:13]), 0x81, 0x00, 'x', 0, 0, 0)), "non-minimal"},
		{"empty host", withCRC(append(bytes.Clone(body[:13]), 0, 0, 0, 0)), "empty host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.b)
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Decode: got %v, want ErrCorrupt containing %q", err, tt.want)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	good := validRecord(f)
	seeds := [][]byte{
		good,
		good[:len(good)-1],
		good[:13],
		nil,
		[]byte(magic),
		append([]byte(magic), bytes.Repeat([]byte{0xff}, 40)...),
	}
	for _, r := range []bridge.Result{
		{Host: "h", State: bridge.OK},
		{Host: "web01", Service: "OSSEC SSH", State: bridge.Unknown, Output: "a\nb\x00|;", AlertID: "x"},
	} {
		b, err := Encode(Record{Result: r, Enqueued: time.Unix(0, 1)})
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Decode error does not wrap ErrCorrupt: %v", err)
			}
			return
		}
		// Whatever decodes must encode back to the same bytes.
		again, err := Encode(rec)
		if err != nil {
			t.Fatalf("Encode of a decoded record: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs:\n got %x\nwant %x", again, b)
		}
		// What survives Revalidate is safe for a command-file line.
		for _, multiline := range []bool{false, true} {
			v, err := Revalidate(rec, multiline)
			if err != nil {
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("Revalidate error does not wrap ErrCorrupt: %v", err)
				}
				continue
			}
			r := v.Result
			if strings.ContainsAny(r.Host+r.Service, ";\n\r\x00") || strings.ContainsAny(r.Output, "|\r\x00") ||
				(!multiline && strings.Contains(r.Output, "\n")) || strings.ContainsAny(v.Result.AlertID, "\n\r") {
				t.Fatalf("Revalidate(multiline %v) let through %+v", multiline, r)
			}
		}
	})
}

func crc32Sum(b []byte) uint32 { return crc32.Checksum(b, castagnoli()) }

// FuzzDecodeSealed seals the fuzzed bytes with a valid checksum, so that the
// structural checks behind the checksum get exercised too.
func FuzzDecodeSealed(f *testing.F) {
	good := validRecord(f)
	seeds := [][]byte{
		good[:len(good)-4],
		good[:13],
		append(bytes.Clone(good[:13]), 0x81, 0x00, 'x', 0, 0, 0),
		append(bytes.Clone(good[:13]), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01),
	}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		b := binary.BigEndian.AppendUint32(bytes.Clone(body), crc32Sum(body))
		rec, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Decode error does not wrap ErrCorrupt: %v", err)
			}
			return
		}
		again, err := Encode(rec)
		if err != nil {
			t.Fatalf("Encode of a decoded record: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs:\n got %x\nwant %x", again, b)
		}
	})
}
