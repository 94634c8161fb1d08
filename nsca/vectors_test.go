package nsca

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

// vector is one line of testdata/vectors.jsonl: one packet send_nsca
// 2.10.2 sent to a fake daemon with a fixed init packet.
type vector struct {
	Method    int    `json:"method"`
	Name      string `json:"method_name"`
	Password  string `json:"password"`
	IVHex     string `json:"iv_hex"`
	Timestamp uint32 `json:"timestamp"`
	PacketHex string `json:"packet_hex"`
	PlainHex  string `json:"plain_hex"`
	PacketLen int    `json:"packet_len"`
	Host      string `json:"host"`
	Service   string `json:"service"`
	State     int    `json:"state"`
	Output    string `json:"output"`
	Legacy    bool   `json:"legacy_2_7_mode"`
}

// connVector is one line of testdata/vectors-connection.jsonl: three
// packets on one connection.
type connVector struct {
	Method    int     `json:"method"`
	Password  string  `json:"password"`
	IVHex     string  `json:"iv_hex"`
	Timestamp uint32  `json:"timestamp"`
	StreamHex string  `json:"stream_hex"`
	PlainHex  string  `json:"plain_hex"`
	PacketLen int     `json:"packet_len"`
	Packets   int     `json:"packets"`
	Checks    []Check `json:"checks"`
}

func (c *Check) UnmarshalJSON(b []byte) error {
	var v struct {
		Host    string `json:"host"`
		Service string `json:"service"`
		State   int    `json:"state"`
		Output  string `json:"output"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*c = Check{Host: v.Host, Service: v.Service, State: v.State, Output: v.Output}
	return nil
}

func readJSONL[T any](t testing.TB, path string) []T {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s line %d: %v", path, len(out)+1, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no vectors", path)
	}
	return out
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func initFor(t testing.TB, ivHex string, ts uint32) InitPacket {
	t.Helper()
	var ip InitPacket
	if n := copy(ip.IV[:], unhex(t, ivHex)); n != IVSize {
		t.Fatalf("iv of %d bytes", n)
	}
	ip.Timestamp = ts
	return ip
}

// requiredMethods are the methods this package must implement itself.
var requiredMethods = []Method{MethodNone, MethodXOR, MethodDES, Method3DES, MethodCAST128, MethodXTEA, MethodBlowfish, MethodTwofish, MethodRijndael128}

func TestRequiredMethodsImplemented(t *testing.T) {
	for _, m := range requiredMethods {
		if err := m.Validate(); err != nil {
			t.Errorf("method %d: %v", int(m), err)
		}
	}
}

// TestVectors decodes every captured packet of every implemented method
// and re-encodes it byte for byte from its filler.
func TestVectors(t *testing.T) {
	vs := readJSONL[vector](t, "testdata/vectors.jsonl")
	tested := map[Method]int{}
	for i, v := range vs {
		m := Method(v.Method)
		name := fmt.Sprintf("%02d-%s/%d", v.Method, v.Name, i%8)
		t.Run(name, func(t *testing.T) {
			if !m.Implemented() {
				t.Skipf("method %d not implemented: %v", v.Method, m.Validate())
			}
			tested[m]++
			ip := initFor(t, v.IVHex, v.Timestamp)
			pkt, plain := unhex(t, v.PacketHex), unhex(t, v.PlainHex)
			if len(pkt) != v.PacketLen || len(pkt) != PacketLen(v.Legacy) {
				t.Fatalf("packet of %d bytes, packet_len %d, legacy %v", len(pkt), v.PacketLen, v.Legacy)
			}
			dec, err := NewDecoder(m, v.Password, ip, v.Legacy)
			if err != nil {
				t.Fatal(err)
			}
			got, err := dec.Decode(pkt)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !bytes.Equal(dec.Plain(), plain) {
				t.Fatalf("plaintext differs from plain_hex")
			}
			want := Packet{Check: Check{Host: v.Host, Service: v.Service, State: v.State, Output: v.Output}, Timestamp: v.Timestamp}
			if got != want {
				t.Fatalf("decoded %+v\nwant    %+v", got, want)
			}
			enc, err := NewEncoder(m, v.Password, ip, v.Legacy)
			if err != nil {
				t.Fatal(err)
			}
			out, err := enc.EncodeFiller(nil, want.Check, plain)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, pkt) {
				t.Fatalf("re-encoded packet differs from packet_hex at byte %d", firstDiff(out, pkt))
			}
		})
	}
	for _, m := range requiredMethods {
		if tested[m] != 8 {
			t.Errorf("method %d: %d vectors tested, want 8", int(m), tested[m])
		}
	}
	t.Logf("vectors tested per method: %v", tested)
}

// TestConnectionVectors checks three packets on one cipher state.
func TestConnectionVectors(t *testing.T) {
	vs := readJSONL[connVector](t, "testdata/vectors-connection.jsonl")
	for _, v := range vs {
		m := Method(v.Method)
		t.Run(fmt.Sprintf("%02d-%s", v.Method, m), func(t *testing.T) {
			if !m.Implemented() {
				t.Skipf("method %d not implemented: %v", v.Method, m.Validate())
			}
			ip := initFor(t, v.IVHex, v.Timestamp)
			stream, plain := unhex(t, v.StreamHex), unhex(t, v.PlainHex)
			if v.Packets != 3 || len(v.Checks) != 3 || len(stream) != 3*v.PacketLen || len(plain) != len(stream) {
				t.Fatalf("malformed vector: %d packets, %d checks, %d bytes", v.Packets, len(v.Checks), len(stream))
			}
			dec, err := NewDecoder(m, v.Password, ip, v.PacketLen == LegacyPacketSize)
			if err != nil {
				t.Fatal(err)
			}
			enc, err := NewEncoder(m, v.Password, ip, v.PacketLen == LegacyPacketSize)
			if err != nil {
				t.Fatal(err)
			}
			r := bytes.NewReader(stream)
			var out []byte
			for i, want := range v.Checks {
				got, err := dec.Read(r)
				if err != nil {
					t.Fatalf("packet %d: %v", i, err)
				}
				if got.Check != want || got.Timestamp != v.Timestamp {
					t.Fatalf("packet %d: %+v, want %+v", i, got, want)
				}
				if out, err = enc.EncodeFiller(out, want, plain[i*v.PacketLen:(i+1)*v.PacketLen]); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(out, stream) {
				t.Fatalf("re-encoded stream differs at byte %d", firstDiff(out, stream))
			}
		})
	}
}

// TestConnectionStateCarries proves the cipher state is per connection: a
// fresh decoder per packet fails on the second packet for CFB methods.
func TestConnectionStateCarries(t *testing.T) {
	vs := readJSONL[connVector](t, "testdata/vectors-connection.jsonl")
	for _, v := range vs {
		m := Method(v.Method)
		if m <= MethodXOR || !m.Implemented() {
			continue
		}
		ip := initFor(t, v.IVHex, v.Timestamp)
		stream := unhex(t, v.StreamHex)
		dec, err := NewDecoder(m, v.Password, ip, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dec.Decode(stream[v.PacketLen : 2*v.PacketLen]); err == nil {
			t.Errorf("method %d: second packet decoded with a fresh cipher state", v.Method)
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
