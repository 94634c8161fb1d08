package follow

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sampleCursor() Cursor {
	return Cursor{
		Path:   "/var/ossec/logs/alerts/2026/Sep/ossec-alerts-24.log",
		ID:     FileID{Dev: 65024, Ino: 9987739},
		Head:   headOf([]byte("** Alert 1790000000.0: - syslog\n")),
		Offset: 123456789,
		Saved:  time.Date(2026, 9, 24, 18, 50, 30, 95000000, time.UTC),
	}
}

func TestCursorRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Cursor
	}{
		{"sample", sampleCursor()},
		{"zero offset, empty head", Cursor{Path: "alerts.json", Saved: time.Unix(0, 0).UTC()}},
		{"path with spaces and equals", Cursor{Path: "/a b/c=d.log", ID: FileID{^uint64(0), ^uint64(0)}, Offset: 1<<63 - 1, Saved: time.Unix(1, 5).UTC()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.c.MarshalText()
			if err != nil {
				t.Fatal(err)
			}
			var got Cursor
			if err := got.UnmarshalText(b); err != nil {
				t.Fatalf("decode %q: %v", b, err)
			}
			if got != tc.c {
				t.Fatalf("round trip: got %+v, want %+v", got, tc.c)
			}
		})
	}
}

func TestCursorRefusesStorableOnly(t *testing.T) {
	for _, c := range []Cursor{
		{Path: "a\nb"},
		{Path: "ok", Offset: -1},
		{Path: "ok", Head: Head{Len: headBytes + 1}},
	} {
		if _, err := c.MarshalText(); err == nil {
			t.Errorf("MarshalText(%+v) succeeded", c)
		}
	}
}

func TestCursorDecodeErrors(t *testing.T) {
	good, err := sampleCursor().MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	// resum recomputes the checksum so that the test reaches the field check.
	resum := func(b []byte) []byte {
		body := append([]byte(nil), b[:bytes.LastIndex(b, []byte("crc="))]...)
		return append(body, fmt.Sprintf("crc=%08x\n", crc32.ChecksumIEEE(body))...)
	}
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "empty"},
		{"no final newline", good[:len(good)-1], "no final newline"},
		{"cut short", good[:len(good)/2], "no final newline"},
		{"wrong magic", bytes.Replace(good, []byte("cursor 1"), []byte("cursor 2"), 1), "first line"},
		{"flipped digit", bytes.Replace(good, []byte("offset=123"), []byte("offset=124"), 1), "checksum"},
		{"missing line", resum(bytes.Replace(good, []byte("dev=65024\n"), nil, 1)), "lines"},
		{"keys out of order", resum(swapLines(good, 2, 3)), "want dev="},
		{"negative offset", resum(bytes.Replace(good, []byte("offset=123456789"), []byte("offset=-1"), 1)), "offset"},
		{"huge inode", resum(bytes.Replace(good, []byte("ino=9987739"), []byte("ino=99999999999999999999999"), 1)), "ino"},
		{"bad head", resum(bytes.Replace(good, []byte("head=32:"), []byte("head=999:"), 1)), "head"},
		{"bad time", resum(bytes.Replace(good, []byte("saved=2026"), []byte("saved=x2026"), 1)), "saved"},
		{"too large", append(bytes.Repeat([]byte("x"), maxCursorBytes), '\n'), "more than"},
		{"bad crc text", append(good[:len(good)-9:len(good)-9], "zzzzzzzz\n"...), "crc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c Cursor
			err := c.UnmarshalText(tc.in)
			if !errors.Is(err, ErrBadCursor) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrBadCursor mentioning %q", err, tc.want)
			}
		})
	}
}

func swapLines(b []byte, i, j int) []byte {
	lines := strings.Split(string(b), "\n")
	lines[i], lines[j] = lines[j], lines[i]
	return []byte(strings.Join(lines, "\n"))
}

func TestSaveLoadCursor(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cursor")
	if _, ok, err := LoadCursor(p); ok || err != nil {
		t.Fatalf("missing cursor: ok=%v err=%v, want false, nil", ok, err)
	}
	c := sampleCursor()
	for i := 0; i < 3; i++ {
		c.Offset += int64(i)
		if err := SaveCursor(p, c); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := LoadCursor(p)
	if err != nil || !ok || got != c {
		t.Fatalf("LoadCursor = %+v, %v, %v; want %+v", got, ok, err, c)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("directory holds %d entries, want only the cursor (no temporary files left)", len(ents))
	}
	if err := SaveCursor(filepath.Join(dir, "missing", "cursor"), c); err == nil || !strings.Contains(err.Error(), "save cursor") {
		t.Fatalf("save into a missing directory: %v", err)
	}
}

// FuzzCursorDecode: the decoder never panics, and what it accepts encodes
// back to the same bytes.
func FuzzCursorDecode(f *testing.F) {
	good, err := sampleCursor().MarshalText()
	if err != nil {
		f.Fatal(err)
	}
	seeds := [][]byte{good, nil, []byte(cursorMagic + "\n"), good[:len(good)-3], bytes.ToUpper(good)}
	if z, err := (Cursor{Saved: time.Unix(0, 0).UTC()}).MarshalText(); err == nil {
		seeds = append(seeds, z)
	}
	for _, s := range seeds {
		f.Add(s)
	}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var c Cursor
		if err := c.UnmarshalText(b); err != nil {
			if !errors.Is(err, ErrBadCursor) {
				t.Fatalf("error %v does not wrap ErrBadCursor", err)
			}
			return
		}
		out, err := c.MarshalText()
		if err != nil {
			t.Fatalf("accepted cursor does not encode: %v", err)
		}
		var c2 Cursor
		if err := c2.UnmarshalText(out); err != nil || c2 != c {
			t.Fatalf("re-decode: %+v %v, want %+v", c2, err, c)
		}
	})
}
