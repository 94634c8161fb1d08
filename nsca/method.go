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

	"github.com/ossec-nagios/ossec-nagios/nsca/internal/ciphers"
)

// Method is an NSCA encryption method number (encryption_method in
// send_nsca.cfg, decryption_method in nsca.cfg), 0..26.
type Method int

// The method numbers of nsca 2.x. Every number has an entry in the method
// table; see Method.Validate for which ones can be used.
const (
	MethodNone        Method = 0
	MethodXOR         Method = 1
	MethodDES         Method = 2
	Method3DES        Method = 3
	MethodCAST128     Method = 4
	MethodCAST256     Method = 5
	MethodXTEA        Method = 6
	Method3WAY        Method = 7
	MethodBlowfish    Method = 8
	MethodTwofish     Method = 9
	MethodLOKI97      Method = 10
	MethodRC2         Method = 11
	MethodARCFOUR     Method = 12
	MethodRC6         Method = 13
	MethodRijndael128 Method = 14
	MethodRijndael192 Method = 15
	MethodRijndael256 Method = 16
	MethodMARS        Method = 17
	MethodPANAMA      Method = 18
	MethodWAKE        Method = 19
	MethodSerpent     Method = 20
	MethodIDEA        Method = 21
	MethodENIGMA      Method = 22
	MethodGOST        Method = 23
	MethodSAFER64     Method = 24
	MethodSAFER128    Method = 25
	MethodSAFERPlus   Method = 26
)

// Errors of the method table. Validate and ParseMethod wrap them with the
// method's number and name; branch with errors.Is.
var (
	// ErrUnknownMethod: not a method number 0..26 nor a known name.
	ErrUnknownMethod = errors.New("nsca: unknown encryption method")
	// ErrUnsupportedMethod: the Debian nsca 2.10.2 daemon itself rejects
	// the method (it refuses the number, or libmcrypt cannot run it in CFB).
	ErrUnsupportedMethod = errors.New("nsca: encryption method rejected by the nsca daemon")
	// ErrNotImplemented: the daemon accepts the method but this package
	// has no block cipher for it yet.
	ErrNotImplemented = errors.New("nsca: encryption method not implemented")
)

// methodInfo is one row of the method table.
type methodInfo struct {
	name   string // NSCA's name (nsca's common.h, without ENCRYPT_)
	mcrypt string // libmcrypt algorithm name; "none"/"xor" for 0 and 1
	key    int    // key size in bytes (the password is cut or zero-padded to it)
	block  int    // block size = CFB register = IV bytes used
	// accepted: the Debian nsca 2.10.2 daemon takes packets of this method.
	accepted bool
	// reject says why the daemon refuses a method that is not accepted.
	reject string
	// newBlock builds the block cipher from a key of exactly key bytes;
	// nil = not implemented (yet). Methods 0 and 1 need none.
	newBlock func(key []byte) (cipher.Block, error)
}

const (
	rejectNoAlgo   = "Debian's libmcrypt has no such algorithm; the daemon closes every connection before the init packet"
	rejectStream   = "stream cipher: libmcrypt refuses CFB mode; the daemon closes every connection before the init packet"
	rejectNoNumber = "the daemon's config parser refuses this number and does not start"
)

// methods is THE method table (PROTOCOL.md §4). A block cipher added later
// only sets the last field of its row.
var methods = [...]methodInfo{
	MethodNone:        {"NONE", "none", 0, 0, true, "", nil},
	MethodXOR:         {"XOR", "xor", 0, 128, true, "", nil},
	MethodDES:         {"DES", "des", 8, 8, true, "", newDES},
	Method3DES:        {"3DES", "tripledes", 24, 8, true, "", newTripleDES},
	MethodCAST128:     {"CAST128", "cast-128", 16, 8, true, "", newCAST128},
	MethodCAST256:     {"CAST256", "cast-256", 32, 16, true, "", ciphers.NewCAST256},
	MethodXTEA:        {"XTEA", "xtea", 16, 8, true, "", newXTEA},
	Method3WAY:        {"3WAY", "threeway", 0, 0, false, rejectNoAlgo, nil},
	MethodBlowfish:    {"BLOWFISH", "blowfish", 56, 8, true, "", newBlowfish},
	MethodTwofish:     {"TWOFISH", "twofish", 32, 16, true, "", newTwofish},
	MethodLOKI97:      {"LOKI97", "loki97", 32, 16, true, "", ciphers.NewLOKI97},
	MethodRC2:         {"RC2", "rc2", 128, 8, true, "", ciphers.NewRC2},
	MethodARCFOUR:     {"ARCFOUR", "arcfour", 0, 0, false, rejectStream, nil},
	MethodRC6:         {"RC6", "rc6", 0, 0, false, rejectNoNumber, nil},
	MethodRijndael128: {"RIJNDAEL128", "rijndael-128", 32, 16, true, "", newAES},
	MethodRijndael192: {"RIJNDAEL192", "rijndael-192", 32, 24, true, "", func(key []byte) (cipher.Block, error) { return ciphers.NewRijndael(key, 24) }},
	MethodRijndael256: {"RIJNDAEL256", "rijndael-256", 32, 32, true, "", func(key []byte) (cipher.Block, error) { return ciphers.NewRijndael(key, 32) }},
	MethodMARS:        {"MARS", "mars", 0, 0, false, rejectNoNumber, nil},
	MethodPANAMA:      {"PANAMA", "panama", 0, 0, false, rejectNoNumber, nil},
	MethodWAKE:        {"WAKE", "wake", 0, 0, false, rejectStream, nil},
	MethodSerpent:     {"SERPENT", "serpent", 32, 16, true, "", ciphers.NewSerpent},
	MethodIDEA:        {"IDEA", "idea", 0, 0, false, rejectNoNumber, nil},
	MethodENIGMA:      {"ENIGMA", "enigma", 0, 0, false, rejectStream, nil},
	MethodGOST:        {"GOST", "gost", 32, 8, true, "", ciphers.NewGOST},
	MethodSAFER64:     {"SAFER64", "safer-sk64", 0, 0, false, rejectNoAlgo, nil},
	MethodSAFER128:    {"SAFER128", "safer-sk128", 0, 0, false, rejectNoAlgo, nil},
	MethodSAFERPlus:   {"SAFERPLUS", "saferplus", 32, 16, true, "", ciphers.NewSaferPlus},
}

func newDES(key []byte) (cipher.Block, error)       { return des.NewCipher(key) }
func newTripleDES(key []byte) (cipher.Block, error) { return des.NewTripleDESCipher(key) }
func newCAST128(key []byte) (cipher.Block, error)   { return cast5.NewCipher(key) }
func newXTEA(key []byte) (cipher.Block, error)      { return xtea.NewCipher(key) }
func newBlowfish(key []byte) (cipher.Block, error)  { return blowfish.NewCipher(key) }
func newTwofish(key []byte) (cipher.Block, error)   { return twofish.NewCipher(key) }
func newAES(key []byte) (cipher.Block, error)       { return aes.NewCipher(key) }

// Methods returns every method number of the table, 0..26, in order.
func Methods() []Method {
	out := make([]Method, len(methods))
	for i := range methods {
		out[i] = Method(i)
	}
	return out
}

func (m Method) info() (*methodInfo, bool) {
	if m < 0 || int(m) >= len(methods) {
		return nil, false
	}
	return &methods[m], true
}

// String returns NSCA's name of the method ("3DES", "RIJNDAEL256"), or
// "Method(N)" for a number outside the table.
func (m Method) String() string {
	if mi, ok := m.info(); ok {
		return mi.name
	}
	return "Method(" + strconv.Itoa(int(m)) + ")"
}

// Costly reports whether the daemon pays a block cipher per byte for m
// (8-bit CFB through libmcrypt: every method but none and XOR), so that
// Config.Short pays off.
func (m Method) Costly() bool { return m > MethodXOR }

// describe names the method for messages: `3 (3DES, libmcrypt "tripledes")`.
func (m Method) describe() string {
	mi, ok := m.info()
	if !ok {
		return strconv.Itoa(int(m))
	}
	if m <= MethodXOR {
		return fmt.Sprintf("%d (%s)", int(m), mi.name)
	}
	return fmt.Sprintf("%d (%s, libmcrypt %q)", int(m), mi.name, mi.mcrypt)
}

// McryptName returns the libmcrypt algorithm name ("tripledes"), "none" or
// "xor", or "" outside the table.
func (m Method) McryptName() string {
	if mi, ok := m.info(); ok {
		return mi.mcrypt
	}
	return ""
}

// KeySize returns the key size in bytes: the password is truncated or
// zero-padded to it. 0 for none, XOR and methods the daemon rejects.
func (m Method) KeySize() int {
	if mi, ok := m.info(); ok {
		return mi.key
	}
	return 0
}

// BlockSize returns the block size in bytes, which is also how many bytes
// of the 128-byte IV start the CFB register (128 for XOR, 0 for none).
func (m Method) BlockSize() int {
	if mi, ok := m.info(); ok {
		return mi.block
	}
	return 0
}

// DaemonAccepts reports whether the nsca 2.10.2 daemon runs this method.
func (m Method) DaemonAccepts() bool {
	mi, ok := m.info()
	return ok && mi.accepted
}

// Implemented reports whether this package can encrypt with the method.
func (m Method) Implemented() bool { return m.Validate() == nil }

// Validate reports whether the method can be used: nil, or an error naming
// the method that wraps ErrUnknownMethod, ErrUnsupportedMethod (the daemon
// rejects it) or ErrNotImplemented.
func (m Method) Validate() error {
	mi, ok := m.info()
	switch {
	case !ok:
		return fmt.Errorf("encryption method %d: %w (valid numbers are 0 to %d)", int(m), ErrUnknownMethod, len(methods)-1)
	case !mi.accepted:
		return fmt.Errorf("encryption method %s: %w: %s", m.describe(), ErrUnsupportedMethod, mi.reject)
	case m > MethodXOR && mi.newBlock == nil:
		return fmt.Errorf("encryption method %s: %w (the daemon accepts it; use another method for now)", m.describe(), ErrNotImplemented)
	}
	return nil
}

// newBlock builds the method's block cipher from the password: the key is
// the password truncated or zero-padded to the method's key size.
func (m Method) newBlock(password []byte) (cipher.Block, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	mi := &methods[m]
	if mi.newBlock == nil {
		return nil, fmt.Errorf("encryption method %s: no block cipher", m.describe())
	}
	key := make([]byte, mi.key)
	copy(key, password)
	b, err := mi.newBlock(key)
	if err != nil {
		return nil, fmt.Errorf("encryption method %s: key setup: %w", m.describe(), err)
	}
	if b.BlockSize() != mi.block {
		return nil, fmt.Errorf("encryption method %s: block size %d, want %d", m.describe(), b.BlockSize(), mi.block)
	}
	return b, nil
}

// ParseMethod reads a method as send_nsca.cfg users write it: a number
// ("3", " 3"), NSCA's name ("3DES", "RIJNDAEL256", "XOR", "NONE") or the
// libmcrypt name ("tripledes", "rijndael-256", "cast-128"), case-insensitive,
// with '-', '_' and spaces ignored. It returns ErrUnknownMethod for anything
// else; a known method the daemon rejects parses fine (Validate says so).
func ParseMethod(s string) (Method, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("encryption method %q: %w", s, ErrUnknownMethod)
	}
	if n, err := strconv.Atoi(t); err == nil {
		if n < 0 || n >= len(methods) {
			return 0, fmt.Errorf("encryption method %d: %w (valid numbers are 0 to %d)", n, ErrUnknownMethod, len(methods)-1)
		}
		return Method(n), nil
	}
	key := normMethodName(t)
	for i := range methods {
		if key == normMethodName(methods[i].name) || key == normMethodName(methods[i].mcrypt) {
			return Method(i), nil
		}
	}
	if m, ok := methodAliases[key]; ok {
		return m, nil
	}
	return 0, fmt.Errorf("encryption method %q: %w (use a number 0 to %d or a name such as xor, 3des, rijndael-128)", s, ErrUnknownMethod, len(methods)-1)
}

// methodAliases are further spellings people use.
var methodAliases = map[string]Method{
	"plain":     MethodNone,
	"des3":      Method3DES,
	"cast5":     MethodCAST128,
	"cast":      MethodCAST128,
	"gost28147": MethodGOST,
	"safer+":    MethodSAFERPlus,
	"rc4":       MethodARCFOUR,
	"arc4":      MethodARCFOUR,
	"threeway":  Method3WAY,
}

func normMethodName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r == '-' || r == '_' || r == ' ' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
