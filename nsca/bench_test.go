package nsca

import (
	"testing"
)

// BenchmarkEncode measures marshal + encrypt of one 4304-byte packet per
// implemented method (random filler included), on one connection state.
func BenchmarkEncode(b *testing.B) {
	var ip InitPacket
	for i := range ip.IV {
		ip.IV[i] = byte(i)
	}
	c := Check{Host: "web01.example.com", Service: "OSSEC Alert", State: 2, Output: "rule 5712 level 10: sshd brute force from 192.0.2.7"}
	for _, m := range Methods() {
		if !m.Implemented() {
			continue
		}
		b.Run(m.String(), func(b *testing.B) {
			enc, err := NewEncoder(m, "bench-password", ip, false)
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 0, PacketSize)
			b.SetBytes(PacketSize)
			b.ReportAllocs()
			for b.Loop() {
				if buf, err = enc.Encode(buf[:0], c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
