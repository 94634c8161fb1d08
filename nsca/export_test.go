package nsca

import "time"

// SetShortLimits sets the average handshake and the round time that end
// short rounds (Config.Short) for a test, so that its outcome does not
// depend on the machine's speed; the returned func restores them.
func SetShortLimits(slow, max time.Duration) (restore func()) {
	s, m := shortSlowHandshake, shortMaxRound
	shortSlowHandshake, shortMaxRound = slow, max
	return func() { shortSlowHandshake, shortMaxRound = s, m }
}

// SetShortPerMinute sets the bound on short rounds per minute for a test.
func SetShortPerMinute(n int) (restore func()) {
	old := shortPerMinute
	shortPerMinute = n
	return func() { shortPerMinute = old }
}

// SetShortRetry sets the first and the longest time short rounds stay off
// after giving way, for a test.
func SetShortRetry(first, longest time.Duration) (restore func()) {
	f, l := shortRetryMin, shortRetryMax
	shortRetryMin, shortRetryMax = first, longest
	return func() { shortRetryMin, shortRetryMax = f, l }
}
