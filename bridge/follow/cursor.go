package follow

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ossec-nagios/ossec-nagios/internal/safefile"
)

// ErrBadCursor is wrapped by the error for a cursor file that exists but
// cannot be decoded. Follow refuses to start on it rather than guess a
// position: the cursor is written atomically (temporary file, fsync,
// rename, fsync of the directory), so a crash never leaves a damaged one;
// a damaged cursor means outside interference, and the operator decides
// (remove the file: follow then starts as on a first run).
var ErrBadCursor = errors.New("follow: bad cursor file")

// cursorMagic is the first line of every cursor file; the version is part
// of it so that a future format is refused by this decoder, not misread.
const cursorMagic = "ossec-nagios follow cursor 1"

// maxCursorBytes bounds a cursor file; a path is at most 4096 bytes on Linux.
const maxCursorBytes = 8192

// headBytes is how much of a file's beginning the cursor fingerprints.
const headBytes = 512

// FileID identifies a file on one machine: device and inode.
type FileID struct {
	Dev uint64
	Ino uint64
}

func (id FileID) String() string { return fmt.Sprintf("dev %d inode %d", id.Dev, id.Ino) }

// Head fingerprints the first Len bytes of a file (Len <= 512): it tells a
// reused inode from the file the cursor was saved in, and finds that file
// again after rotation, even compressed.
type Head struct {
	Len int
	Sum [16]byte // first 16 bytes of SHA-256 of the first Len bytes
}

func headOf(b []byte) Head {
	s := sha256.Sum256(b)
	h := Head{Len: len(b)}
	copy(h.Sum[:], s[:16])
	return h
}

// Cursor is the saved position of follow mode: the file being read, by
// identity, and the offset of the first byte not yet delivered.
type Cursor struct {
	Path   string // where the file was when the cursor was saved (informational and first place to look)
	ID     FileID
	Head   Head
	Offset int64
	Saved  time.Time
}

// MarshalText encodes c as the cursor file's text: the magic line, one
// key=value per line in a fixed order, and a CRC-32 of what precedes it.
func (c Cursor) MarshalText() ([]byte, error) {
	if strings.ContainsAny(c.Path, "\n\x00") || !utf8.ValidString(c.Path) {
		return nil, fmt.Errorf("follow: cursor path %q cannot be stored", c.Path)
	}
	if c.Offset < 0 || c.Head.Len < 0 || c.Head.Len > headBytes {
		return nil, fmt.Errorf("follow: cursor offset %d or head length %d out of range", c.Offset, c.Head.Len)
	}
	var b bytes.Buffer
	b.WriteString(cursorMagic + "\n")
	fmt.Fprintf(&b, "path=%s\n", c.Path)
	fmt.Fprintf(&b, "dev=%d\n", c.ID.Dev)
	fmt.Fprintf(&b, "ino=%d\n", c.ID.Ino)
	fmt.Fprintf(&b, "offset=%d\n", c.Offset)
	fmt.Fprintf(&b, "head=%d:%s\n", c.Head.Len, hex.EncodeToString(c.Head.Sum[:]))
	fmt.Fprintf(&b, "saved=%s\n", c.Saved.UTC().Format(time.RFC3339Nano))
	fmt.Fprintf(&b, "crc=%08x\n", crc32.ChecksumIEEE(b.Bytes()))
	return b.Bytes(), nil
}

// UnmarshalText decodes a cursor file. It accepts exactly what MarshalText
// writes and returns an error wrapping ErrBadCursor for anything else.
func (c *Cursor) UnmarshalText(b []byte) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrBadCursor, fmt.Sprintf(format, args...))
	}
	if len(b) == 0 {
		return bad("empty")
	}
	if len(b) > maxCursorBytes {
		return bad("%d bytes, more than %d", len(b), maxCursorBytes)
	}
	if b[len(b)-1] != '\n' {
		return bad("no final newline (cut short?)")
	}
	lines := strings.Split(string(b[:len(b)-1]), "\n")
	keys := []string{"path", "dev", "ino", "offset", "head", "saved", "crc"}
	if len(lines) != 1+len(keys) {
		return bad("%d lines, want %d", len(lines), 1+len(keys))
	}
	if lines[0] != cursorMagic {
		return bad("first line %q, want %q", clipString(lines[0], 64), cursorMagic)
	}
	vals := make(map[string]string, len(keys))
	for i, k := range keys {
		l := lines[i+1]
		v, ok := strings.CutPrefix(l, k+"=")
		if !ok {
			return bad("line %d: %q, want %s=...", i+2, clipString(l, 64), k)
		}
		vals[k] = v
	}
	crcAt := len(b) - len("crc=00000000\n")
	if crcAt < 0 || len(vals["crc"]) != 8 {
		return bad("malformed crc line")
	}
	want, err := strconv.ParseUint(vals["crc"], 16, 32)
	if err != nil {
		return bad("crc %q: not hexadecimal", vals["crc"])
	}
	if got := crc32.ChecksumIEEE(b[:crcAt]); uint32(want) != got {
		return bad("checksum %08x, computed %08x", want, got)
	}
	var out Cursor
	out.Path = vals["path"]
	if !utf8.ValidString(out.Path) || strings.ContainsRune(out.Path, 0) {
		return bad("path is not valid UTF-8")
	}
	if out.ID.Dev, err = strconv.ParseUint(vals["dev"], 10, 64); err != nil {
		return bad("dev %q: %v", clipString(vals["dev"], 32), err)
	}
	if out.ID.Ino, err = strconv.ParseUint(vals["ino"], 10, 64); err != nil {
		return bad("ino %q: %v", clipString(vals["ino"], 32), err)
	}
	if out.Offset, err = strconv.ParseInt(vals["offset"], 10, 64); err != nil || out.Offset < 0 {
		return bad("offset %q: not a non-negative integer", clipString(vals["offset"], 32))
	}
	hl, hs, ok := strings.Cut(vals["head"], ":")
	n, err := strconv.Atoi(hl)
	if !ok || err != nil || n < 0 || n > headBytes || len(hs) != 32 {
		return bad("head %q: want LEN:32 hex digits, LEN <= %d", clipString(vals["head"], 64), headBytes)
	}
	if _, err := hex.Decode(out.Head.Sum[:], []byte(hs)); err != nil {
		return bad("head %q: %v", clipString(vals["head"], 64), err)
	}
	out.Head.Len = n
	if out.Saved, err = time.Parse(time.RFC3339Nano, vals["saved"]); err != nil {
		return bad("saved %q: %v", clipString(vals["saved"], 64), err)
	}
	out.Saved = out.Saved.UTC()
	*c = out
	return nil
}

func clipString(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// LoadCursor reads the cursor file at path (never through a symbolic
// link). A missing file returns (Cursor{}, false, nil); a damaged one an
// error wrapping ErrBadCursor.
func LoadCursor(path string) (Cursor, bool, error) {
	// One byte more than a cursor holds: UnmarshalText calls it damaged.
	b, err := safefile.ReadFile(path, maxCursorBytes+1)
	if errors.Is(err, os.ErrNotExist) {
		return Cursor{}, false, nil
	}
	if err != nil {
		return Cursor{}, false, fmt.Errorf("follow: read cursor: %w", err)
	}
	var c Cursor
	if err := c.UnmarshalText(b); err != nil {
		return Cursor{}, false, fmt.Errorf("%s: %w", path, err)
	}
	return c, true, nil
}

// SaveCursor writes c to path durably (internal/safefile.WriteFile: a
// temporary file in the same directory, fsync, rename over path, fsync of
// the directory; mode 0660, never through a link). After it returns nil
// the new cursor survives a crash; before, the old one does.
func SaveCursor(path string, c Cursor) error {
	b, err := c.MarshalText()
	if err != nil {
		return err
	}
	if err := safefile.WriteFile(path, b); err != nil {
		return fmt.Errorf("follow: save cursor: %w", err)
	}
	return nil
}
