package follow

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ossec-nagios/ossec-nagios/internal/safefile"
)

// StatusVersion is the version of the status file format written here.
const StatusVersion = 1

// Status is what follow mode tells the self-check (bridge/health) about
// itself, in a small JSON file rewritten atomically (not fsynced: a lost
// update only makes the status look older).
type Status struct {
	Version int `json:"version"`
	PID     int `json:"pid"`
	// Updated is when the file was last written: follow rewrites it at
	// least every StatusInterval while it runs, so an old Updated means a
	// dead or stuck follow process.
	Updated time.Time `json:"updated"`
	// LastDelivery is the last time a result was accepted by the Sender
	// (zero: none since this process started and none recorded before).
	LastDelivery time.Time `json:"last_delivery,omitzero"`
	// LastError is the last delivery or read error, empty after a success.
	LastError string `json:"last_error,omitempty"`
	Path      string `json:"path"`   // the file being read
	Offset    int64  `json:"offset"` // the cursor in it
	Size      int64  `json:"size"`   // its size when the status was written
	// Lag is the bytes not yet delivered: Size-Offset, plus the size of
	// the new file while a rotated one is being finished.
	Lag       int64 `json:"lag"`
	Alerts    int64 `json:"alerts"`    // alerts read since start
	Delivered int64 `json:"delivered"` // results sent since start
	Spooled   int64 `json:"spooled"`   // results put in the queue since start
}

// maxStatusBytes bounds what ReadStatus reads.
const maxStatusBytes = 64 << 10

// ReadStatus reads a status file written by follow mode. A missing file
// returns an error wrapping os.ErrNotExist (follow mode not in use).
func ReadStatus(path string) (Status, error) {
	b, err := safefile.ReadFile(path, maxStatusBytes+1)
	if err != nil {
		return Status{}, fmt.Errorf("follow: read status: %w", err)
	}
	return decodeStatus(b, path)
}

func decodeStatus(b []byte, path string) (Status, error) {
	if len(b) > maxStatusBytes {
		return Status{}, fmt.Errorf("follow: status %s: more than %d bytes", path, maxStatusBytes)
	}
	var s Status
	if err := json.Unmarshal(b, &s); err != nil {
		return Status{}, fmt.Errorf("follow: status %s: %w", path, err)
	}
	if s.Version != StatusVersion {
		return Status{}, fmt.Errorf("follow: status %s: version %d, want %d", path, s.Version, StatusVersion)
	}
	if s.Updated.IsZero() {
		return Status{}, errors.New("follow: status " + path + ": no update time")
	}
	return s, nil
}

// WriteStatus replaces the status file at path atomically, mode 0660 (it
// holds no secret; the self-check may run as another user of the group),
// never through a symbolic link.
func WriteStatus(path string, s Status) error {
	s.Version = StatusVersion
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("follow: encode status: %w", err)
	}
	b = append(b, '\n')
	if err := safefile.Replace(path, b); err != nil {
		return fmt.Errorf("follow: write status: %w", err)
	}
	return nil
}
