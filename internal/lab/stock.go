package lab

// The stock Debian configurations, run for real: nagios4 from a copy of
// /etc/nagios4/nagios.cfg reading the stock object files, and icinga2 from a
// copy of /etc/icinga2, each with the test's objects added and a contact or
// user of the stock group whose notifications land in a file.

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// StockNagiosLabObjects are added to the stock Nagios objects by
// NewStockNagiosLab: the contact "lab", a member of the stock contact group
// admins, whose notifications append
// "STATE<TAB>host<TAB>service<TAB>output" lines to notifications.log in
// the lab directory (see NagiosLab.Notifications). It reuses the stock 24x7
// time period.
const StockNagiosLabObjects = `define command {
    command_name  lab-notify
    command_line  /usr/bin/printf "%s\t%s\t%s\t%s\n" "$SERVICESTATE$" "$HOSTNAME$" "$SERVICEDESC$" "$SERVICEOUTPUT$" >> $TEMPPATH$/notifications.log
}

define contact {
    contact_name                   lab
    alias                          lab
    contactgroups                  admins
    host_notifications_enabled     0
    service_notifications_enabled  1
    host_notification_period       24x7
    service_notification_period    24x7
    host_notification_options      n
    service_notification_options   w,u,c,r
    host_notification_commands     lab-notify
    service_notification_commands  lab-notify
}
`

// NewStockNagiosLab is NewNagiosLab on Debian's stock configuration: a copy
// of /etc/nagios4/nagios.cfg (StockNagiosConfig: the stock object files read
// unchanged, every path written inside the lab directory) plus
// StockNagiosLabObjects and the test's object files. Start then validates
// it and runs nagios4 and nsca as for any lab. The stock status.dat is
// rewritten every 10 s: assert on Log or Notifications rather than
// WaitService. After Start, call QuietStockContacts so that the stock
// contact nagiosadmin mails nobody.
func NewStockNagiosLab(t testing.TB, objects ...string) *NagiosLab {
	t.Helper()
	dir := ShortTempDir(t)
	l := &NagiosLab{
		Dir:         dir,
		CommandFile: filepath.Join(dir, "nagios.cmd"),
		StatusFile:  filepath.Join(dir, "status.dat"),
		LogFile:     filepath.Join(dir, "nagios.log"),
		t:           t,
	}
	must(t, os.Mkdir(filepath.Join(dir, "objects"), 0o700))
	files := []string{filepath.Join(dir, "objects", "00-lab.cfg")}
	must(t, os.WriteFile(files[0], []byte(StockNagiosLabObjects), 0o600))
	for i, o := range objects {
		f := filepath.Join(dir, "objects", fmt.Sprintf("%02d-test.cfg", i+1))
		must(t, os.WriteFile(f, []byte(o), 0o600))
		files = append(files, f)
	}
	l.Config = StockNagiosConfig(t, dir, files...)
	return l
}

// ExternalCommand writes one external command ("DISABLE_NOTIFICATIONS",
// without the [time] prefix) into the running Nagios' command FIFO.
func (l *NagiosLab) ExternalCommand(t testing.TB, cmd string) {
	t.Helper()
	f, err := os.OpenFile(l.CommandFile, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatalf("lab: open the command file: %v", err)
	}
	defer f.Close()
	if _, err := fmt.Fprintf(f, "[%d] %s\n", time.Now().Unix(), cmd); err != nil {
		t.Fatalf("lab: write the command file: %v", err)
	}
}

// QuietStockContacts turns off the notifications of the stock contact
// nagiosadmin (its commands run /usr/bin/mail) and waits until Nagios has
// taken the commands.
func (l *NagiosLab) QuietStockContacts(t testing.TB) {
	t.Helper()
	cmds := []string{"DISABLE_CONTACT_SVC_NOTIFICATIONS;nagiosadmin", "DISABLE_CONTACT_HOST_NOTIFICATIONS;nagiosadmin"}
	for _, c := range cmds {
		l.ExternalCommand(t, c)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(l.Log(), "EXTERNAL COMMAND: "+cmds[1]) {
		if time.Now().After(deadline) {
			t.Fatalf("lab: nagios4 did not log %s:\n%s", cmds[1], l.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WaitNotifications polls the lab's notifications.log until ok holds for
// its lines, and fails the test with the lines and nagios.log otherwise.
func (l *NagiosLab) WaitNotifications(t testing.TB, timeout time.Duration, ok func([]string) bool) []string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		lines := l.Notifications()
		if ok(lines) {
			return lines
		}
		if time.Now().After(deadline) {
			t.Fatalf("lab: notifications after %s: %q\nnagios.log:\n%s", timeout, lines, l.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// StockIcinga2Result is what VerifyStockIcinga2 found.
type StockIcinga2Result struct {
	Verification
	// Services are the full names ("host!service") of every service
	// the configuration defines, sorted (icinga2 object list).
	Services []string
	// Notifications are the full names ("host!service!notification")
	// of every service Notification object.
	Notifications []string
}

// VerifyStockIcinga2 validates the test's objects in a copy of the stock
// /etc/icinga2 with icinga2 daemon -C -x warning, as the node nodeName (the
// stock conf.d/hosts.conf defines object Host NodeName), and lists the
// services and notifications the configuration then holds.
func VerifyStockIcinga2(t testing.TB, nodeName string, objects ...string) StockIcinga2Result {
	t.Helper()
	bin := RequireBinary(t, Icinga2Bin, "icinga2-bin")
	dir := ShortTempDir(t)
	etc := copyStockIcinga(t, dir)
	for i, o := range objects {
		must(t, os.WriteFile(filepath.Join(etc, "conf.d", fmt.Sprintf("zz-test-%02d.conf", i+1)), []byte(o), 0o600))
	}
	defs := append(icingaDefines(dir), "-DNodeName="+nodeName)
	args := append([]string{"daemon", "-C", "-x", "warning", "-c", filepath.Join(etc, "icinga2.conf")}, defs...)
	out, rc := runTool(t, 60*time.Second, bin, args...)
	r := StockIcinga2Result{Verification: Verification{RC: rc, Output: out}}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "warning/") || strings.Contains(line, "critical/") || strings.Contains(line, "Error:") {
			r.Problems = append(r.Problems, strings.TrimSpace(line))
		}
	}
	if rc != 0 {
		return r
	}
	r.Services = icingaObjectNames(t, bin, defs, "Service")
	r.Notifications = icingaObjectNames(t, bin, defs, "Notification")
	return r
}

// icingaObjectNames lists the objects of a type from the object cache the
// last daemon -C wrote.
func icingaObjectNames(t testing.TB, bin string, defs []string, typ string) []string {
	t.Helper()
	out, rc := runTool(t, 60*time.Second, bin, append([]string{"object", "list", "--type", typ}, defs...)...)
	if rc != 0 {
		t.Fatalf("lab: icinga2 object list --type %s: rc %d\n%s", typ, rc, out)
	}
	var names []string
	for _, line := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(line, "Object '")
		if !ok {
			continue
		}
		name, _, ok := strings.Cut(rest, "' of type '")
		if ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// copyStockIcinga copies /etc/icinga2 to dir/etc (skipping the test when
// it is missing, outside CI) and makes the var directories; it returns the
// etc copy.
func copyStockIcinga(t testing.TB, dir string) string {
	t.Helper()
	const stockDir = "/etc/icinga2"
	if _, err := os.Stat(filepath.Join(stockDir, "icinga2.conf")); err != nil {
		if InCI() {
			t.Fatalf("lab: read the stock Icinga 2 configuration: %v", err)
		}
		t.Skipf("lab: no stock Icinga 2 configuration: %v", err)
	}
	etc := filepath.Join(dir, "etc")
	must(t, copyTree(stockDir, etc))
	for _, d := range []string{"etc/zones.d", "var/lib/certs", "var/log", "var/cache", "var/spool", "var/run"} {
		must(t, os.MkdirAll(filepath.Join(dir, d), 0o700))
	}
	return etc
}

// StockIcingaNotifyScript replaces the copies of the stock notification
// scripts (scripts/mail-service-notification.sh and
// mail-host-notification.sh, which the stock NotificationCommands run and
// which would call mail): it appends its arguments, one notification per
// line, to notifications.log in the lab directory (see
// IcingaServer.Notifications).
const stockIcingaNotifyScript = "#!/bin/sh\nprintf '%%s\\n' \"$*\" >> %s\n"

// StartStockIcinga starts icinga2 from a copy of the stock /etc/icinga2
// (its checker and notification features, its users, commands and apply
// rules unchanged) with the test's objects added to conf.d, an API
// listener on 127.0.0.1 with the lab's ApiUser, and the notification
// scripts replaced by a recorder (Notifications). The node is
// IcingaNodeName, so the stock conf.d/hosts.conf defines a host of that
// name.
func StartStockIcinga(t testing.TB, objects ...string) *IcingaServer {
	t.Helper()
	bin := RequireBinary(t, Icinga2Bin, "icinga2-bin")
	dir := ShortTempDir(t)
	etc := copyStockIcinga(t, dir)
	pool, err := writeIcingaCerts(filepath.Join(dir, "var/lib/certs"), IcingaNodeName)
	must(t, err)
	s := newIcingaServer(t, dir, pool)
	notify := filepath.Join(dir, "notifications.log")
	for _, f := range []string{"mail-service-notification.sh", "mail-host-notification.sh"} {
		p := filepath.Join(etc, "scripts", f)
		must(t, os.WriteFile(p, []byte(fmt.Sprintf(stockIcingaNotifyScript, shellQuote(notify))), 0o700))
		must(t, os.Chmod(p, 0o700)) // the copy exists already, as 0600
	}
	must(t, os.WriteFile(filepath.Join(etc, "conf.d", "00-lab-api.conf"), []byte(s.apiConf(IcingaBridgePermissions)), 0o600))
	for i, o := range objects {
		must(t, os.WriteFile(filepath.Join(etc, "conf.d", fmt.Sprintf("zz-test-%02d.conf", i+1)), []byte(o), 0o600))
	}
	main := filepath.Join(etc, "icinga2.conf")
	s.start(t, bin, main, dir)
	return s
}

// Notifications returns the lines the recorder of StartStockIcinga wrote,
// one per notification sent: the stock script's arguments ("-d date -e
// service -l host ... -o output -r email -s state -t type ..."). Only whole
// lines count.
func (s *IcingaServer) Notifications() []string {
	b, err := os.ReadFile(filepath.Join(s.Dir, "notifications.log"))
	if err != nil {
		return nil
	}
	text := string(b)
	if i := strings.LastIndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	} else {
		return nil
	}
	return strings.Split(text, "\n")
}

// newIcingaServer is an IcingaServer for the files in dir whose API
// certificate the pool verifies; nothing runs yet.
func newIcingaServer(t testing.TB, dir string, pool *x509.CertPool) *IcingaServer {
	return &IcingaServer{
		Dir:      dir,
		CAFile:   filepath.Join(dir, "var/lib/certs/ca.crt"),
		User:     IcingaAPIUser,
		Password: randomHex(t, 16),
		Log:      filepath.Join(dir, "var/log/icinga2.log"),
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		}},
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// ProcessCheckResult posts one passive result for host!service through the
// API (URL parameter form) and fails the test unless Icinga answers 200.
func (s *IcingaServer) ProcessCheckResult(t testing.TB, host, service string, state int, output string) {
	t.Helper()
	params := map[string]any{"exit_status": state, "plugin_output": output, "check_source": "lab"}
	// %20, not +: Icinga does not read + as a space.
	path := "/v1/actions/process-check-result?service=" + strings.ReplaceAll(url.QueryEscape(host+"!"+service), "+", "%20")
	code, body, err := s.do(http.MethodPost, path, params)
	if err != nil || code != http.StatusOK {
		t.Fatalf("lab: icinga2 process-check-result %s!%s: %d %v %s", host, service, code, err, body)
	}
}

// WaitNotifications polls the recorded notifications until ok holds for
// them, and fails the test with them and the log otherwise.
func (s *IcingaServer) WaitNotifications(t testing.TB, timeout time.Duration, ok func([]string) bool) []string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		lines := s.Notifications()
		if ok(lines) {
			return lines
		}
		if time.Now().After(deadline) {
			t.Fatalf("lab: icinga2 notifications after %s: %q\n%s", timeout, lines, s.LogTail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
