package ciphers

import (
	"bufio"
	"bytes"
	"crypto/cipher"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// c1Vector is one line of nsca/testdata/vectors.jsonl (packet_hex: one
// packet captured from send_nsca) or vectors-connection.jsonl (stream_hex:
// several packets on one connection).
type c1Vector struct {
	Method    int    `json:"method"`
	Name      string `json:"method_name"`
	Password  string `json:"password"`
	IVHex     string `json:"iv_hex"`
	PacketHex string `json:"packet_hex"`
	StreamHex string `json:"stream_hex"`
	PlainHex  string `json:"plain_hex"`
	PacketLen int    `json:"packet_len"`
	Legacy    bool   `json:"legacy_2_7_mode"`
	Packets   int    `json:"packets"`
}

// c1LoadVectors returns the vectors of one method from nsca/testdata/file
// and fails the test when there are none.
func c1LoadVectors(t *testing.T, file string, method int) []c1Vector {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", file))
	if err != nil {
		t.Fatalf("open vectors: %v", err)
	}
	defer f.Close()
	var out []c1Vector
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<22)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var v c1Vector
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s line %d: %v", file, line, err)
		}
		if v.Method == method {
			out = append(out, v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", file, err)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no vectors for method %d", file, method)
	}
	return out
}

// c1Hex decodes hex (spaces allowed) or fails the test.
func c1Hex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// c1KAT is one known-answer vector of a block cipher.
type c1KAT struct {
	name                   string
	key, plain, ciphertext string
}

// c1CheckBlock encrypts plain and compares with ciphertext, decrypts it
// back, and does both again in place (dst == src).
func c1CheckBlock(t *testing.T, b cipher.Block, plain, ciphertext []byte) {
	t.Helper()
	if b.BlockSize() != len(plain) {
		t.Fatalf("BlockSize() = %d, vector has %d bytes", b.BlockSize(), len(plain))
	}
	got := make([]byte, len(plain))
	b.Encrypt(got, plain)
	if !bytes.Equal(got, ciphertext) {
		t.Fatalf("Encrypt = %x, want %x", got, ciphertext)
	}
	back := make([]byte, len(plain))
	b.Decrypt(back, got)
	if !bytes.Equal(back, plain) {
		t.Fatalf("Decrypt = %x, want %x", back, plain)
	}
	buf := bytes.Clone(plain)
	b.Encrypt(buf, buf)
	if !bytes.Equal(buf, ciphertext) {
		t.Fatalf("in-place Encrypt = %x, want %x", buf, ciphertext)
	}
	b.Decrypt(buf, buf)
	if !bytes.Equal(buf, plain) {
		t.Fatalf("in-place Decrypt = %x, want %x", buf, plain)
	}
}

// c1RoundTrip encrypts and decrypts n pseudo-random blocks (a fixed
// sequence) and fails if a block does not come back or encrypts to itself.
func c1RoundTrip(t *testing.T, b cipher.Block, n int) {
	t.Helper()
	bs := b.BlockSize()
	p := make([]byte, bs)
	c := make([]byte, bs)
	d := make([]byte, bs)
	x := uint32(2463534242)
	for range n {
		for i := range p {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			p[i] = byte(x)
		}
		b.Encrypt(c, p)
		if bytes.Equal(c, p) {
			t.Fatalf("Encrypt(%x) returned its input", p)
		}
		b.Decrypt(d, c)
		if !bytes.Equal(d, p) {
			t.Fatalf("Decrypt(Encrypt(%x)) = %x", p, d)
		}
	}
}

// c1BenchBlock measures one block encryption.
func c1BenchBlock(b *testing.B, blk cipher.Block) {
	buf := make([]byte, blk.BlockSize())
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		blk.Encrypt(buf, buf)
	}
}
