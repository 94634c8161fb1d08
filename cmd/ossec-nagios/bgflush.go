package main

// The detached background flusher. An active response must end within its
// budget ([ar] deadline), so what it could not send waits in the spool; it
// then starts "ossec-nagios flush -background", which delivers the spool
// with backoff and exits once it is empty.
//
// One flusher per spool: it holds an exclusive flock(2) on
// <spool>/flusher.lock (with its pid in it) for as long as it runs. An
// active response that spooled looks at that lock after its Put: held, it
// starts nothing; free, it starts a flusher. A flusher that found the spool
// empty lets go of the lock and then looks at the spool once more, so a
// result spooled while it was finishing (whose active response saw the lock
// held) is never stranded.
//
// execd reads the active response's stdout until a line or EOF and waits
// for it to exit: the flusher must hold none of its pipes. It is our own
// binary (os.Executable, no shell) in a session of its own, stdin, stdout
// and stderr on /dev/null and no other descriptor inherited.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ossec-nagios/ossec-nagios/internal/safefile"
)

const (
	flusherLockName = "flusher.lock"
	// The flusher retries a failed pass after flusherMinBackoff, doubling
	// up to flusherMaxBackoff; a pass that delivered something resets it.
	flusherMinBackoff = time.Second
	flusherMaxBackoff = 30 * time.Second
)

// flusherNextDue says when results held back on purpose are next due
// (flood control's open windows: app.floodNext), zero when there are none.
// The flusher stays alive until then, and an active response starts one
// when it is non-zero, so a held burst's summary is sent without cron.
var flusherNextDue = func(a *app) time.Time { return a.floodNext(context.Background()) }

// flusherReleased, if set, runs right after the flusher let go of its lock
// on its way out (tests: a result spooled at that very moment).
var flusherReleased func()

func flusherLockPath(a *app) string { return filepath.Join(a.cfg.Spool.Dir, flusherLockName) }

// tryFlusherLock takes the flusher lock without waiting. ok is false when
// another process holds it.
func tryFlusherLock(path string) (f *os.File, ok bool, err error) {
	f, ok, err = safefile.TryLock(path)
	if err != nil {
		return nil, false, fmt.Errorf("flusher lock: %w", err)
	}
	return f, ok, nil
}

// flusherPid reads the pid a running flusher wrote into its lock file
// (0 if unknown).
func flusherPid(path string) int {
	b, err := safefile.ReadFile(path, 64)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// kickFlusher makes sure a background flusher runs for the spool and says
// what it did, for the active response's log line.
func (a *app) kickFlusher(e *env) string {
	path := flusherLockPath(a)
	f, free, err := tryFlusherLock(path)
	if err != nil {
		return "not started: " + joinErr(err) + "; run ossec-nagios flush from cron"
	}
	if !free {
		if pid := flusherPid(path); pid > 0 {
			return fmt.Sprintf("already running (pid %d)", pid)
		}
		return "already running"
	}
	f.Close()
	pid, err := startFlusher(e, a)
	if err != nil {
		return "not started: " + joinErr(err) + "; run ossec-nagios flush from cron"
	}
	return fmt.Sprintf("started (pid %d)", pid)
}

// startFlusher starts "ossec-nagios flush -background -config <INI>" from
// our own executable, detached: a new session, /dev/null for stdin,
// stdout and stderr, no other descriptor, working directory /.
func startFlusher(e *env, a *app) (int, error) {
	exe, err := e.executable()
	if err != nil {
		return 0, fmt.Errorf("start flusher: own executable: %w", err)
	}
	cfg, err := filepath.Abs(a.file)
	if err != nil {
		return 0, fmt.Errorf("start flusher: %w", err)
	}
	closeInheritedOnExec()
	cmd := &exec.Cmd{
		Path:        exe,
		Args:        []string{"ossec-nagios", "flush", "-background", "-config", cfg},
		Dir:         "/",
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
		// Stdin, Stdout, Stderr nil: /dev/null.
	}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start flusher: %w", err)
	}
	pid := cmd.Process.Pid
	go cmd.Wait() // reap it should this process outlive it
	return pid, nil
}

// closeInheritedOnExec marks every descriptor above stderr close-on-exec:
// the ones Go opens are already, but execd (or whatever started us) may
// have left others open, and a flusher holding one of execd's pipes would
// keep execd waiting.
func closeInheritedOnExec() {
	if entries, err := os.ReadDir("/proc/self/fd"); err == nil {
		for _, ent := range entries {
			if fd, err := strconv.Atoi(ent.Name()); err == nil && fd > 2 {
				syscall.CloseOnExec(fd)
			}
		}
		return
	}
	for fd := 3; fd < 1024; fd++ {
		syscall.CloseOnExec(fd)
	}
}

// runBackgroundFlush is "flush -background": the flusher an active
// response starts. It runs one flush pass (runFlush) after another, with
// backoff while they fail, and exits when the spool is empty and nothing
// else is due, or at SIGTERM/SIGINT (what is spooled stays spooled).
func runBackgroundFlush(ctx context.Context, e *env, cfgFlag string) int {
	a, _, err := e.loadApp(cfgFlag)
	if err != nil {
		return e.report(err)
	}
	log, closer := a.logger(e.stderr)
	defer closer.Close()
	entry := log.WithField("mode", "flusher")
	sp, err := a.spool(entry)
	if err != nil {
		entry.Error(joinErr(err))
		return exitFailure
	}
	depth := func() (int, error) {
		st, err := sp.Stats()
		return st.Depth, err
	}
	path := flusherLockPath(a)
	lock, ok, err := tryFlusherLock(path)
	if err != nil {
		entry.Error(joinErr(err))
		return exitFailure
	}
	if !ok {
		return exitOK // another flusher runs
	}
	defer func() { lock.Close() }()
	writePid := func() {
		_ = lock.Truncate(0)
		_, _ = lock.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	writePid()
	entry.Debug("started")
	args := []string{"-config", a.file, "-heartbeat=false"} // the heartbeat is cron's flush's
	backoff := flusherMinBackoff
	for {
		before, _ := depth()
		code := runFlush(ctx, e, args)
		if ctx.Err() != nil {
			left, _ := depth()
			entry.WithField("left", left).Info("stopped by " + context.Cause(ctx).Error())
			return exitOK
		}
		if code == exitUsage {
			entry.Error("flush cannot run (see the line above); the flusher stops")
			return code
		}
		after, err := depth()
		if err != nil {
			entry.Error(joinErr(err) + "; the flusher stops")
			return exitFailure
		}
		due := flusherNextDue(a)
		if code == exitOK && after == 0 && due.IsZero() {
			lock.Close()
			if flusherReleased != nil {
				flusherReleased()
			}
			// A result spooled while the lock was held found a flusher
			// running and started none: look once more.
			if n, err := depth(); err != nil || n == 0 {
				entry.Debug("spool empty, the flusher exits")
				return exitOK
			}
			if lock, ok, err = tryFlusherLock(path); err != nil || !ok {
				return exitOK // another flusher took over
			}
			writePid()
			continue
		}
		var wait time.Duration
		switch {
		case code == exitOK && after > 0 && after < before:
			// Results arrived during the pass.
			wait, backoff = 10*time.Millisecond, flusherMinBackoff
		case code == exitOK && after == 0:
			wait = time.Until(due) // only held work is left
		default:
			// A failed pass, or one that left as many as it found (files
			// it could neither deliver nor set aside): back off.
			if after < before {
				backoff = flusherMinBackoff // some got through
			}
			wait, backoff = backoff, min(2*backoff, flusherMaxBackoff)
		}
		if !due.IsZero() {
			wait = max(0, min(wait, time.Until(due)))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			left, _ := depth()
			entry.WithField("left", left).Info("stopped by " + context.Cause(ctx).Error())
			return exitOK
		case <-t.C:
		}
	}
}

// flushTimeout bounds one flush pass. It no longer derives from the active
// response's budget alone: a pass may deliver a long spool.
func flushTimeout(a *app) time.Duration { return max(10*a.cfg.AR.Deadline, 100*time.Second) }
