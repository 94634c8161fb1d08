package main

// Wiring: the one place that turns the mapping INI into the bridge's
// mapping, a transport and the spool (flood control: flood.go).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/bridge/health"
	"github.com/ossec-nagios/ossec-nagios/bridge/spool"
	"github.com/ossec-nagios/ossec-nagios/icinga"
	"github.com/ossec-nagios/ossec-nagios/internal/config"
	"github.com/ossec-nagios/ossec-nagios/nsca"
)

// Pin: both transports are bridge.Senders without knowing bridge.
var (
	_ bridge.Sender = (*nsca.Client)(nil)
	_ bridge.Sender = (*icinga.Client)(nil)
)

// app is a loaded configuration with every "<OSSEC>" default filled in.
type app struct {
	root string
	cfg  *config.Config
	file string
	log  logrus.FieldLogger // set by logger; the sender logs drops to it
}

// loadApp loads the INI named by -config / OSSEC_NAGIOS_CONFIG / the
// default, and fills the paths left empty with their place under <OSSEC>.
func (e *env) loadApp(flagValue string) (*app, []string, error) {
	path := e.configPath(flagValue)
	cfg, warnings, err := config.LoadFile(path)
	if err != nil {
		return nil, nil, usageError{fmt.Errorf("config: %w", err)}
	}
	root := e.ossecRoot()
	under := func(p *string, rel ...string) {
		if *p == "" {
			*p = filepath.Join(append([]string{root}, rel...)...)
		}
	}
	under(&cfg.Alerts.Log, "logs", "alerts", "alerts.log")
	under(&cfg.Alerts.JSON, "logs", "alerts", "alerts.json")
	under(&cfg.Spool.Dir, "var", "ossec-nagios", "spool")
	under(&cfg.Log.File, "logs", "active-responses.log")
	under(&cfg.Flood.StateFile, "var", "ossec-nagios", "flood.state")
	under(&cfg.Follow.StateFile, "var", "ossec-nagios", "follow.cursor")
	if cfg.Heartbeat.Host == "" {
		cfg.Heartbeat.Host = shortHostname()
	}
	return &app{root: root, cfg: cfg, file: path}, warnings, nil
}

// shortHostname is this machine's name up to the first dot, the usual
// Nagios host name of the OSSEC manager ("ossec-manager" if unknown).
func shortHostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "ossec-manager"
	}
	if i := strings.IndexByte(h, '.'); i > 0 {
		h = h[:i]
	}
	return h
}

// logger opens the log file named in the INI ([log] file).
func (a *app) logger(fallback io.Writer) (*logrus.Logger, io.Closer) {
	level, err := logrus.ParseLevel(a.cfg.Log.Level)
	if err != nil {
		level = logrus.InfoLevel
	}
	l, c := openLog(a.cfg.Log.File, level, fallback)
	a.log = l
	return l, c
}

// outputLimit is the longest output the configured transport carries.
func (a *app) outputLimit() int {
	if a.cfg.Delivery.Transport == config.TransportNSCA {
		return a.cfg.NSCA.OutputLimit()
	}
	return bridge.MaxOutputLen
}

// mapping builds the bridge's mapping from the INI (newMapping), with the
// output bounded by what the transport carries.
func (a *app) mapping() (*bridge.Mapping, error) {
	m, err := newMapping(a.cfg)
	if err != nil {
		return nil, usageError{fmt.Errorf("config %s: %w", a.file, err)}
	}
	if limit := a.outputLimit(); m.Output.MaxLength <= 0 || m.Output.MaxLength > limit {
		m.Output.MaxLength = limit
	}
	return m, nil
}

// sender builds the configured transport; close releases its connections.
// It is a bridge.Confirmer: with NSCA a delivery counts only once the
// daemon kept the connection open for [nsca] confirm after the last
// packet. Every confirmed delivery moves the delivery stamp that `check`
// reads; a drop writes the failure record that makes `check` CRITICAL and
// is logged as an error naming the likely cause.
func (a *app) sender(debug io.Writer) (s bridge.Sender, close func(), err error) {
	c := a.cfg
	stamp := &health.Stamp{Path: health.StampPath(c.Spool.Dir)}
	st := &stamped{stamp: stamp, spoolDir: c.Spool.Dir, log: a.log}
	switch c.Delivery.Transport {
	case config.TransportNSCA:
		f := &bridge.Failover{Rounds: 1}
		var clients []*nsca.Client
		for _, addr := range c.NSCA.Servers {
			cl, err := nsca.New(addr, nsca.Config{
				Password: c.NSCA.Password,
				Method:   c.NSCA.Encryption,
				Legacy:   c.NSCA.Legacy27,
				Short:    c.NSCA.Short(),
				Timeout:  c.NSCA.Timeout,
				Debug:    debug,
				// Per delivery (bridge.Confirmer), not per packet.
				ConfirmWait: c.NSCA.Confirm,
				ConfirmMin:  c.NSCA.ConfirmMin,
			})
			if err != nil {
				return nil, nil, usageError{fmt.Errorf("config %s: [nsca] server %s: %w", a.file, addr, err)}
			}
			clients = append(clients, cl)
			f.Senders = append(f.Senders, cl)
			f.Names = append(f.Names, cl.Addr())
		}
		if len(clients) == 0 {
			return nil, nil, usageError{fmt.Errorf("config %s: [nsca] server: no server configured", a.file)}
		}
		st.Sender, st.confirms = f, true
		return st, func() {
			for _, cl := range clients {
				cl.Close()
			}
		}, nil
	case config.TransportIcinga2:
		urls := c.Icinga2.URLs
		if len(urls) == 0 {
			urls = []string{c.Icinga2.URL}
		}
		// Tried in order for every result, as [nsca] server.
		f := &bridge.Failover{Rounds: 1}
		for _, u := range urls {
			cl, err := icinga.New(icinga.Config{
				URL:         u,
				User:        c.Icinga2.User,
				Password:    c.Icinga2.Password,
				CAFile:      c.Icinga2.CAFile,
				Timeout:     c.Icinga2.Timeout,
				CheckSource: "ossec-nagios",
			})
			if err != nil {
				return nil, nil, usageError{fmt.Errorf("config %s: [icinga2]: %w", a.file, err)}
			}
			f.Senders = append(f.Senders, cl)
			f.Names = append(f.Names, u)
		}
		st.Sender = f
		if len(f.Senders) == 1 {
			st.Sender = f.Senders[0]
		}
		return st, func() {}, nil
	}
	return nil, nil, usageError{fmt.Errorf("config %s: [delivery] transport %q is unknown", a.file, c.Delivery.Transport)}
}

// stamped keeps the delivery stamp and the failure record: a result
// counts as delivered when its transport gave evidence (Icinga: the API
// answered that it processed it; NSCA: a Confirm after it). Stamp and
// record are best effort: they cost only the check's accuracy, never a
// delivery.
type stamped struct {
	bridge.Sender
	confirms bool // Sender is a bridge.Confirmer: stamp on Confirm
	stamp    *health.Stamp
	spoolDir string
	log      logrus.FieldLogger // nil: drops are only recorded

	sent atomic.Int64 // results accepted since the last Confirm
}

func (s *stamped) SendCheck(ctx context.Context, host, service string, state int, output string) error {
	err := s.Sender.SendCheck(ctx, host, service, state, output)
	if err != nil {
		if errors.Is(err, icinga.ErrAuth) {
			// Every result fails alike until someone fixes the INI or the
			// ApiUser: as loud as a drop.
			s.fail("the Icinga 2 API refused the bridge: " + joinErr(err) + "; check [icinga2] user and password, and that the ApiUser has the permission actions/process-check-result")
		}
		return err
	}
	if s.confirms {
		s.sent.Add(1)
	} else {
		_ = s.stamp.Record()
	}
	return nil
}

// ConfirmWait implements bridge.ConfirmTimer.
func (s *stamped) ConfirmWait() time.Duration {
	if ct, ok := s.Sender.(bridge.ConfirmTimer); ok && s.confirms {
		return ct.ConfirmWait()
	}
	return 0
}

// Confirm implements bridge.Confirmer.
func (s *stamped) Confirm(ctx context.Context) error {
	if !s.confirms {
		return nil
	}
	n := s.sent.Swap(0)
	err := s.Sender.(bridge.Confirmer).Confirm(ctx)
	switch {
	case err == nil:
		if n > 0 {
			_ = s.stamp.Record()
		}
	case errors.Is(err, nsca.ErrRejected):
		s.fail(fmt.Sprintf("%d result(s) dropped by the NSCA daemon after it accepted them: %s; check [nsca] password and encryption against nsca.cfg password and decryption_method, and legacy_2_7_mode against the daemon's version", n, joinErr(err)))
	case s.log != nil:
		s.log.Warnf("delivery of %d result(s) not confirmed: %s", n, joinErr(err))
	}
	return err
}

// fail records a failure only a person can fix (the failure record that
// makes `check` CRITICAL) and logs it as an error.
func (s *stamped) fail(reason string) {
	_ = health.RecordFailure(s.spoolDir, time.Now(), reason)
	if s.log != nil {
		s.log.Error("delivery failed: " + reason)
	}
}

// spool opens the spool directory.
func (a *app) spool(log logrus.FieldLogger) (*spool.Spool, error) {
	sp, err := spool.Open(a.cfg.Spool.Dir, spool.Options{
		MaxResults: a.cfg.Spool.MaxResults,
		MaxAge:     a.cfg.Spool.MaxAge,
		LockWait:   a.cfg.Spool.LockWait,
		Logf:       func(f string, args ...any) { log.Warnf("spool: "+f, args...) },
		Multiline:  a.cfg.Output.LongOutput,
	})
	if err != nil {
		return nil, fmt.Errorf("open spool %s: %w", a.cfg.Spool.Dir, err)
	}
	return sp, nil
}

// joinErr flattens an error to one line for logs.
func joinErr(err error) string {
	if err == nil {
		return ""
	}
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

var errLost = errors.New("result lost")

// drainPace spaces the results delivered from the spool (see
// bridge.Delivery.DrainPace): 2 ms is 500 results/s, which nagios4 with a
// notification per result kept up with in TestOutageNothingLost.
const drainPace = 2 * time.Millisecond
