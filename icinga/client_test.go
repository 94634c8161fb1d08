package icinga

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const testPassword = "s3cret-Pw"

// request is what the fake API saw of one request.
type request struct {
	Method, Path, RawQuery string
	Accept, ContentType    string
	User, Password         string
	AuthOK                 bool
	Body                   string
}

// fakeAPI is an httptest TLS server whose handler records each request and
// answers with respond (200 and one processed result by default).
type fakeAPI struct {
	srv     *httptest.Server
	caFile  string
	mu      sync.Mutex
	reqs    []request
	respond func(w http.ResponseWriter, r *http.Request)
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	return newFakeAPIConnState(t, nil)
}

func newFakeAPIConnState(t *testing.T, connState func(net.Conn, http.ConnState)) *fakeAPI {
	t.Helper()
	f := &fakeAPI{}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		u, p, ok := r.BasicAuth()
		f.mu.Lock()
		f.reqs = append(f.reqs, request{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Accept"), r.Header.Get("Content-Type"), u, p, ok, string(body)})
		respond := f.respond
		f.mu.Unlock()
		if respond != nil {
			respond(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"results":[{"code":200.0,"status":"Successfully processed check result for object 'x'."}]}`)
	}))
	f.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake failures tested below
	f.srv.Config.ConnState = connState
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	f.caFile = filepath.Join(t.TempDir(), "ca.crt")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.srv.Certificate().Raw})
	if err := os.WriteFile(f.caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fakeAPI) setRespond(h func(w http.ResponseWriter, r *http.Request)) {
	f.mu.Lock()
	f.respond = h
	f.mu.Unlock()
}

func (f *fakeAPI) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.reqs...)
}

func (f *fakeAPI) config() Config {
	return Config{URL: f.srv.URL, User: "ossec-bridge", Password: testPassword, CAFile: f.caFile, Timeout: 5 * time.Second}
}

func (f *fakeAPI) client(t *testing.T, mod func(*Config)) *Client {
	t.Helper()
	cfg := f.config()
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestNew(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := Config{URL: "https://icinga.example.com:5665", User: "u", Password: testPassword}
	tests := []struct {
		name    string
		mod     func(*Config)
		wantErr string // "" means success
	}{
		{"minimal", func(*Config) {}, ""},
		{"path prefix", func(c *Config) { c.URL = "https://proxy.example.com/icinga/" }, ""},
		{"http refused", func(c *Config) { c.URL = "http://icinga.example.com:5665" }, "scheme must be https"},
		{"credentials in url", func(c *Config) { c.URL = "https://u:" + testPassword + "@icinga.example.com" }, "not in the url"},
		{"unparsable url with password", func(c *Config) { c.URL = "https://u:" + testPassword + "@icinga:port" }, "url: invalid port"},
		{"no host", func(c *Config) { c.URL = "https:///v1" }, "no host"},
		{"query", func(c *Config) { c.URL = "https://icinga.example.com/?x=1" }, "no query"},
		{"no user", func(c *Config) { c.User = "" }, "user is empty"},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, "timeout -1s is negative"},
		{"negative concurrency", func(c *Config) { c.Concurrency = -1 }, "concurrency -1 is negative"},
		{"negative ttl", func(c *Config) { c.TTL = -time.Second }, "ttl -1s is negative"},
		{"missing ca file", func(c *Config) { c.CAFile = filepath.Join(dir, "nope.crt") }, "ca file: open"},
		{"ca file without pem", func(c *Config) { c.CAFile = notPEM }, "no PEM certificate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.mod(&cfg)
			c, err := New(cfg)
			if tc.wantErr == "" {
				if err != nil || c == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			var ie *Error
			if err == nil || !errors.Is(err, ErrConfig) || !errors.As(err, &ie) || ie.Temporary() {
				t.Fatalf("New: %v, want a permanent *Error wrapping ErrConfig", err)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not contain %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func TestConfigStringHidesPassword(t *testing.T) {
	cfg := Config{URL: "https://h", User: "u", Password: testPassword}
	for _, s := range []string{cfg.String(), cfg.GoString(), fmtAll(cfg)} {
		if strings.Contains(s, testPassword) || !strings.Contains(s, "Password:(set)") {
			t.Errorf("%s: shows the password or hides that one is set", s)
		}
	}
}

// TestSendCheckRequest pins the exact request: path, empty query, headers,
// basic auth and the JSON body, for hostile names too.
func TestSendCheckRequest(t *testing.T) {
	f := newFakeAPI(t)
	c := f.client(t, func(c *Config) { c.CheckSource = "bridge-1"; c.TTL = time.Hour })
	plain := f.client(t, nil)
	tests := []struct {
		name   string
		c      *Client
		check  Check
		body   string
		object string
	}{
		{"service", c, Check{Host: "web01", Service: "ossec-alert", State: 2, Output: "rule 5710: sshd"},
			`{"type":"Service","service":"web01!ossec-alert","exit_status":2,"plugin_output":"rule 5710: sshd","check_source":"bridge-1","ttl":3600}`,
			"web01!ossec-alert"},
		{"no source no ttl", plain, Check{Host: "web01", Service: "s", State: 0, Output: ""},
			`{"type":"Service","service":"web01!s","exit_status":0,"plugin_output":""}`, "web01!s"},
		{"host check up", plain, Check{Host: "web01", State: 0, Output: "up"},
			`{"type":"Host","host":"web01","exit_status":0,"plugin_output":"up"}`, "web01"},
		{"host check critical is down", plain, Check{Host: "web01", State: 2, Output: "down"},
			`{"type":"Host","host":"web01","exit_status":1,"plugin_output":"down"}`, "web01"},
		{"state above 3 is unknown", plain, Check{Host: "h", Service: "s", State: 7, Output: "x"},
			`{"type":"Service","service":"h!s","exit_status":3,"plugin_output":"x"}`, "h!s"},
		{"negative state is unknown", plain, Check{Host: "h", Service: "s", State: -1, Output: "x"},
			`{"type":"Service","service":"h!s","exit_status":3,"plugin_output":"x"}`, "h!s"},
		{"perfdata", plain, Check{Host: "h", Service: "s", State: 1, Output: "x", PerfData: []string{"level=7", "count=3"}},
			`{"type":"Service","service":"h!s","exit_status":1,"plugin_output":"x","performance_data":["level=7","count=3"]}`, "h!s"},
		{"ampersand equals space", plain, Check{Host: "web 01", Service: "a&b=c d", State: 1, Output: "x&y=z"},
			`{"type":"Service","service":"web 01!a&b=c d","exit_status":1,"plugin_output":"x&y=z"}`, "web 01!a&b=c d"},
		{"filter breakout in quotes", plain, Check{Host: "web01", Service: `x" || "1" == "1`, State: 2, Output: `"quoted" 'single'`},
			`{"type":"Service","service":"web01!x\" || \"1\" == \"1","exit_status":2,"plugin_output":"\"quoted\" 'single'"}`, `web01!x" || "1" == "1`},
		{"unicode and html", plain, Check{Host: "hôte-✓", Service: "<svc>", State: 2, Output: "ünï\ncode | a=1; b"},
			`{"type":"Service","service":"hôte-✓!<svc>","exit_status":2,"plugin_output":"ünï\ncode | a=1; b"}`, "hôte-✓!<svc>"},
		{"invalid utf-8 output", plain, Check{Host: "h", Service: "s", State: 2, Output: "a\xffb"},
			`{"type":"Service","service":"h!s","exit_status":2,"plugin_output":"a\ufffdb"}`, "h!s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := len(f.requests())
			if err := tc.c.Send(context.Background(), tc.check); err != nil {
				t.Fatalf("Send: %v", err)
			}
			reqs := f.requests()
			if len(reqs) != n+1 {
				t.Fatalf("%d requests, want 1", len(reqs)-n)
			}
			r := reqs[n]
			if r.Method != http.MethodPost || r.Path != "/v1/actions/process-check-result" || r.RawQuery != "" {
				t.Errorf("request %s %s ?%s, want POST /v1/actions/process-check-result with no query", r.Method, r.Path, r.RawQuery)
			}
			if r.Accept != "application/json" || r.ContentType != "application/json" {
				t.Errorf("Accept %q, Content-Type %q, want application/json both", r.Accept, r.ContentType)
			}
			if !r.AuthOK || r.User != "ossec-bridge" || r.Password != testPassword {
				t.Errorf("basic auth %q/%q (%v)", r.User, r.Password, r.AuthOK)
			}
			if got := strings.TrimSuffix(r.Body, "\n"); got != tc.body {
				t.Errorf("body\n got %s\nwant %s", got, tc.body)
			}
			if got := tc.check.Object(); got != tc.object {
				t.Errorf("Object() = %q, want %q", got, tc.object)
			}
		})
	}
}

// TestSendCheckBadNames: a name that cannot name one object is refused
// before anything is sent.
func TestSendCheckBadNames(t *testing.T) {
	f := newFakeAPI(t)
	c := f.client(t, nil)
	tests := []struct {
		name, host, service, want string
	}{
		{"empty host", "", "s", "empty host name"},
		{"bang in service", "web01", "x!ossec-syscheck", "service name holds '!'"},
		{"bang in host", "web01!ossec-syscheck", "ignored", "host name holds '!'"},
		{"bang in host check", "web01!ossec-syscheck", "", "host name holds '!'"},
		{"newline", "web01", "a\nb", "control character U+000A"},
		{"nul", "web\x0001", "s", "control character U+0000"},
		{"invalid utf-8", "web01", "a\xffb", "not valid UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := c.SendCheck(context.Background(), tc.host, tc.service, 2, "x")
			var ie *Error
			if !errors.Is(err, ErrBadName) || !errors.As(err, &ie) || ie.Temporary() || ie.Status != 0 {
				t.Fatalf("SendCheck: %v, want a permanent *Error wrapping ErrBadName", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent for refused names", n)
	}
}

// TestSendCheckErrors classifies Icinga's answers.
func TestSendCheckErrors(t *testing.T) {
	f := newFakeAPI(t)
	c := f.client(t, nil)
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("redirect followed to %s (auth sent: %v)", r.URL, r.Header.Get("Authorization") != "")
	}))
	defer other.Close()
	tests := []struct {
		name      string
		status    int
		body      string
		sentinel  error // nil: success
		temporary bool
		detail    string
	}{
		{"processed", 200, `{"results":[{"code":200.0,"status":"Successfully processed check result for object 'web01!svc'."}]}`, nil, false, ""},
		{"no objects found", 404, `{"error":404.0,"status":"No objects found."}`, ErrNotFound, false, `"No objects found."`},
		{"wrong password", 401, `{"error":401,"status":"Unauthorized. Please check your user credentials."}`, ErrAuth, false, "Unauthorized"},
		{"forbidden", 403, `{"error":403,"status":"Forbidden"}`, ErrAuth, false, "Forbidden"},
		// Bodies as icinga2 r2.13.6 sends them.
		{"bad exit status", 400, `{"results":[{"code":400,"status":"Invalid 'exit_status' for Host web01."}]}`, ErrRejected, false, "Invalid 'exit_status'"},
		{"passive checks disabled", 403, `{"results":[{"code":403,"status":"Passive checks are disabled for object 'web01!svc'."}]}`, ErrRejected, false, "Passive checks are disabled"},
		{"result code 403 in a 500", 500, `{"results":[{"code":403.0,"status":"Passive checks are disabled for object 'web01!svc'."}]}`, ErrRejected, false, "Passive checks are disabled"},
		{"bad request without results", 400, `{"error":400,"status":"Parameter 'exit_status' is required."}`, ErrRejected, false, "exit_status"},
		{"result code 500", 500, `{"results":[{"code":500,"status":"boom"}]}`, ErrServer, true, "boom"},
		{"result code 404", 500, `{"results":[{"code":404,"status":"gone"}]}`, ErrNotFound, false, "gone"},
		{"server error", 500, `{"error":500,"status":"Internal error"}`, ErrServer, true, "Internal error"},
		{"unavailable html", 503, `<html>busy</html>`, ErrServer, true, "<html>busy</html>"},
		{"too many requests", 429, ``, ErrServer, true, ""},
		{"ok without results", 200, `{"results":[]}`, ErrServer, true, ""},
		{"ok not json", 200, `hello`, ErrServer, true, `"hello"`},
		{"redirect", 302, ``, ErrRejected, false, ""},
		{"hostile status text", 500, `{"error":500,"status":"line1\nline2 ` + testPassword + `x"}`, ErrServer, true, `line1\nline2`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.setRespond(func(w http.ResponseWriter, r *http.Request) {
				if tc.status == 302 {
					w.Header().Set("Location", other.URL+"/elsewhere")
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			})
			err := c.SendCheck(context.Background(), "web01", "svc", 2, "x")
			if tc.sentinel == nil {
				if err != nil {
					t.Fatalf("SendCheck: %v", err)
				}
				return
			}
			var ie *Error
			if !errors.Is(err, tc.sentinel) || !errors.As(err, &ie) {
				t.Fatalf("SendCheck: %v, want an *Error wrapping %v", err, tc.sentinel)
			}
			if ie.Temporary() != tc.temporary || ie.Status != tc.status || ie.Op != "process-check-result" || ie.Object != "web01!svc" {
				t.Errorf("%#v: Temporary %v, want %v; status %d, want %d", ie, ie.Temporary(), tc.temporary, ie.Status, tc.status)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, `icinga: process-check-result "web01!svc": `) || !strings.Contains(msg, tc.detail) {
				t.Errorf("message %q: want the object and %q", msg, tc.detail)
			}
			if strings.ContainsAny(msg, "\n\r") || strings.Contains(msg, testPassword+"\"") {
				t.Errorf("message %q holds a raw newline", msg)
			}
		})
	}
}

func TestSendCheckTimeoutAndCancel(t *testing.T) {
	f := newFakeAPI(t)
	release := make(chan struct{})
	defer close(release)
	f.setRespond(func(w http.ResponseWriter, r *http.Request) {
		<-release // never answers while the test runs
	})
	c := f.client(t, func(c *Config) { c.Timeout = 100 * time.Millisecond })
	t.Run("timeout is temporary", func(t *testing.T) {
		start := time.Now()
		err := c.SendCheck(context.Background(), "web01", "svc", 2, "x")
		var ie *Error
		if !errors.As(err, &ie) || !ie.Temporary() || !errors.Is(err, context.DeadlineExceeded) || ie.Status != 0 {
			t.Fatalf("SendCheck: %v, want a temporary *Error wrapping context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("timeout of 100ms took %v", d)
		}
		if !strings.Contains(err.Error(), "timeout 100ms") {
			t.Errorf("message %q does not name the timeout", err)
		}
	})
	t.Run("caller cancel is permanent", func(t *testing.T) {
		slow := f.client(t, func(c *Config) { c.Timeout = time.Minute })
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		err := slow.SendCheck(ctx, "web01", "svc", 2, "x")
		var ie *Error
		if !errors.As(err, &ie) || ie.Temporary() || !errors.Is(err, context.Canceled) {
			t.Fatalf("SendCheck: %v, want a permanent *Error wrapping context.Canceled", err)
		}
	})
	t.Run("caller deadline is temporary", func(t *testing.T) {
		slow := f.client(t, func(c *Config) { c.Timeout = time.Minute })
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		err := slow.SendCheck(ctx, "web01", "svc", 2, "x")
		var ie *Error
		if !errors.As(err, &ie) || !ie.Temporary() || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("SendCheck: %v, want a temporary *Error wrapping context.DeadlineExceeded", err)
		}
	})
}

func TestSendCheckNetwork(t *testing.T) {
	t.Run("connection refused is temporary", func(t *testing.T) {
		f := newFakeAPI(t)
		c := f.client(t, nil)
		f.srv.Close()
		err := c.SendCheck(context.Background(), "web01", "svc", 2, "x")
		var ie *Error
		if !errors.As(err, &ie) || !ie.Temporary() || ie.Status != 0 {
			t.Fatalf("SendCheck: %v, want a temporary *Error without status", err)
		}
		if strings.Contains(err.Error(), f.srv.URL+"/v1") {
			t.Errorf("message %q repeats the request URL", err)
		}
	})
	t.Run("unknown CA sends nothing", func(t *testing.T) {
		f := newFakeAPI(t)
		c := f.client(t, func(c *Config) { c.CAFile = "" }) // system pool
		err := c.SendCheck(context.Background(), "web01", "svc", 2, "x")
		if err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("SendCheck: %v, want a certificate error", err)
		}
		if n := len(f.requests()); n != 0 {
			t.Errorf("%d requests reached a server with an unverified certificate", n)
		}
	})
	t.Run("wrong server name", func(t *testing.T) {
		f := newFakeAPI(t)
		c := f.client(t, func(c *Config) { c.ServerName = "icinga.invalid" })
		if err := c.SendCheck(context.Background(), "web01", "svc", 2, "x"); err == nil || len(f.requests()) != 0 {
			t.Fatalf("SendCheck: %v with %d requests, want a certificate error before any request", err, len(f.requests()))
		}
	})
	t.Run("insecure skip verify", func(t *testing.T) {
		f := newFakeAPI(t)
		c := f.client(t, func(c *Config) { c.CAFile = ""; c.InsecureSkipVerify = true })
		if err := c.SendCheck(context.Background(), "web01", "svc", 2, "x"); err != nil {
			t.Fatalf("SendCheck: %v", err)
		}
	})
}

// TestSendChecksConcurrency: the batch runs concurrently, never more than
// Config.Concurrency at once, and returns each check's own error.
func TestSendChecksConcurrency(t *testing.T) {
	f := newFakeAPI(t)
	var inFlight, maxInFlight atomic.Int32
	f.setRespond(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), "missing") {
			w.WriteHeader(404)
			io.WriteString(w, `{"error":404,"status":"No objects found."}`)
			return
		}
		io.WriteString(w, `{"results":[{"code":200,"status":"ok"}]}`)
	})
	const conc = 3
	c := f.client(t, func(c *Config) { c.Concurrency = conc })
	var checks []Check
	for i := range 24 {
		svc := "svc"
		if i%5 == 0 {
			svc = "missing"
		}
		checks = append(checks, Check{Host: "web01", Service: svc, State: i % 4, Output: "x"})
	}
	checks = append(checks, Check{Host: "web01", Service: "bad!name"})
	start := time.Now()
	errs := c.SendChecks(context.Background(), checks)
	elapsed := time.Since(start)
	if len(errs) != len(checks) {
		t.Fatalf("%d errors for %d checks", len(errs), len(checks))
	}
	for i, err := range errs {
		switch {
		case checks[i].Service == "missing":
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("check %d: %v, want ErrNotFound", i, err)
			}
		case checks[i].Service == "bad!name":
			if !errors.Is(err, ErrBadName) {
				t.Errorf("check %d: %v, want ErrBadName", i, err)
			}
		case err != nil:
			t.Errorf("check %d: %v", i, err)
		}
	}
	if m := maxInFlight.Load(); m > conc || m < 2 {
		t.Errorf("max in flight %d, want 2..%d", m, conc)
	}
	if got := len(f.requests()); got != 24 {
		t.Errorf("%d requests, want 24", got)
	}
	// 24 requests of 20 ms, 3 at a time: about 160 ms; serial would be 480 ms.
	if elapsed > 400*time.Millisecond {
		t.Logf("batch took %v (slow machine?)", elapsed)
	}
	if errs := c.SendChecks(context.Background(), nil); len(errs) != 0 {
		t.Errorf("empty batch: %v", errs)
	}
}

func TestPingAndInfo(t *testing.T) {
	f := newFakeAPI(t)
	c := f.client(t, nil)
	tests := []struct {
		name     string
		status   int
		body     string
		sentinel error
		want     Info
	}{
		{"ok", 200, `{"results":[{"info":"More information about API requests is available in the documentation at https://icinga.com/docs/icinga2/latest/","permissions":["actions/process-check-result","objects/query/Service"],"user":"ossec-bridge","version":"r2.13.6-1"}]}`,
			nil, Info{Version: "r2.13.6-1", User: "ossec-bridge", Permissions: []string{"actions/process-check-result", "objects/query/Service"}}},
		{"wrong password", 401, `{"error":401,"status":"Unauthorized. Please check your user credentials."}`, ErrAuth, Info{}},
		{"not icinga", 200, `<html></html>`, ErrServer, Info{}},
		{"server error", 502, `bad gateway`, ErrServer, Info{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.setRespond(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodGet || r.URL.Path != "/v1" || r.Header.Get("Accept") != "application/json" {
					t.Errorf("request %s %s Accept %q, want GET /v1 application/json", r.Method, r.URL.Path, r.Header.Get("Accept"))
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			})
			info, err := c.Info(context.Background())
			pingErr := c.Ping(context.Background())
			if tc.sentinel == nil {
				if err != nil || pingErr != nil {
					t.Fatalf("Info: %v, Ping: %v", err, pingErr)
				}
				if info.Version != tc.want.Version || info.User != tc.want.User || strings.Join(info.Permissions, ",") != strings.Join(tc.want.Permissions, ",") {
					t.Errorf("Info = %+v, want %+v", info, tc.want)
				}
				return
			}
			var ie *Error
			if !errors.Is(err, tc.sentinel) || !errors.Is(pingErr, tc.sentinel) || !errors.As(err, &ie) || ie.Op != "ping" {
				t.Fatalf("Info: %v, Ping: %v, want %v", err, pingErr, tc.sentinel)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	long := strings.Repeat("é", 100)
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"not found", &Error{Op: "process-check-result", Object: "web01!svc", Status: 404, Detail: `"No objects found."`, Err: ErrNotFound},
			`icinga: process-check-result "web01!svc": no such object (HTTP 404): "No objects found."`},
		{"network", &Error{Op: "ping", Err: errors.New("connection refused")}, `icinga: ping: connection refused`},
		{"long object cut on a rune", &Error{Op: "x", Object: long, Err: ErrServer}, `icinga: x "` + strings.Repeat("é", 60) + `"...: server error`},
		{"control characters quoted", &Error{Op: "x", Object: "a\nb", Err: ErrServer}, `icinga: x "a\nb": server error`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() =\n %s\nwant\n %s", got, tc.want)
			}
		})
	}
}

func fmtAll(c Config) string { return fmt.Sprintf("%v %+v %#v %s", c, c, c, c) }

func TestInfoAllows(t *testing.T) {
	tests := []struct {
		name  string
		perms []string
		want  bool
	}{
		{"exact", []string{"objects/query/Host", PermissionSubmit}, true},
		{"everything", []string{"*"}, true},
		{"actions wildcard", []string{"actions/*"}, true},
		{"inner wildcard", []string{"actions/*-check-result"}, true},
		{"other action", []string{"actions/acknowledge-problem"}, false},
		{"prefix only", []string{"actions/process"}, false},
		{"query only", []string{"objects/query/*"}, false},
		{"none", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := (Info{Permissions: tc.perms}).Allows(PermissionSubmit); got != tc.want {
				t.Errorf("Allows with %q = %v, want %v", tc.perms, got, tc.want)
			}
		})
	}
}

// TestConnectionReuse: results share kept-alive connections instead of a
// TLS handshake each.
func TestConnectionReuse(t *testing.T) {
	var conns atomic.Int32
	f := newFakeAPIConnState(t, func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	})
	c := f.client(t, func(c *Config) { c.Concurrency = 2 })
	for i := range 20 {
		if err := c.SendCheck(context.Background(), "web01", "svc", i%4, "x"); err != nil {
			t.Fatal(err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("20 serial results opened %d connections, want 1", n)
	}
	checks := make([]Check, 40)
	for i := range checks {
		checks[i] = Check{Host: "web01", Service: "svc", Output: "x"}
	}
	for _, err := range c.SendChecks(context.Background(), checks) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := conns.Load(); n > 2 {
		t.Errorf("batches at concurrency 2 opened %d connections in all, want at most 2", n)
	}
}

// TestPermanent: only what Icinga says of the one object is permanent (the
// bridge quarantines it); what stops every result is not.
func TestPermanent(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		permanent bool
	}{
		{"no objects found", 404, `{"error":404.0,"status":"No objects found."}`, true},
		{"bad exit status", 400, `{"results":[{"code":400,"status":"Invalid 'exit_status' for Host web01."}]}`, true},
		{"bad request without results", 400, `{"error":400,"status":"Parameter 'exit_status' is required."}`, true},
		{"passive checks disabled for the object", 500, `{"results":[{"code":403.0,"status":"Passive checks are disabled for object 'web01!svc'."}]}`, true},
		{"result code 404", 500, `{"results":[{"code":404,"status":"gone"}]}`, true},
		{"wrong password", 401, `{"error":401,"status":"Unauthorized."}`, false},
		{"forbidden for the user", 403, `{"error":403,"status":"Forbidden"}`, false},
		{"server error", 500, `{"error":500,"status":"Internal error"}`, false},
		{"result code 500", 500, `{"results":[{"code":500,"status":"boom"}]}`, false},
		{"redirect", 302, ``, false},
		{"method not allowed", 405, ``, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkResponse(tc.status, []byte(tc.body))
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Permanent(); got != tc.permanent {
				t.Errorf("Permanent() = %v, want %v (%v)", got, tc.permanent, err)
			}
		})
	}
	if err := (&Error{Op: "process-check-result", Err: fmt.Errorf("%w: empty host name", ErrBadName)}); !err.Permanent() {
		t.Error("a bad name is not permanent")
	}
}
