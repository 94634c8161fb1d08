package nsca

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to the decoders: they never panic, and
// a packet that decodes re-encodes to the same plaintext.
func FuzzDecode(f *testing.F) {
	seeds := 0
	for _, v := range readJSONL[vector](f, "testdata/vectors.jsonl") {
		if Method(v.Method).Implemented() {
			f.Add(uint8(v.Method), v.Password, unhex(f, v.PacketHex))
			seeds++
		}
	}
	f.Add(uint8(1), "", make([]byte, PacketSize))
	f.Add(uint8(0), "x", []byte("short"))
	if seeds == 0 {
		f.Fatal("empty seed corpus")
	}
	var ip InitPacket
	for i := range ip.IV {
		ip.IV[i] = byte(i * 7)
	}
	ip.Timestamp = 1700000000
	f.Fuzz(func(t *testing.T, method uint8, password string, b []byte) {
		if p, err := UnmarshalPacket(b); err == nil {
			again := make([]byte, len(b))
			if err := MarshalPacket(again, p, b); err != nil || !bytes.Equal(again, b) {
				t.Fatalf("re-marshal differs: %v", err)
			}
		}
		m := Method(method % 27)
		legacy := len(b) == LegacyPacketSize
		dec, err := NewDecoder(m, password, ip, legacy)
		if err != nil {
			return
		}
		if _, err := dec.Decode(b); err == nil {
			plain := append([]byte(nil), dec.Plain()...)
			if _, err := UnmarshalPacket(plain); err != nil {
				t.Fatalf("decoded packet does not unmarshal: %v", err)
			}
		}
	})
}

// FuzzReadSendConfig: the send_nsca.cfg reader never panics and what it
// accepts is usable.
func FuzzReadSendConfig(f *testing.F) {
	for _, s := range []string{
		"", "password=secret\nencryption_method=14\n", "password = x \r\n", "==password=x",
		"legacy_2_7_mode=yes\n", "encryption_method=3des\n", "encryption_method=13\n", "# c\n\nfoo=bar\n",
		"password=" + strings.Repeat("x", 600), "\x00password=x\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		cfg, _, err := ReadSendConfig(strings.NewReader(in), "f")
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if len(cfg.Password) > maxPassword || strings.ContainsRune(cfg.Password, '\n') {
			t.Fatalf("password %q", cfg.Password)
		}
		if err := cfg.Method.Validate(); err != nil {
			t.Fatalf("accepted an unusable method: %v", err)
		}
	})
}
