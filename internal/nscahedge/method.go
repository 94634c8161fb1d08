package nsca

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/blowfish"
	"golang.org/x/crypto/cast5"
	"golang.org/x/crypto/twofish"
	"golang.org/x/crypto/xtea"
)

// Method is an NSCA encryption method, numbered as in send_nsca.cfg's
// encryption_method and nsca.cfg's decryption_method.
type Method int

// The methods the daemon accepts and that this package implements by name.
const (
	None        Method = 0
	XOR         Method = 1
	DES         Method = 2
	TripleDES   Method = 3
	CAST128     Method = 4
	CAST256     Method = 5
	XTEA        Method = 6
	Blowfish    Method = 8
	Twofish     Method = 9
	LOKI97      Method = 10
	RC2         Method = 11
	Rijndael128 Method = 14
	Rijndael192 Method = 15
	Rijndael256 Method = 16
	Serpent     Method = 20
	GOST        Method = 23
	SaferPlus   Method = 26
)

// Sentinel errors of Method.Validate.
var (
	ErrUnknownMethod     = errors.New("unknown encryption method")
	ErrUnsupportedMethod = errors.New("encryption method not supported by the nsca daemon")
	ErrNotImplemented    = errors.New("encryption method not implemented")
)

// methodInfo is one row of the method table.
type methodInfo struct {
	name     string   // NSCA's name (send_nsca.cfg comments)
	mcrypt   string   // libmcrypt algorithm name
	aliases  []string // other names users write
	keySize  int      // bytes: the password is truncated/zero-padded to this
	block    int      // bytes: block and IV (register) size
	accepted bool     // the nsca 2.10 daemon accepts it
	// newBlock builds the block cipher from the padded key; nil: not
	// implemented (yet).
	newBlock func(key []byte) (cipher.Block, error)
}

// methods is THE method table: every number send_nsca knows.
var methods = map[Method]*methodInfo{
	0:  {name: "NONE", mcrypt: "none", accepted: true},
	1:  {name: "XOR", mcrypt: "xor", accepted: true, block: 128},
	2:  {name: "DES", mcrypt: "des", keySize: 8, block: 8, accepted: true, newBlock: des.NewCipher},
	3:  {name: "3DES", mcrypt: "tripledes", aliases: []string{"triple-des", "des3"}, keySize: 24, block: 8, accepted: true, newBlock: des.NewTripleDESCipher},
	4:  {name: "CAST128", mcrypt: "cast-128", aliases: []string{"cast5"}, keySize: 16, block: 8, accepted: true, newBlock: func(k []byte) (cipher.Block, error) { return cast5.NewCipher(k) }},
	5:  {name: "CAST256", mcrypt: "cast-256", keySize: 32, block: 16, accepted: true},
	6:  {name: "XTEA", mcrypt: "xtea", keySize: 16, block: 8, accepted: true, newBlock: func(k []byte) (cipher.Block, error) { return xtea.NewCipher(k) }},
	7:  {name: "3WAY", mcrypt: "threeway"},
	8:  {name: "BLOWFISH", mcrypt: "blowfish", keySize: 56, block: 8, accepted: true, newBlock: func(k []byte) (cipher.Block, error) { return blowfish.NewCipher(k) }},
	9:  {name: "TWOFISH", mcrypt: "twofish", keySize: 32, block: 16, accepted: true, newBlock: func(k []byte) (cipher.Block, error) { return twofish.NewCipher(k) }},
	10: {name: "LOKI97", mcrypt: "loki97", keySize: 32, block: 16, accepted: true},
	11: {name: "RC2", mcrypt: "rc2", keySize: 128, block: 8, accepted: true},
	12: {name: "ARCFOUR", mcrypt: "arcfour", aliases: []string{"rc4"}},
	13: {name: "RC6", mcrypt: "rc6"},
	14: {name: "RIJNDAEL128", mcrypt: "rijndael-128", aliases: []string{"aes", "aes-256", "aes256"}, keySize: 32, block: 16, accepted: true, newBlock: aes.NewCipher},
	15: {name: "RIJNDAEL192", mcrypt: "rijndael-192", keySize: 32, block: 24, accepted: true},
	16: {name: "RIJNDAEL256", mcrypt: "rijndael-256", keySize: 32, block: 32, accepted: true},
	17: {name: "MARS", mcrypt: "mars"},
	18: {name: "PANAMA", mcrypt: "panama"},
	19: {name: "WAKE", mcrypt: "wake"},
	20: {name: "SERPENT", mcrypt: "serpent", keySize: 32, block: 16, accepted: true},
	21: {name: "IDEA", mcrypt: "idea"},
	22: {name: "ENIGMA", mcrypt: "enigma"},
	23: {name: "GOST", mcrypt: "gost", keySize: 32, block: 8, accepted: true},
	24: {name: "SAFER64", mcrypt: "safer-sk64"},
	25: {name: "SAFER128", mcrypt: "safer-sk128"},
	26: {name: "SAFERPLUS", mcrypt: "saferplus", aliases: []string{"safer+"}, keySize: 32, block: 16, accepted: true},
}

// ParseMethod accepts a method number ("3") or name, as send_nsca.cfg users
// write them: NSCA's ("3DES", "RIJNDAEL256"), libmcrypt's ("tripledes",
// "rijndael-256") or a common alias ("aes"); case does not matter. It does
// not check that the method is usable: see Validate.
func ParseMethod(s string) (Method, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if n, err := strconv.Atoi(t); err == nil {
		if _, ok := methods[Method(n)]; ok {
			return Method(n), nil
		}
		return 0, fmt.Errorf("%w %q (known: 0-26)", ErrUnknownMethod, s)
	}
	for m, info := range methods {
		if t == strings.ToLower(info.name) || t == info.mcrypt {
			return m, nil
		}
		for _, a := range info.aliases {
			if t == a {
				return m, nil
			}
		}
	}
	return 0, fmt.Errorf("%w %q", ErrUnknownMethod, s)
}

// String returns NSCA's name of the method and its number.
func (m Method) String() string {
	if info, ok := methods[m]; ok {
		return fmt.Sprintf("%d (%s)", int(m), info.mcrypt)
	}
	return fmt.Sprintf("%d (unknown)", int(m))
}

// Validate reports whether packets can be sent with m: the daemon must
// accept it and this package must implement it.
func (m Method) Validate() error {
	info, ok := methods[m]
	switch {
	case !ok:
		return fmt.Errorf("%w %d", ErrUnknownMethod, int(m))
	case !info.accepted:
		return fmt.Errorf("%w: %s (the daemon refuses it)", ErrUnsupportedMethod, m)
	case m > XOR && info.newBlock == nil:
		return fmt.Errorf("%w: %s", ErrNotImplemented, m)
	}
	return nil
}

// Methods returns every method that Validate accepts, in number order.
func Methods() []Method {
	var out []Method
	for m := Method(0); m <= 26; m++ {
		if m.Validate() == nil {
			out = append(out, m)
		}
	}
	return out
}

// newStream returns the per-connection cipher state for m, given the
// password and the init packet's 128-byte IV.
func newStream(m Method, password []byte, iv []byte) (streamer, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	info := methods[m]
	switch m {
	case None:
		return noneStream{}, nil
	case XOR:
		return &xorStream{iv: iv, pw: password}, nil
	}
	key := make([]byte, info.keySize)
	copy(key, password)
	b, err := info.newBlock(key)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m, err)
	}
	if b.BlockSize() != info.block {
		return nil, fmt.Errorf("%s: block size %d, want %d", m, b.BlockSize(), info.block)
	}
	return newCFB8(b, iv[:info.block]), nil
}
