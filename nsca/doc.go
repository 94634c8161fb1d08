// Package nsca is a client for the Nagios NSCA daemon 2.x, wire-compatible
// with nsca and send_nsca 2.7 to 2.10.
//
// It owns the NSCA wire format and nothing above it: the init packet (128
// bytes of IV and a big-endian timestamp), the version-3 data packet in its
// two sizes (4304 bytes with a 4096-byte output, nsca >= 2.9; 720 bytes with
// a 512-byte output for 2.7 daemons, chosen by configuration since the two
// cannot be told apart on the wire), its CRC32, and the encryption methods:
// 0 none, 1 XOR, and 2..26 in libmcrypt's 8-bit CFB mode. The method table
// (Method, ParseMethod, Method.Validate) knows all 27 numbers; the ones this
// package encrypts are those whose Validate returns nil (2 DES, 3 3DES, 4
// CAST-128, 6 XTEA, 8 Blowfish, 9 Twofish, 14 Rijndael-128 plus whatever
// block ciphers are registered in the table). Methods the daemon itself
// rejects (7, 12, 13, 17, 18, 19, 21, 22, 24, 25) are refused by Validate.
//
// It knows nothing of OSSEC, Nagios objects or retry policy: a Client sends
// host and service check results and reports failures as *Error values
// whose Temporary method tells retryable from permanent failures.
//
// NSCA "encryption" has no integrity beyond a CRC32 and the daemon picks its
// IV from 256 possibilities: treat it as obfuscation, not security.
package nsca
