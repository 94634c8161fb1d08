// Package icinga submits passive check results to Icinga 2 through its REST
// API: POST /v1/actions/process-check-result, over TLS verified against a CA
// file (or the system pool), with ApiUser basic authentication.
//
// It owns the request (object naming, exit status, output, check source,
// TTL), TLS and credentials, per-request timeouts, a bound on concurrent
// requests, and the classification of failures into a typed *Error whose
// Temporary method separates retryable failures (network, timeout, 5xx)
// from permanent ones (ErrNotFound, ErrAuth, ErrRejected, ErrBadName). It
// knows nothing of OSSEC, of NSCA or of the bridge's mapping; a *Client
// satisfies the bridge's Sender interface by its SendCheck method.
//
// The object is always named by the API's own parameters, never by a filter
// expression: a service check sends {"type":"Service","service":"host!service"},
// a host check {"type":"Host","host":"host"}, as JSON in the request body,
// so no character of a name can change which objects match. Icinga 2 object
// names cannot contain '!', so a name holding one is refused (ErrBadName)
// before anything is sent: "web01!other" must not reach another service.
//
// Tested against Icinga 2 r2.13.6 (Debian 12). Output is sent verbatim: the
// API does not split performance data at '|' (use Check.PerfData).
package icinga
