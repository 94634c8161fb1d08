package alert

import "strings"

// Wazuh 5 gives a rule's level as a keyword. The 4.x-to-5.x migration
// guide maps the numeric levels onto them in bands: 1-3 informational,
// 4-6 low, 7-9 medium, 10-13 high, 14-16 critical. The bridge uses the
// same bands both ways, so that one INI serves 4.x and 5.x agents alike.

// Severities are the Wazuh 5 level keywords, lowest first.
var Severities = []string{"informational", "low", "medium", "high", "critical"}

var severityBands = [...]struct{ lo, hi int }{{1, 3}, {4, 6}, {7, 9}, {10, 13}, {14, 16}}

// SeverityRank is 1 (informational) to 5 (critical) for a keyword in any
// case, 0 for anything else.
func SeverityRank(s string) int {
	for i, k := range Severities {
		if strings.EqualFold(s, k) {
			return i + 1
		}
	}
	return 0
}

// SeverityBand returns the numeric levels of a keyword's band; ok is false
// for an unknown keyword.
func SeverityBand(s string) (lo, hi int, ok bool) {
	r := SeverityRank(s)
	if r == 0 {
		return 0, 0, false
	}
	b := severityBands[r-1]
	return b.lo, b.hi, true
}

// SeverityForLevel returns the keyword whose band holds a numeric level
// (0 and below: informational, above 16: critical).
func SeverityForLevel(level int) string {
	for i, b := range severityBands {
		if level <= b.hi {
			return Severities[i]
		}
	}
	return Severities[len(Severities)-1]
}
