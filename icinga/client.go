package icinga

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// Defaults for the zero values of Config.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultConcurrency = 4
)

// maxBody bounds how much of a response is read; Icinga's answer to one
// check result is a few hundred bytes.
const maxBody = 64 << 10

// Config configures a Client. URL, User and Password are required.
type Config struct {
	// URL is the API base, "https://icinga.example.com:5665"; a path
	// prefix (a reverse proxy) is kept. Only https is accepted, and no
	// credentials in the URL.
	URL string
	// User and Password of an ApiUser with the permission
	// actions/process-check-result (and objects/query/* to read back).
	User, Password string
	// CAFile is a PEM file of the CA(s) that signed the API certificate
	// (Icinga's own CA, /var/lib/icinga2/certs/ca.crt); empty means the
	// system pool.
	CAFile string
	// ServerName overrides the name the certificate is checked against,
	// for a URL by address whose certificate names the node.
	ServerName string
	// InsecureSkipVerify turns certificate verification off. Never set it
	// outside a test: the password then goes to whoever answers.
	InsecureSkipVerify bool
	// Timeout bounds each request (connect, TLS, send, answer);
	// 0 means DefaultTimeout. A deadline on the caller's context also holds.
	Timeout time.Duration
	// Concurrency bounds the requests in flight across all callers of the
	// Client; 0 means DefaultConcurrency.
	Concurrency int
	// CheckSource is sent as check_source; empty leaves it to Icinga (the
	// endpoint name).
	CheckSource string
	// TTL is sent as ttl: the result counts as fresh for that long, after
	// which Icinga runs the object's check command (needs active checks
	// enabled on the object). 0 sends none.
	TTL time.Duration
}

// String describes the configuration without the password.
func (c Config) String() string {
	pw := ""
	if c.Password != "" {
		pw = "(set)"
	}
	return fmt.Sprintf("icinga.Config{URL:%q User:%q Password:%s CAFile:%q ServerName:%q InsecureSkipVerify:%t Timeout:%s Concurrency:%d CheckSource:%q TTL:%s}",
		c.URL, c.User, pw, c.CAFile, c.ServerName, c.InsecureSkipVerify, c.Timeout, c.Concurrency, c.CheckSource, c.TTL)
}

// GoString is String, so that %#v does not print the password either.
func (c Config) GoString() string { return c.String() }

// Check is one passive check result. An empty Service makes it a host
// check.
type Check struct {
	Host    string
	Service string
	// State is the Nagios plugin state 0-3. For a service, anything else
	// is sent as 3 (UNKNOWN). For a host, 0 is UP and anything else DOWN
	// (Icinga accepts only 0 and 1 for hosts).
	State    int
	Output   string   // plugin_output, sent verbatim
	PerfData []string // performance_data, e.g. "level=12"; optional
}

// Object returns the Icinga name of the checked object: "host!service",
// or "host" for a host check.
func (c Check) Object() string {
	if c.Service == "" {
		return c.Host
	}
	return c.Host + "!" + c.Service
}

// Client submits check results to one Icinga 2 API. It is safe for
// concurrent use; requests beyond Config.Concurrency wait their turn.
type Client struct {
	checkURL string
	infoURL  string
	user     string
	password string
	source   string
	ttl      float64
	timeout  time.Duration
	conc     int
	hc       *http.Client
	sem      chan struct{}
}

// New checks cfg and returns a Client. It reads CAFile now; it does not
// contact Icinga (see Ping).
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		// Only the cause: the URL itself may hold a password.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, configError("url: %v", err)
	}
	switch {
	case u.User != nil:
		return nil, configError("url: put the credentials in user and password, not in the url")
	case u.Scheme != "https":
		return nil, configError("url %q: scheme must be https", u.String())
	case u.Host == "":
		return nil, configError("url %q: no host", u.String())
	case u.RawQuery != "" || u.Fragment != "":
		return nil, configError("url %q: no query or fragment allowed", u.String())
	case cfg.User == "":
		return nil, configError("user is empty")
	case cfg.Timeout < 0:
		return nil, configError("timeout %s is negative", cfg.Timeout)
	case cfg.Concurrency < 0:
		return nil, configError("concurrency %d is negative", cfg.Concurrency)
	case cfg.TTL < 0:
		return nil, configError("ttl %s is negative", cfg.TTL)
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.ServerName, InsecureSkipVerify: cfg.InsecureSkipVerify}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, configError("ca file: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, configError("ca file %q: no PEM certificate in it", cfg.CAFile)
		}
		tlsCfg.RootCAs = pool
	}
	c := &Client{
		user:     cfg.User,
		password: cfg.Password,
		source:   cfg.CheckSource,
		ttl:      cfg.TTL.Seconds(),
		timeout:  cfg.Timeout,
		conc:     cfg.Concurrency,
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.conc == 0 {
		c.conc = DefaultConcurrency
	}
	c.sem = make(chan struct{}, c.conc)
	base := strings.TrimRight(u.String(), "/")
	c.checkURL = base + "/v1/actions/process-check-result"
	c.infoURL = base + "/v1"
	dialer := &net.Dialer{Timeout: c.timeout, KeepAlive: 30 * time.Second}
	c.hc = &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialer.DialContext,
			TLSClientConfig:       tlsCfg,
			TLSHandshakeTimeout:   c.timeout,
			MaxIdleConns:          c.conc,
			MaxIdleConnsPerHost:   c.conc,
			MaxConnsPerHost:       c.conc, // no extra dial while a connection returns to the pool
			IdleConnTimeout:       90 * time.Second,
			ResponseHeaderTimeout: c.timeout,
		},
		// Icinga does not redirect; following one would send the
		// credentials on.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c, nil
}

func configError(format string, a ...any) error {
	return &Error{Op: "config", Err: fmt.Errorf("%w: "+format, append([]any{ErrConfig}, a...)...)}
}

// Close drops idle connections. The Client stays usable.
func (c *Client) Close() error {
	c.hc.CloseIdleConnections()
	return nil
}

// SendCheck submits one passive result: a service check for host!service,
// or a host check when service is empty. It returns nil only when Icinga
// processed it; otherwise an *Error (see Error.Temporary).
func (c *Client) SendCheck(ctx context.Context, host, service string, state int, output string) error {
	return c.Send(ctx, Check{Host: host, Service: service, State: state, Output: output})
}

// SendChecks submits checks concurrently (at most Config.Concurrency at a
// time) and returns one error per check, in order; nil means processed.
func (c *Client) SendChecks(ctx context.Context, checks []Check) []error {
	errs := make([]error, len(checks))
	workers := min(c.conc, len(checks))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = c.Send(ctx, checks[i])
			}
		}()
	}
	for i := range checks {
		next <- i
	}
	close(next)
	wg.Wait()
	return errs
}

// checkRequest is the body of process-check-result. The object is named
// by type plus host or service, never by a filter.
type checkRequest struct {
	Type         string   `json:"type"`
	Host         string   `json:"host,omitempty"`
	Service      string   `json:"service,omitempty"`
	ExitStatus   int      `json:"exit_status"`
	PluginOutput string   `json:"plugin_output"`
	PerfData     []string `json:"performance_data,omitempty"`
	CheckSource  string   `json:"check_source,omitempty"`
	TTL          float64  `json:"ttl,omitempty"`
}

// request builds the JSON body for ch after validating its names.
func (c *Client) request(ch Check) ([]byte, error) {
	if err := validateName("host", ch.Host); err != nil {
		return nil, err
	}
	r := checkRequest{PluginOutput: ch.Output, PerfData: ch.PerfData, CheckSource: c.source, TTL: c.ttl}
	if ch.Service == "" {
		r.Type, r.Host = "Host", ch.Host
		if ch.State != 0 {
			r.ExitStatus = 1
		}
	} else {
		if err := validateName("service", ch.Service); err != nil {
			return nil, err
		}
		r.Type, r.Service = "Service", ch.Object()
		r.ExitStatus = ch.State
		if ch.State < 0 || ch.State > 3 {
			r.ExitStatus = 3
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, fmt.Errorf("%w: encode: %v", ErrRejected, err)
	}
	return b.Bytes(), nil
}

// Send submits one check; see SendCheck.
func (c *Client) Send(ctx context.Context, ch Check) error {
	const op = "process-check-result"
	body, err := c.request(ch)
	if err != nil {
		return &Error{Op: op, Object: ch.Object(), Err: err}
	}
	status, resp, err := c.do(ctx, http.MethodPost, c.checkURL, body)
	if err != nil {
		return &Error{Op: op, Object: ch.Object(), Err: err}
	}
	if err := checkResponse(status, resp); err != nil {
		err.Op, err.Object = op, ch.Object()
		return err
	}
	return nil
}

// apiResponse is the part of Icinga's answers that the client reads: an
// error ({"error":404,"status":"No objects found."}) or results, one per
// object, each with its own code.
type apiResponse struct {
	Status  string `json:"status"`
	Results []struct {
		Code   float64 `json:"code"`
		Status string  `json:"status"`
	} `json:"results"`
}

// checkResponse classifies the answer to process-check-result. Icinga
// answers 200 when a result was processed, an HTTP error otherwise; the
// per-object code decides when it is present (a 500 carrying a 403 result
// means passive checks are disabled on the object, not a server fault).
func checkResponse(status int, body []byte) *Error {
	var r apiResponse
	parsed := json.Unmarshal(body, &r) == nil
	for _, res := range r.Results {
		code := int(res.Code)
		if code >= 200 && code <= 299 {
			continue
		}
		err := ErrRejected
		switch {
		case code == http.StatusNotFound:
			err = ErrNotFound
		case code >= 500:
			err = ErrServer
		}
		return &Error{Status: status, Result: code, Detail: quoteShort(res.Status), Err: fmt.Errorf("%w: result code %d", err, code)}
	}
	switch {
	case status >= 200 && status <= 299 && len(r.Results) > 0:
		return nil
	case status >= 200 && status <= 299:
		return &Error{Status: status, Detail: detail(parsed, r, body), Err: fmt.Errorf("%w: answer without a result", ErrServer)}
	}
	return &Error{Status: status, Detail: detail(parsed, r, body), Err: classify(status)}
}

// detail is Icinga's status text, or the start of a body that is not
// Icinga's JSON, quoted.
func detail(parsed bool, r apiResponse, body []byte) string {
	if parsed && r.Status != "" {
		return quoteShort(r.Status)
	}
	if len(body) == 0 {
		return ""
	}
	return quoteShort(string(body))
}

// Info is what GET /v1 tells about the API and the authenticated user.
type Info struct {
	Version     string   // "r2.13.6-1"
	User        string   // the ApiUser
	Permissions []string // its permissions
}

// PermissionSubmit is the permission an ApiUser needs for SendCheck.
const PermissionSubmit = "actions/process-check-result"

// Allows reports whether one of the user's permissions matches perm, with
// Icinga's wildcard '*' matching any run of characters ("*", "actions/*").
// Icinga answers a request the user may not make with 404 "No objects
// found.", so a self-check should ask Allows(PermissionSubmit).
func (i Info) Allows(perm string) bool {
	for _, p := range i.Permissions {
		if globMatch(p, perm) {
			return true
		}
	}
	return false
}

// globMatch matches s against pattern, where '*' matches any run of
// characters (including '/') and everything else matches itself.
func globMatch(pattern, s string) bool {
	star, from := -1, 0
	pi, si := 0, 0
	for si < len(s) {
		switch {
		case pi < len(pattern) && pattern[pi] == '*':
			star, from = pi, si
			pi++
		case pi < len(pattern) && pattern[pi] == s[si]:
			pi++
			si++
		case star >= 0:
			from++
			pi, si = star+1, from
		default:
			return false
		}
	}
	for pi < len(pattern) && pattern[pi] == '*' {
		pi++
	}
	return pi == len(pattern)
}

// Ping checks that the API answers and accepts the credentials (GET /v1,
// which needs no permission).
func (c *Client) Ping(ctx context.Context) error {
	_, err := c.Info(ctx)
	return err
}

// Info reads GET /v1: the Icinga version and the user's permissions.
func (c *Client) Info(ctx context.Context) (Info, error) {
	const op = "ping"
	status, body, err := c.do(ctx, http.MethodGet, c.infoURL, nil)
	if err != nil {
		return Info{}, &Error{Op: op, Err: err}
	}
	var r struct {
		Status  string `json:"status"`
		Results []struct {
			Version     string   `json:"version"`
			User        string   `json:"user"`
			Permissions []string `json:"permissions"`
		} `json:"results"`
	}
	parsed := json.Unmarshal(body, &r) == nil
	if status != http.StatusOK {
		return Info{}, &Error{Op: op, Status: status, Detail: detail(parsed, apiResponse{Status: r.Status}, body), Err: classify(status)}
	}
	if !parsed || len(r.Results) == 0 {
		return Info{}, &Error{Op: op, Status: status, Detail: detail(false, apiResponse{}, body), Err: fmt.Errorf("%w: not an icinga api answer", ErrServer)}
	}
	return Info{Version: r.Results[0].Version, User: r.Results[0].User, Permissions: r.Results[0].Permissions}, nil
}

// do sends one request within the concurrency bound and the per-request
// timeout and returns the status and (bounded) body. Its errors are
// network or context errors, without the URL.
func (c *Client) do(ctx context.Context, method, url string, body []byte) (int, []byte, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return 0, nil, ctx.Err()
	}
	defer func() { <-c.sem }()
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var rd io.Reader = http.NoBody
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	req.SetBasicAuth(c.user, c.password)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, netError(err, c.timeout)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, netError(err, c.timeout)
	}
	// Drain a little more so that the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	return resp.StatusCode, b, nil
}

// netError strips the *url.Error wrapper (method and URL) and names a
// timeout as such, keeping the cause for errors.Is.
func netError(err error, timeout time.Duration) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no answer within the deadline (timeout %s): %w", timeout, err)
	}
	return err
}
