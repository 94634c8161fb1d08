// Package ciphers holds the block ciphers that NSCA (through libmcrypt)
// offers and that neither the standard library nor golang.org/x/crypto
// provides, each written from its published specification and matched to
// libmcrypt's conventions where libmcrypt departs from the specification:
//
//   - CAST-256 (RFC 2612), NSCA method 5, with libmcrypt's little-endian
//     word order (NewCAST256)
//   - LOKI97, method 10 (NewLOKI97)
//   - RC2 (RFC 2268) with a 128-byte key and 1024 effective key bits,
//     method 11 (NewRC2)
//   - Rijndael with a 192- and 256-bit block, methods 15 and 16; the
//     128-bit block is AES (NewRijndael)
//   - Serpent, method 20 (NewSerpent)
//   - GOST 28147-89 in libmcrypt's variant, S-box misprint included,
//     method 23 (NewGOST)
//   - SAFER+, method 26 (NewSaferPlus)
//
// Every constructor returns a crypto/cipher.Block and an error (never a
// panic) for a key of the wrong length. The package knows nothing of NSCA
// itself: the method table, key derivation from the password and libmcrypt's
// 8-bit CFB mode live in package nsca. These ciphers are here for
// compatibility with existing NSCA installations, not as a recommendation.
package ciphers
