package lab

// A real Icinga 2 with its REST API on 127.0.0.1, every file in a temporary
// directory. Recipe: ../shared/monitoring/LAB.md §0, §4 and §5.2 (outside
// the repository; summarised in the comments here).

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// IcingaNodeName is the node (endpoint, zone and certificate common name)
// of every lab icinga2. Its certificate also names IP 127.0.0.1, so
// https://127.0.0.1:port verifies against the lab CA without a server name.
const IcingaNodeName = "lab.test"

// IcingaAPIUser is the ApiUser the lab defines; its password is random per
// start (IcingaServer.Password).
const IcingaAPIUser = "ossec-bridge"

// IcingaBridgePermissions are the least an ApiUser needs to submit passive
// results and read them back.
var IcingaBridgePermissions = []string{"actions/process-check-result", "objects/query/Host", "objects/query/Service"}

// IcingaPassiveTemplates are always loaded: the host and service templates
// of LAB.md §5.2. Without a CheckerComponent (IcingaOptions.Checker) no
// active check ever runs, so a state only changes through the API.
const IcingaPassiveTemplates = `template Host "ossec-passive-host" {
  check_command = "dummy"
  enable_active_checks = false
  enable_passive_checks = true
  max_check_attempts = 1
  vars.dummy_state = 0
  vars.dummy_text = "Passive host: state comes from OSSEC/Wazuh"
}

template Service "ossec-passive-service" {
  check_command = "dummy"
  enable_active_checks = true
  enable_passive_checks = true
  volatile = true
  max_check_attempts = 1
  check_interval = 1h
  retry_interval = 1h
  enable_flapping = false
  vars.dummy_state = 0
  vars.dummy_text = "No new security alerts"
}
`

// IcingaOptions configure StartIcinga.
type IcingaOptions struct {
	// Objects are Icinga 2 configuration snippets (hosts, services) loaded
	// after IcingaPassiveTemplates; see IcingaPassiveObjects.
	Objects []string
	// Permissions of the ApiUser; nil means IcingaBridgePermissions.
	Permissions []string
	// Checker adds a CheckerComponent, which runs active checks (the
	// reset to OK of §5.2). Off by default so that states are stable.
	Checker bool
}

// IcingaServer is a running icinga2 daemon with the API listener on
// 127.0.0.1.
type IcingaServer struct {
	URL      string // "https://127.0.0.1:port"
	Port     int
	Dir      string // the temporary directory holding every file
	CAFile   string // PEM of the lab CA that signed the API certificate
	User     string // IcingaAPIUser
	Password string // random per start; never logged by the lab
	Log      string // path of icinga2.log (severity information)

	client *http.Client
	d      *daemon
}

// StartIcinga writes certificates (ECDSA, crypto/x509), the configuration
// and the objects into a fresh directory, starts /usr/sbin/icinga2 daemon
// as a child of the test with every path in that directory and RunAsUser
// root, and waits until GET /v1 answers 200. The daemon is stopped when the
// test ends. Without the binary the test fails in CI and is skipped
// elsewhere.
func StartIcinga(t testing.TB, opts IcingaOptions) *IcingaServer {
	t.Helper()
	bin := RequireBinary(t, Icinga2Bin, "icinga2-bin")
	dir := ShortTempDir(t)
	for _, d := range []string{"etc/zones.d", "conf.d", "var/lib/certs", "var/log", "var/cache", "var/spool", "var/run"} {
		must(t, os.MkdirAll(filepath.Join(dir, d), 0o700))
	}
	pool, err := writeIcingaCerts(filepath.Join(dir, "var/lib/certs"), IcingaNodeName)
	must(t, err)
	s := &IcingaServer{
		Dir:      dir,
		CAFile:   filepath.Join(dir, "var/lib/certs/ca.crt"),
		User:     IcingaAPIUser,
		Password: randomHex(t, 16),
		Log:      filepath.Join(dir, "var/log/icinga2.log"),
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		}},
	}
	perms := opts.Permissions
	if perms == nil {
		perms = IcingaBridgePermissions
	}
	var core strings.Builder
	core.WriteString("object Endpoint NodeName {}\nobject Zone ZoneName { endpoints = [ NodeName ] }\n")
	core.WriteString(s.apiConf(perms))
	core.WriteString("object FileLogger \"main-log\" {\n  severity = \"information\"\n  path = LogDir + \"/icinga2.log\"\n}\n")
	if opts.Checker {
		core.WriteString("object CheckerComponent \"checker\" {}\n")
	}
	must(t, os.WriteFile(filepath.Join(dir, "etc/lab-core.conf"), []byte(core.String()), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "conf.d/00-templates.conf"), []byte(IcingaPassiveTemplates), 0o600))
	for i, o := range opts.Objects {
		must(t, os.WriteFile(filepath.Join(dir, "conf.d", fmt.Sprintf("%02d-test.conf", i+1)), []byte(o), 0o600))
	}
	main := filepath.Join(dir, "etc/icinga2.conf")
	must(t, os.WriteFile(main, []byte(fmt.Sprintf("include <itl>\ninclude \"lab-core.conf\"\ninclude_recursive %s\n",
		IcingaQuote(filepath.Join(dir, "conf.d")))), 0o600))

	s.start(t, bin, main, dir, "-DZoneName="+IcingaNodeName)
	return s
}

// apiConf is the ApiListener on 127.0.0.1:ApiPort and the ApiUser
// s.User with the given permissions, as Icinga 2 configuration.
func (s *IcingaServer) apiConf(perms []string) string {
	var b strings.Builder
	b.WriteString("object ApiListener \"api\" {\n  bind_host = \"127.0.0.1\"\n  bind_port = ApiPort\n}\n")
	fmt.Fprintf(&b, "object ApiUser %s {\n  password = %s\n  permissions = [ ", IcingaQuote(s.User), IcingaQuote(s.Password))
	for i, p := range perms {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(IcingaQuote(p))
	}
	b.WriteString(" ]\n}\n")
	return b.String()
}

// start runs icinga2 daemon -c main with the lab's paths under dir and
// the given defines on a free port, and waits until the API answers; a
// port taken in between is tried again, twice. The daemon is stopped
// when the test ends.
func (s *IcingaServer) start(t testing.TB, bin, main, dir string, defines ...string) {
	t.Helper()
	var lastErr error
	for try := 0; try < 3; try++ { // the free port may be taken in between
		s.Port = FreePort(t)
		s.URL = "https://127.0.0.1:" + strconv.Itoa(s.Port)
		args := append([]string{"daemon", "-c", main}, icingaDefines(dir)...)
		args = append(args, "-DNodeName="+IcingaNodeName, "-DApiPort="+strconv.Itoa(s.Port))
		args = append(args, defines...)
		d, err := startDaemon(bin, args...)
		if err != nil {
			t.Fatalf("lab: start icinga2: %v", err)
		}
		s.d = d
		t.Cleanup(func() { d.stop(t, "icinga2") })
		if lastErr = waitUntil(30*time.Second, d, s.ready); lastErr == nil {
			return
		}
		d.stop(t, "icinga2")
		if log := s.LogTail() + lastErr.Error(); !strings.Contains(log, "Address already in use") && !strings.Contains(log, "Cannot bind") {
			break
		}
	}
	t.Fatalf("lab: icinga2 on %s: %v\n%s", s.URL, lastErr, s.LogTail())
}

// ready reports whether GET /v1 answers 200 (credentials needed, no
// permission).
func (s *IcingaServer) ready() bool {
	code, _, err := s.do(http.MethodGet, "/v1", nil)
	return err == nil && code == http.StatusOK
}

// Stop stops the daemon now (SIGTERM, wait); later calls and the cleanup
// do nothing.
func (s *IcingaServer) Stop(t testing.TB) {
	t.Helper()
	s.d.stop(t, "icinga2")
	s.client.CloseIdleConnections()
}

// LogTail returns the last lines of the daemon's output and icinga2.log,
// for failure messages.
func (s *IcingaServer) LogTail() string {
	b, _ := os.ReadFile(s.Log)
	out := s.d.output() + string(b)
	if len(out) > 4000 {
		out = "..." + out[len(out)-4000:]
	}
	return out
}

// IcingaCheckable is what the lab reads back of a host or service.
type IcingaCheckable struct {
	Name       string // "host!service" or "host"
	State      int    // attrs.state: 0-3 for services, 0 UP / 1 DOWN for hosts
	HasResult  bool   // a check result exists
	ExitStatus int    // last_check_result.exit_status: 0 for API results in r2.13 whatever the state; assert on State
	Output     string // last_check_result.output
	Source     string // last_check_result.check_source
	PerfData   []string
	NextCheck  time.Time
	LastUpdate time.Time // time of the last check result (last_check)
}

type icingaAttrs struct {
	State     float64 `json:"state"`
	NextCheck float64 `json:"next_check"`
	LastCheck float64 `json:"last_check"`
	LastCR    *struct {
		ExitStatus  float64  `json:"exit_status"`
		Output      string   `json:"output"`
		CheckSource string   `json:"check_source"`
		PerfData    []string `json:"performance_data"`
	} `json:"last_check_result"`
}

var icingaReadAttrs = []string{"state", "next_check", "last_check", "last_check_result"}

// Service reads one service (by its host and service name, URL parameter
// form, never a filter) and fails the test when it cannot.
func (s *IcingaServer) Service(t testing.TB, host, service string) IcingaCheckable {
	t.Helper()
	got := s.query(t, "services", map[string]any{"service": host + "!" + service, "attrs": icingaReadAttrs})
	if len(got) != 1 {
		t.Fatalf("lab: icinga2 service %q!%q: %d objects", host, service, len(got))
	}
	return got[0]
}

// Host reads one host's state and last check result.
func (s *IcingaServer) Host(t testing.TB, host string) IcingaCheckable {
	t.Helper()
	got := s.query(t, "hosts", map[string]any{"host": host, "attrs": icingaReadAttrs})
	if len(got) != 1 {
		t.Fatalf("lab: icinga2 host %q: %d objects", host, len(got))
	}
	return got[0]
}

// Services reads every service, keyed by its full name "host!service".
func (s *IcingaServer) Services(t testing.TB) map[string]IcingaCheckable {
	t.Helper()
	m := map[string]IcingaCheckable{}
	for _, c := range s.query(t, "services", map[string]any{"attrs": icingaReadAttrs}) {
		m[c.Name] = c
	}
	return m
}

// query runs an object query as POST with X-HTTP-Method-Override: GET, the
// parameters in the JSON body.
func (s *IcingaServer) query(t testing.TB, kind string, params map[string]any) []IcingaCheckable {
	t.Helper()
	code, body, err := s.do(http.MethodPost, "/v1/objects/"+kind, params)
	if err != nil || code != http.StatusOK {
		t.Fatalf("lab: icinga2 query %s: %d %v %s", kind, code, err, body)
	}
	var resp struct {
		Results []struct {
			Name  string      `json:"name"`
			Attrs icingaAttrs `json:"attrs"`
		} `json:"results"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("lab: icinga2 query %s: %v: %s", kind, err, body)
	}
	out := make([]IcingaCheckable, 0, len(resp.Results))
	for _, r := range resp.Results {
		c := IcingaCheckable{Name: r.Name, State: int(r.Attrs.State),
			NextCheck: unixFloat(r.Attrs.NextCheck), LastUpdate: unixFloat(r.Attrs.LastCheck)}
		if cr := r.Attrs.LastCR; cr != nil {
			c.HasResult, c.ExitStatus, c.Output, c.Source, c.PerfData = true, int(cr.ExitStatus), cr.Output, cr.CheckSource, cr.PerfData
		}
		out = append(out, c)
	}
	return out
}

func unixFloat(f float64) time.Time {
	if f <= 0 {
		return time.Time{}
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9))
}

// do sends one API request with the lab credentials.
func (s *IcingaServer) do(method, path string, params map[string]any) (int, []byte, error) {
	var body io.Reader = http.NoBody
	if params != nil {
		b, err := json.Marshal(params)
		if err != nil {
			return 0, nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		return 0, nil, err
	}
	req.SetBasicAuth(s.User, s.Password)
	req.Header.Set("Accept", "application/json")
	if params != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method == http.MethodPost && strings.HasPrefix(path, "/v1/objects/") {
		req.Header.Set("X-HTTP-Method-Override", http.MethodGet)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	return resp.StatusCode, b, err
}

// IcingaQuote returns s as an Icinga 2 DSL string literal: backslash,
// double quote and control characters escaped, so a hostile name stays
// one string.
func IcingaQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// IcingaPassiveObjects returns a Host object importing ossec-passive-host
// and one Service per name importing ossec-passive-service, names quoted
// with IcingaQuote.
func IcingaPassiveObjects(host string, services ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "object Host %s {\n  import \"ossec-passive-host\"\n  address = \"127.0.0.1\"\n}\n", IcingaQuote(host))
	for _, svc := range services {
		fmt.Fprintf(&b, "object Service %s {\n  import \"ossec-passive-service\"\n  host_name = %s\n}\n", IcingaQuote(svc), IcingaQuote(host))
	}
	return b.String()
}

// writeIcingaCerts writes ca.crt, <node>.crt and <node>.key (ECDSA P-256,
// the server certificate valid for node and 127.0.0.1) into dir, where the
// ApiListener looks for them (DataDir/certs), and returns a pool holding
// the CA.
func writeIcingaCerts(dir, node string) (*x509.CertPool, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("ca key: %w", err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "ossec-nagios lab CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(48 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("ca certificate: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("ca certificate: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("node key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: node},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(48 * time.Hour),
		DNSNames:     []string{node},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("node certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("node key: %w", err)
	}
	files := []struct {
		name, typ string
		der       []byte
	}{{"ca.crt", "CERTIFICATE", caDER}, {node + ".crt", "CERTIFICATE", der}, {node + ".key", "EC PRIVATE KEY", keyDER}}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), pem.EncodeToMemory(&pem.Block{Type: f.typ, Bytes: f.der}), 0o600); err != nil {
			return nil, err
		}
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pool, nil
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("lab: random: %v", err)
	}
	return hex.EncodeToString(b)
}
