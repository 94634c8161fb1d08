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

// c2Vector is one line of nsca/testdata/vectors.jsonl (a packet captured
// from send_nsca) or of vectors-connection.jsonl (stream_hex instead of
// packet_hex: three packets on one connection).
type c2Vector struct {
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

// loadC2Vectors returns the vectors of one method from a file in
// nsca/testdata; it fails the test when the file has none.
func loadC2Vectors(t *testing.T, file string, method int) []c2Vector {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", file))
	if err != nil {
		t.Fatalf("open vectors: %v", err)
	}
	defer f.Close()
	var out []c2Vector
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<22)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var v c2Vector
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

// c2Hex decodes a hex string or fails the test.
func c2Hex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// c2Key is the NSCA key: the password truncated or zero-padded to n bytes.
func c2Key(password string, n int) []byte {
	k := make([]byte, n)
	copy(k, password)
	return k
}

// c2CFB8 runs libmcrypt's 8-bit CFB over data with the register reg
// (updated in place): for each byte k = E(R)[0], out = in ^ k, then R shifts
// left one byte and takes the ciphertext byte. decrypt says whether data is
// ciphertext.
func c2CFB8(b cipher.Block, reg, data []byte, decrypt bool) []byte {
	out := make([]byte, len(data))
	ks := make([]byte, b.BlockSize())
	for i, in := range data {
		b.Encrypt(ks, reg)
		out[i] = in ^ ks[0]
		c := out[i]
		if decrypt {
			c = in
		}
		copy(reg, reg[1:])
		reg[len(reg)-1] = c
	}
	return out
}

// c2FirstDiff returns the index of the first differing byte, or -1.
func c2FirstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// c2RevGroups returns b with its 4-byte groups in reverse order.
func c2RevGroups(b []byte) []byte {
	out := make([]byte, len(b))
	for i := 0; i+4 <= len(b); i += 4 {
		copy(out[len(b)-4-i:], b[i:i+4])
	}
	return out
}

// checkC2KAT checks one known-answer triple in both directions, in place
// and out of place.
func checkC2KAT(t *testing.T, b cipher.Block, plain, want []byte) {
	t.Helper()
	got := make([]byte, b.BlockSize())
	b.Encrypt(got, plain)
	if !bytes.Equal(got, want) {
		t.Fatalf("encrypt %x: got %x, want %x", plain, got, want)
	}
	back := make([]byte, b.BlockSize())
	b.Decrypt(back, got)
	if !bytes.Equal(back, plain) {
		t.Fatalf("decrypt %x: got %x, want %x", got, back, plain)
	}
	inPlace := bytes.Clone(plain)
	b.Encrypt(inPlace, inPlace)
	if !bytes.Equal(inPlace, want) {
		t.Fatalf("in-place encrypt: got %x, want %x", inPlace, want)
	}
	b.Decrypt(inPlace, inPlace)
	if !bytes.Equal(inPlace, plain) {
		t.Fatalf("in-place decrypt: got %x, want %x", inPlace, plain)
	}
}
