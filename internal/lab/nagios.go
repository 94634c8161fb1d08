package lab

// Nagios 4 fed by the real nsca daemon, and the nagios4 -v and
// icinga2 daemon -C validators. Recipes: ../shared/monitoring/LAB.md §0-§3
// (outside the repository; summarised in the comments here).

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Paths of the real peers (Debian 12 packages in brackets).
const (
	Nagios4Bin  = "/usr/sbin/nagios4"                   // nagios4-core
	NSCABin     = "/usr/sbin/nsca"                      // nsca
	SendNSCABin = "/usr/sbin/send_nsca"                 // nsca-client
	Icinga2Bin  = "/usr/sbin/icinga2"                   // icinga2-bin
	CheckDummy  = "/usr/lib/nagios/plugins/check_dummy" // monitoring-plugins-basic
)

// NagiosLabObjects are the objects every NagiosLab adds beside the test's
// own, so that a file holding only hosts and services validates with zero
// warnings: the 24x7 time period, the contact group "security" with the
// contact "lab", whose notifications append "STATE<TAB>host<TAB>service<TAB>output"
// lines to notifications.log in the lab directory (see Notifications).
const NagiosLabObjects = `define timeperiod {
    timeperiod_name  24x7
    alias            24x7
    sunday           00:00-24:00
    monday           00:00-24:00
    tuesday          00:00-24:00
    wednesday        00:00-24:00
    thursday         00:00-24:00
    friday           00:00-24:00
    saturday         00:00-24:00
}

define command {
    command_name  lab-notify
    command_line  /usr/bin/printf "%s\t%s\t%s\t%s\n" "$SERVICESTATE$" "$HOSTNAME$" "$SERVICEDESC$" "$SERVICEOUTPUT$" >> $TEMPPATH$/notifications.log
}

define contact {
    contact_name                   lab
    alias                          lab
    host_notifications_enabled     0
    service_notifications_enabled  1
    host_notification_period       24x7
    service_notification_period    24x7
    host_notification_options      n
    service_notification_options   w,u,c,r
    host_notification_commands     lab-notify
    service_notification_commands  lab-notify
}

define contactgroup {
    contactgroup_name  security
    alias              security
    members            lab
}
`

// nagiosMainCfg is LAB.md §2.1's nagios.cfg: every path relative to the
// file's directory, privileges kept (nagios_user=root), the command FIFO,
// status.dat rewritten every second and freshness checked every second.
const nagiosMainCfg = `log_file=nagios.log
object_cache_file=objects.cache
precached_object_file=objects.precache
status_file=status.dat
status_update_interval=1
retain_state_information=0
state_retention_file=retention.dat
check_external_commands=1
command_file=nagios.cmd
query_socket=nagios.qh
lock_file=nagios.lock
temp_file=nagios.tmp
temp_path=.
check_result_path=checkresults
check_result_reaper_frequency=1
log_archive_path=.
log_rotation_method=n
debug_file=nagios.debug
nagios_user=root
nagios_group=root
use_syslog=0
log_passive_checks=1
log_external_commands=1
log_initial_states=1
check_for_updates=0
check_workers=1
accept_passive_service_checks=1
accept_passive_host_checks=1
check_service_freshness=1
service_freshness_check_interval=1
additional_freshness_latency=0
enable_flap_detection=0
enable_notifications=1
illegal_object_name_chars=` + "`" + `~!$%^&*|'"<>?,()=
illegal_macro_output_chars=` + "`" + `~$&|'"<>
`

// NSCA settings of a NagiosLab (XOR: any method both sides support works).
const (
	NSCAPassword = "labsecret"
	NSCAMethod   = 1
)

// NagiosLab is a directory (short path, see ShortTempDir) holding a
// minimal nagios.cfg, the lab objects and the test's object files; Start
// runs nagios4 and an nsca daemon writing into its command FIFO.
type NagiosLab struct {
	Dir         string // the lab directory
	Config      string // Dir/nagios.cfg
	CommandFile string // Dir/nagios.cmd, the FIFO nagios4 creates
	StatusFile  string // Dir/status.dat
	LogFile     string // Dir/nagios.log
	// Set by Start: the nsca daemon's port on 127.0.0.1, and a
	// send_nsca.cfg matching its password and method.
	NSCAPort       int
	SendNSCAConfig string
	// NSCACheckResults, set before Start, makes nsca write each result as
	// a file into Nagios' check result directory instead of the command
	// FIFO: nsca opens the FIFO without blocking and drops what does not
	// fit when Nagios reads slowly (a loaded machine, a burst of
	// thousands), while the directory holds everything until the reaper.
	// Nagios then logs "PASSIVE SERVICE CHECK:" lines, not "EXTERNAL
	// COMMAND:" ones.
	NSCACheckResults bool

	t      testing.TB
	nagios *daemon
	nsca   *daemon
}

// NewNagiosLab writes the lab files: nagios.cfg, objects/00-lab.cfg
// (NagiosLabObjects) and objects/NN-test.cfg for each of objects, in order.
// Nothing runs yet.
func NewNagiosLab(t testing.TB, objects ...string) *NagiosLab {
	t.Helper()
	dir := ShortTempDir(t)
	l := &NagiosLab{
		Dir:         dir,
		Config:      filepath.Join(dir, "nagios.cfg"),
		CommandFile: filepath.Join(dir, "nagios.cmd"),
		StatusFile:  filepath.Join(dir, "status.dat"),
		LogFile:     filepath.Join(dir, "nagios.log"),
		t:           t,
	}
	must(t, os.Mkdir(filepath.Join(dir, "checkresults"), 0o700))
	must(t, os.Mkdir(filepath.Join(dir, "objects"), 0o700))
	must(t, os.WriteFile(l.Config, []byte("cfg_dir=objects\n"+nagiosMainCfg), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "objects", "00-lab.cfg"), []byte(NagiosLabObjects), 0o600))
	for i, o := range objects {
		name := fmt.Sprintf("%02d-test.cfg", i+1)
		must(t, os.WriteFile(filepath.Join(dir, "objects", name), []byte(o), 0o600))
	}
	return l
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("lab: %v", err)
	}
}

// Verification is the outcome of a validator run.
type Verification struct {
	RC     int
	Output string // stdout and stderr
	// Problems: every output line that is an error or a warning
	// (nagios4: lines starting "Error:" or "Warning:", or a non-zero
	// "Total Warnings/Errors"; icinga2: "warning/", "critical/" or
	// "Error:" lines).
	Problems []string
}

// Clean reports a zero exit code and no problem line.
func (v Verification) Clean() bool { return v.RC == 0 && len(v.Problems) == 0 }

func (v Verification) String() string {
	return fmt.Sprintf("rc %d, problems %q\n%s", v.RC, v.Problems, v.Output)
}

// Verify runs nagios4 -v on the lab's nagios.cfg.
func (l *NagiosLab) Verify(t testing.TB) Verification {
	t.Helper()
	return VerifyNagios(t, l.Config)
}

var nagiosTotals = regexp.MustCompile(`^Total (Warnings|Errors):\s+(\d+)`)

// VerifyNagios runs nagios4 -v on a main configuration file. A test should
// require Clean(): a duplicate service, for one, prints a Warning: line
// while the run still ends with "Total Warnings: 0" and rc 0.
func VerifyNagios(t testing.TB, mainCfg string) Verification {
	t.Helper()
	bin := RequireBinary(t, Nagios4Bin, "nagios4-core")
	out, rc := runTool(t, 30*time.Second, bin, "-v", mainCfg)
	v := Verification{RC: rc, Output: out}
	for _, line := range strings.Split(out, "\n") {
		s := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(s, "Error") || strings.HasPrefix(s, "Warning"):
			v.Problems = append(v.Problems, s)
		case nagiosTotals.MatchString(s):
			if m := nagiosTotals.FindStringSubmatch(s); m[2] != "0" {
				v.Problems = append(v.Problems, s)
			}
		}
	}
	return v
}

// StockNagiosConfig writes into dir a copy of Debian's stock
// /etc/nagios4/nagios.cfg that reads the stock object files unchanged and
// the given object files too (cfg_file=), but keeps root privileges and
// writes nothing outside dir (LAB.md §0). It returns the copy's path.
func StockNagiosConfig(t testing.TB, dir string, objectFiles ...string) string {
	t.Helper()
	const stock = "/etc/nagios4/nagios.cfg"
	src, err := os.ReadFile(stock)
	if err != nil {
		if InCI() {
			t.Fatalf("lab: read the stock Nagios configuration: %v", err)
		}
		t.Skipf("lab: no stock Nagios configuration: %v", err)
	}
	redirect := map[string]string{
		"log_file": "nagios.log", "object_cache_file": "objects.cache",
		"precached_object_file": "objects.precache", "status_file": "status.dat",
		"state_retention_file": "retention.dat", "command_file": "nagios.cmd",
		"lock_file": "nagios.lock", "temp_file": "nagios.tmp", "temp_path": ".",
		"check_result_path": "checkresults", "log_archive_path": ".",
		"debug_file": "nagios.debug", "query_socket": "nagios.qh",
		"nagios_user": "root", "nagios_group": "root", "use_syslog": "0",
		"check_for_updates": "0",
	}
	var b strings.Builder
	seen := map[string]bool{}
	for _, line := range strings.Split(string(src), "\n") {
		if k, _, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(strings.TrimSpace(line), "#") {
			k = strings.TrimSpace(k)
			if v, ok := redirect[k]; ok {
				seen[k] = true
				line = k + "=" + v
			}
		}
		b.WriteString(line + "\n")
	}
	for k, v := range redirect {
		if !seen[k] {
			b.WriteString(k + "=" + v + "\n")
		}
	}
	for _, f := range objectFiles {
		abs, err := filepath.Abs(f)
		must(t, err)
		b.WriteString("cfg_file=" + abs + "\n")
	}
	if err := os.MkdirAll(filepath.Join(dir, "checkresults"), 0o700); err != nil {
		t.Fatalf("lab: %v", err)
	}
	p := filepath.Join(dir, "nagios.cfg")
	must(t, os.WriteFile(p, []byte(b.String()), 0o600))
	return p
}

// Start validates the lab (failing the test unless Clean), starts nagios4
// and waits until its command FIFO has a reader, then starts nsca on a free
// port of 127.0.0.1 with command_file pointing at the FIFO and waits until
// the port accepts. Both stop at the end of the test.
func (l *NagiosLab) Start(t testing.TB) {
	t.Helper()
	if v := l.Verify(t); !v.Clean() {
		t.Fatalf("lab: nagios4 -v is not clean: %s", v)
	}
	nagiosBin := RequireBinary(t, Nagios4Bin, "nagios4-core")
	nscaBin := RequireBinary(t, NSCABin, "nsca")

	d, err := startDaemon(nagiosBin, l.Config)
	if err != nil {
		t.Fatalf("lab: start nagios4: %v", err)
	}
	l.nagios = d
	t.Cleanup(func() { d.stop(t, "nagios4") })
	err = waitUntil(10*time.Second, d, func() bool {
		fd, err := syscall.Open(l.CommandFile, syscall.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			return false // ENOENT: not created yet; ENXIO: no reader yet
		}
		syscall.Close(fd)
		return true
	})
	if err != nil {
		t.Fatalf("lab: nagios4 never opened %s: %v\n%s", l.CommandFile, err, d.output())
	}

	l.SendNSCAConfig = filepath.Join(l.Dir, "send_nsca.cfg")
	must(t, os.WriteFile(l.SendNSCAConfig, []byte(fmt.Sprintf("password=%s\nencryption_method=%d\n", NSCAPassword, NSCAMethod)), 0o600))
	// nsca exits with rc 2 and no message (syslog only) when the port
	// was taken in between: retry with another one.
	var lastErr error
	for try := 0; try < 5; try++ {
		port := FreePort(t)
		cfg := filepath.Join(l.Dir, "nsca.cfg")
		must(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`server_address=127.0.0.1
server_port=%d
nsca_user=root
nsca_group=root
command_file=%s
alternate_dump_file=%s
aggregate_writes=0
append_to_file=0
max_packet_age=30
decryption_method=%d
password=%s
%s`, port, l.CommandFile, filepath.Join(l.Dir, "nsca.dump"), NSCAMethod, NSCAPassword, l.checkResultLine())), 0o600))
		n, err := startDaemon(nscaBin, "-f", "-c", cfg, "--single")
		if err != nil {
			t.Fatalf("lab: start nsca: %v", err)
		}
		err = waitUntil(5*time.Second, n, func() bool { return n.listens(port) && portOpen(port) })
		if err == nil {
			l.nsca = n
			l.NSCAPort = port
			t.Cleanup(func() { n.stop(t, "nsca") })
			return
		}
		n.stop(t, "nsca")
		lastErr = err
	}
	t.Fatalf("lab: nsca never listened: %v", lastErr)
}

func (l *NagiosLab) checkResultLine() string {
	if !l.NSCACheckResults {
		return ""
	}
	return "check_result_path=" + filepath.Join(l.Dir, "checkresults") + "\n"
}

// PassiveResult is one service check result for send_nsca.
type PassiveResult struct {
	Host, Service string
	Code          int
	Output        string
}

// SendNSCA sends results through the real /usr/sbin/send_nsca to the lab's
// nsca daemon, in one connection, and fails the test unless send_nsca
// exits 0. Fields must not hold tabs; records are separated by ETB (0x17),
// so outputs may hold newlines (long output).
func (l *NagiosLab) SendNSCA(t testing.TB, results ...PassiveResult) {
	t.Helper()
	if l.NSCAPort == 0 {
		t.Fatalf("lab: SendNSCA before Start")
	}
	bin := RequireBinary(t, SendNSCABin, "nsca-client")
	var in strings.Builder
	for _, r := range results {
		fmt.Fprintf(&in, "%s\t%s\t%d\t%s\x17", r.Host, r.Service, r.Code, r.Output)
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(l.NSCAPort), "-to", "10", "-c", l.SendNSCAConfig)
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("lab: send_nsca: %v\n%s", err, out)
	}
}

// ServiceStatus is one servicestatus block of status.dat.
type ServiceStatus struct {
	Host, Service string
	State         int // current_state: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN
	StateType     int // 1 HARD
	CheckType     int // 1 passive
	Output        string
	LongOutput    string
	PerfData      string
	LastCheck     int64
	// Attrs holds every key=value of the block.
	Attrs map[string]string
}

// ParseStatus reads the servicestatus blocks of a Nagios status.dat.
func ParseStatus(r io.Reader) ([]ServiceStatus, error) {
	var (
		out   []ServiceStatus
		cur   map[string]string
		inSvc bool
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "servicestatus {":
			inSvc, cur = true, map[string]string{}
		case strings.HasSuffix(line, "{"):
			inSvc = false
		case line == "}":
			if inSvc {
				atoi := func(k string) int { n, _ := strconv.Atoi(cur[k]); return n }
				lc, _ := strconv.ParseInt(cur["last_check"], 10, 64)
				out = append(out, ServiceStatus{
					Host: cur["host_name"], Service: cur["service_description"],
					State: atoi("current_state"), StateType: atoi("state_type"), CheckType: atoi("check_type"),
					Output: cur["plugin_output"], LongOutput: cur["long_plugin_output"],
					PerfData: cur["performance_data"], LastCheck: lc, Attrs: cur,
				})
			}
			inSvc = false
		case inSvc:
			if k, v, ok := strings.Cut(line, "="); ok {
				cur[k] = v
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read status.dat: %w", err)
	}
	return out, nil
}

// Services reads the lab's status.dat once.
func (l *NagiosLab) Services() ([]ServiceStatus, error) {
	f, err := os.Open(l.StatusFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseStatus(f)
}

// WaitService polls status.dat (rewritten every second) until the service
// satisfies ok, and returns its status; it fails the test after timeout
// (at least 5 s is wise), showing the last status and nagios.log.
func (l *NagiosLab) WaitService(t testing.TB, host, service string, timeout time.Duration, ok func(ServiceStatus) bool) ServiceStatus {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last *ServiceStatus
	for {
		if all, err := l.Services(); err == nil {
			for i := range all {
				if all[i].Host == host && all[i].Service == service {
					last = &all[i]
					if ok(all[i]) {
						return all[i]
					}
				}
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(l.LogFile)
			if last == nil {
				t.Fatalf("lab: service %q on host %q not in status.dat after %s\nnagios.log:\n%s", service, host, timeout, log)
			}
			t.Fatalf("lab: service %q on host %q: condition not met after %s; last status %+v\nnagios.log:\n%s", service, host, timeout, *last, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Log returns nagios.log so far.
func (l *NagiosLab) Log() string {
	b, _ := os.ReadFile(l.LogFile)
	return string(b)
}

// Notifications returns the lines the lab contact's notification command
// wrote: "STATE<TAB>host<TAB>service<TAB>output". Only whole lines count:
// the command may be writing the file while it is read.
func (l *NagiosLab) Notifications() []string {
	b, err := os.ReadFile(filepath.Join(l.Dir, "notifications.log"))
	if err != nil {
		return nil
	}
	var lines []string
	for {
		line, rest, ok := strings.Cut(string(b), "\n")
		if !ok {
			return lines
		}
		if line != "" {
			lines = append(lines, line)
		}
		b = []byte(rest)
	}
}

// VerifyIcinga2 validates Icinga 2 object files with icinga2 daemon -C
// -x warning, every path inside a fresh directory (LAB.md §3). With stock
// false the main file is just `include <itl>` plus the files; with stock
// true it is a copy of the whole stock /etc/icinga2 (which defines the 24x7
// TimePeriod, the icingaadmins UserGroup and the mail-service-notification
// command) with the files added to its conf.d.
func VerifyIcinga2(t testing.TB, stock bool, objects ...string) Verification {
	t.Helper()
	bin := RequireBinary(t, Icinga2Bin, "icinga2-bin")
	dir := ShortTempDir(t)
	etc := filepath.Join(dir, "etc")
	for _, d := range []string{"var/lib", "var/log", "var/cache", "var/spool", "var/run"} {
		must(t, os.MkdirAll(filepath.Join(dir, d), 0o700))
	}
	var cfg, objDir string
	if stock {
		const stockDir = "/etc/icinga2"
		if _, err := os.Stat(filepath.Join(stockDir, "icinga2.conf")); err != nil {
			if InCI() {
				t.Fatalf("lab: read the stock Icinga 2 configuration: %v", err)
			}
			t.Skipf("lab: no stock Icinga 2 configuration: %v", err)
		}
		must(t, copyTree(stockDir, etc))
		must(t, os.MkdirAll(filepath.Join(etc, "zones.d"), 0o700))
		cfg, objDir = filepath.Join(etc, "icinga2.conf"), filepath.Join(etc, "conf.d")
	} else {
		objDir = filepath.Join(dir, "conf.d")
		for _, d := range []string{"etc/zones.d", "conf.d"} {
			must(t, os.MkdirAll(filepath.Join(dir, d), 0o700))
		}
		cfg = filepath.Join(etc, "validate.conf")
		must(t, os.WriteFile(cfg, []byte(fmt.Sprintf("include <itl>\ninclude_recursive %q\n", objDir)), 0o600))
	}
	for i, o := range objects {
		must(t, os.WriteFile(filepath.Join(objDir, fmt.Sprintf("zz-test-%02d.conf", i+1)), []byte(o), 0o600))
	}
	args := append([]string{"daemon", "-C", "-x", "warning", "-c", cfg, "-DNodeName=lab.test"}, icingaDefines(dir)...)
	out, rc := runTool(t, 60*time.Second, bin, args...)
	v := Verification{RC: rc, Output: out}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "warning/") || strings.Contains(line, "critical/") || strings.Contains(line, "Error:") {
			v.Problems = append(v.Problems, strings.TrimSpace(line))
		}
	}
	return v
}

// copyTree copies the regular files under src (following symbolic links,
// as features-enabled holds links) into dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		if fi.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o600)
	})
}

// icingaDefines points every path of icinga2 into dir and keeps root
// (LAB.md §0, §3; ZonesDir too, as it derives from the built-in ConfigDir).
func icingaDefines(dir string) []string {
	return []string{
		"-DRunAsUser=root", "-DRunAsGroup=root",
		"-DConfigDir=" + filepath.Join(dir, "etc"),
		"-DZonesDir=" + filepath.Join(dir, "etc/zones.d"),
		"-DDataDir=" + filepath.Join(dir, "var/lib"),
		"-DLogDir=" + filepath.Join(dir, "var/log"),
		"-DCacheDir=" + filepath.Join(dir, "var/cache"),
		"-DSpoolDir=" + filepath.Join(dir, "var/spool"),
		"-DInitRunDir=" + filepath.Join(dir, "var/run"),
	}
}

// runTool runs a validator to completion and returns its combined output
// and exit code; it fails the test when the tool cannot run at all.
func runTool(t testing.TB, timeout time.Duration, bin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = cleanEnv()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("lab: run %s: %v", bin, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("lab: run %s: %v", bin, err)
		}
		return out.String(), cmd.ProcessState.ExitCode()
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("lab: %s %q did not finish within %s\n%s", bin, args, timeout, out.String())
		return "", -1
	}
}

// cleanEnv drops NOTIFY_SOCKET (icinga2 would talk to systemd).
func cleanEnv() []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "NOTIFY_SOCKET=") {
			env = append(env, e)
		}
	}
	return env
}

// daemon is a peer started as a child of the test, so that its exit is
// seen at once (no zombie left to a slow PID 1).
type daemon struct {
	cmd  *exec.Cmd
	out  lockedBuffer
	done chan struct{}
	err  error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startDaemon(bin string, args ...string) (*daemon, error) {
	d := &daemon{cmd: exec.Command(bin, args...), done: make(chan struct{})}
	d.cmd.Env = cleanEnv()
	d.cmd.Stdout, d.cmd.Stderr = &d.out, &d.out
	if err := d.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { d.err = d.cmd.Wait(); close(d.done) }()
	return d, nil
}

func (d *daemon) output() string { return d.out.String() }

func (d *daemon) exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM (nagios4 stops its workers itself), waits, and kills
// after 10 s.
func (d *daemon) stop(t testing.TB, name string) {
	if d.exited() {
		return
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
		t.Errorf("lab: %s ignored SIGTERM for 10 s; killing it", name)
		_ = d.cmd.Process.Kill()
		<-d.done
	}
}

// waitUntil polls ready every 5 ms until it holds, the daemon exits, or
// the timeout passes.
func waitUntil(timeout time.Duration, d *daemon, ready func() bool) error {
	deadline := time.Now().Add(timeout)
	for {
		if ready() {
			return nil
		}
		if d.exited() {
			return fmt.Errorf("exited early (%v): %s", d.err, d.output())
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %s", timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// listens reports whether the daemon itself holds a socket listening on
// the TCP port: another test's daemon may have taken a port that FreePort
// gave out, and connecting would then reach that one while this one has
// exited on "address in use".
func (d *daemon) listens(port int) bool {
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 || f[3] != "0A" { // 0A: LISTEN
				continue
			}
			_, hexPort, ok := strings.Cut(f[1], ":")
			if p, err := strconv.ParseUint(hexPort, 16, 16); ok && err == nil && int(p) == port {
				inodes["socket:["+f[9]+"]"] = true
			}
		}
	}
	if len(inodes) == 0 || d.cmd.Process == nil {
		return false
	}
	fdDir := fmt.Sprintf("/proc/%d/fd", d.cmd.Process.Pid)
	fds, err := os.ReadDir(fdDir)
	if err != nil {
		return false
	}
	for _, fd := range fds {
		if link, err := os.Readlink(filepath.Join(fdDir, fd.Name())); err == nil && inodes[link] {
			return true
		}
	}
	return false
}

func portOpen(port int) bool {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
