// Package health is the bridge's self-check: it gathers what the spool,
// follow mode's status file and the delivery stamp say about the bridge
// (Gather), judges those facts against thresholds (Evaluate) and writes
// the verdict as one Nagios plugin result (Report.String): a state, one
// line of text, performance data, and optional long text.
//
// It owns the delivery stamp, the file "last-delivery" in the spool
// directory whose modification time is the last time a delivery was
// proven (Stamp: NSCA results confirmed, Icinga results answered), the
// failure record "last-failure" written when results were dropped after
// the transport accepted them (RecordFailure; CRITICAL until a later
// delivery), the name of flush's heartbeat stamp, and the rule that
// places follow mode's status file next to its cursor (StatusPath). It reads the spool through spool.Stats
// and the status through follow.ReadStatus, and never writes either. It
// knows no transport and no configuration file: cmd/ossec-nagios passes
// the paths and parses the flags.
package health

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge/follow"
	"github.com/ossec-nagios/ossec-nagios/bridge/spool"
	"github.com/ossec-nagios/ossec-nagios/internal/safefile"
)

// StampName is the name of the delivery stamp inside the spool directory.
// The spool ignores it: its results are the files ending in ".res".
const StampName = "last-delivery"

// FailureName is the failure record inside the spool directory: written
// when a transport dropped results it had accepted (NSCA: the daemon
// closed the connection after a packet, so the password, encryption
// method or packet size is wrong), removed by the next confirmed
// delivery. While it is newer than the delivery stamp, `check` is
// CRITICAL.
const FailureName = "last-failure"

// HeartbeatName is the stamp of the last heartbeat flush sent, inside the
// spool directory.
const HeartbeatName = "last-heartbeat"

// StatusSuffix makes the name of follow mode's status file from the name
// of its cursor ([follow] state_file): follow.cursor.status.
const StatusSuffix = ".status"

// StampPath returns the delivery stamp of a spool directory.
func StampPath(spoolDir string) string { return filepath.Join(spoolDir, StampName) }

// StatusPath returns the status file that follow mode keeps beside its
// cursor file.
func StatusPath(cursorFile string) string { return cursorFile + StatusSuffix }

// Stamp records successful deliveries in a file's modification time, so
// that every process that delivers (active responses, flush, follow) can
// update it at once without a lock, and the check can read it with no
// more right than to list the directory. It touches the file at most once
// per second. The zero value with Path set is ready to use; its methods
// are safe for concurrent use.
type Stamp struct {
	Path string
	Now  func() time.Time // nil: time.Now

	mu   sync.Mutex
	last time.Time
}

// Record sets the stamp to now by replacing the file (mode 0660; a
// symbolic link in its place is replaced, never followed), and removes
// the failure record beside it: a delivery just succeeded. It needs only
// the right to write the directory, so root and members of the spool's
// group share one stamp. A failure costs only the check's accuracy:
// callers may ignore it.
func (s *Stamp) Record() error {
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// The failure record goes at every delivery, even one the stamp
	// skips: a drop recorded since the last touch is over.
	rerr := os.Remove(filepath.Join(filepath.Dir(s.Path), FailureName))
	if rerr != nil && errors.Is(rerr, fs.ErrNotExist) {
		rerr = nil
	}
	if !s.last.IsZero() && now.Sub(s.last) < time.Second && !now.Before(s.last) {
		if rerr == nil {
			return nil
		}
		return fmt.Errorf("health: record delivery: %w", rerr)
	}
	// Replaced, not touched in place: no link is followed, and a member
	// of the spool's group may renew a stamp root made.
	err := safefile.Replace(s.Path, []byte(now.UTC().Format(time.RFC3339Nano)+"\n"))
	if err == nil && s.Now != nil {
		err = os.Chtimes(s.Path, now, now) // a test's clock
	}
	if err == nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("health: record delivery: %w", err)
	}
	s.last = now
	return nil
}

// Failure is a failure record: when a delivery last failed in a way that
// needs a person, and why.
type Failure struct {
	Time   time.Time
	Reason string
}

// RecordFailure writes the failure record of a spool directory (mode
// 0660): results were dropped after the transport accepted them. Reason
// is one line naming the likely cause.
func RecordFailure(spoolDir string, now time.Time, reason string) error {
	line := now.UTC().Format(time.RFC3339Nano) + " " + clean(reason) + "\n"
	if err := safefile.WriteFile(filepath.Join(spoolDir, FailureName), []byte(line)); err != nil {
		return fmt.Errorf("health: record failure: %w", err)
	}
	return nil
}

// ReadFailure returns the failure record of a spool directory; nil, with
// no error, when there is none.
func ReadFailure(spoolDir string) (*Failure, error) {
	b, err := safefile.ReadFile(filepath.Join(spoolDir, FailureName), 4096)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("health: read failure record: %w", err)
	}
	ts, reason, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return nil, fmt.Errorf("health: read failure record: bad time %q", clean(ts))
	}
	return &Failure{Time: t, Reason: reason}, nil
}

// ReadStamp returns the time recorded in a delivery stamp; zero, with no
// error, when there is none yet.
func ReadStamp(path string) (time.Time, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("health: read stamp: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return time.Time{}, fmt.Errorf("health: read stamp %s: %w", path, safefile.ErrNotRegular)
	}
	return fi.ModTime(), nil
}

// Sources name what Gather reads.
type Sources struct {
	SpoolDir   string // the spool directory ([spool] dir)
	StatusFile string // follow mode's status file (StatusPath of [follow] state_file)
	// FollowIgnored, when StatusFile is empty, names the status file that
	// is not judged because follow mode is not configured to run: Gather
	// only reports that it exists.
	FollowIgnored string
	Now           func() time.Time
}

// Facts is what Gather found; Evaluate judges it. A test builds one by
// hand.
type Facts struct {
	Now time.Time

	SpoolDir string
	Spool    spool.Stats // zero when the directory does not exist yet
	SpoolErr error       // the spool could not be listed

	StatusFile string
	// Follow is follow mode's status; nil when the status file does not
	// exist (follow mode not in use) or could not be read (FollowErr).
	Follow    *follow.Status
	FollowErr error
	// FileSize is the size now of the file follow mode reads
	// (Follow.Path), or -1 when unknown: the alerts written since the
	// status was saved count as lag too.
	FileSize int64

	// Stamp is the delivery stamp's time (zero: none).
	Stamp    time.Time
	StampErr error

	// Failure is the failure record (nil: none).
	Failure    *Failure
	FailureErr error

	// FollowIgnored is a status file that exists although follow mode is
	// not configured to run (Sources.FollowIgnored).
	FollowIgnored string
}

// LastDelivery is the newer of the delivery stamp and follow mode's own
// record; zero when neither has one.
func (f Facts) LastDelivery() time.Time {
	t := f.Stamp
	if f.Follow != nil && f.Follow.LastDelivery.After(t) {
		t = f.Follow.LastDelivery
	}
	return t
}

// Gather reads the spool, the status file and the delivery stamp. A spool
// directory that does not exist is an empty spool (Gather does not create
// it), and a status file that does not exist means follow mode is not in
// use. What cannot be read is recorded in the Facts, never returned.
func Gather(src Sources) Facts {
	now := time.Now
	if src.Now != nil {
		now = src.Now
	}
	f := Facts{Now: now(), SpoolDir: src.SpoolDir, StatusFile: src.StatusFile, FileSize: -1}

	switch _, err := os.Stat(src.SpoolDir); {
	case errors.Is(err, fs.ErrNotExist):
		// Nothing was ever spooled: an empty spool.
	case err != nil:
		f.SpoolErr = err
	default:
		// Open creates only what is missing (the quarantine directory of
		// a spool made by hand), so on a spool that exists it needs no
		// more than the right to list it.
		sp, err := spool.Open(src.SpoolDir, spool.Options{})
		if err == nil {
			f.Spool, err = sp.Stats()
		}
		f.SpoolErr = err
		f.Stamp, f.StampErr = ReadStamp(StampPath(src.SpoolDir))
		f.Failure, f.FailureErr = ReadFailure(src.SpoolDir)
	}
	if src.StatusFile == "" && src.FollowIgnored != "" {
		if _, err := os.Lstat(src.FollowIgnored); err == nil {
			f.FollowIgnored = src.FollowIgnored
		}
	}

	if src.StatusFile != "" {
		st, err := follow.ReadStatus(src.StatusFile)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			f.FollowErr = err
		default:
			f.Follow = &st
			if fi, err := os.Stat(st.Path); err == nil {
				f.FileSize = fi.Size()
			}
		}
	}
	return f
}
