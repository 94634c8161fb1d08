package config

import "strings"

// Wazuh 5 gives rule levels as keywords and rule ids as UUIDs. The INI
// expresses both in the keys it has: "[states] warning = 7 | medium",
// "[service] rules = 5710-5712, <uuid>", "levels = 10-16, high". The
// numeric bands are the migration guide's (1-3 informational, 4-6 low,
// 7-9 medium, 10-13 high, 14-16 critical), the same as bridge/alert's.

var severities = []string{"informational", "low", "medium", "high", "critical"}

var severityBands = [...]Range{{1, 3}, {4, 6}, {7, 9}, {10, 13}, {14, 16}}

// severityRank is the rank (1-5) of keyword k, or, for "", of the band
// holding level.
func severityRank(k string, level int) int {
	for i, s := range severities {
		if s == k {
			return i + 1
		}
	}
	for i, b := range severityBands {
		if level <= b.Max {
			return i + 1
		}
	}
	return len(severities)
}

func severityIndex(k string) int {
	for i, s := range severities {
		if strings.EqualFold(s, k) {
			return i
		}
	}
	return -1
}

// levelKey takes "N" or "N | keyword": a rule level 0-16 and, for Wazuh
// 5, a level keyword.
func levelKey(level *int, severity *string) keyFunc {
	return func(v string) error {
		num, kw, has := strings.Cut(v, "|")
		num, kw = strings.TrimSpace(num), strings.TrimSpace(kw)
		if err := intKey(level, 0, 16)(num); err != nil {
			return err
		}
		if !has {
			*severity = ""
			return nil
		}
		i := severityIndex(kw)
		if i < 0 {
			return invalidf("%q after | is not a Wazuh 5 level (%s)", kw, strings.Join(severities, ", "))
		}
		*severity = severities[i]
		return nil
	}
}

// isUUID reports whether s is a UUID in its 8-4-4-4-12 hex form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// ruleIDsKey takes rule ids and ranges ("550-554, 594") and Wazuh 5 rule
// ids (UUIDs) in one list.
func ruleIDsKey(ranges *[]Range, uids *[]string) keyFunc {
	return func(v string) error {
		items, err := splitList(v)
		if err != nil {
			return err
		}
		var nums []string
		var us []string
		for _, it := range items {
			if isUUID(it) {
				us = append(us, strings.ToLower(it))
				continue
			}
			if strings.Count(it, "-") > 1 {
				return invalidf("%q is neither a rule id, a range nor a Wazuh 5 rule UUID", it)
			}
			nums = append(nums, it)
		}
		var rs []Range
		if len(nums) > 0 {
			if rs, err = ParseRanges(strings.Join(nums, ","), 1, maxRuleID); err != nil {
				return err
			}
		}
		*ranges, *uids = rs, us
		return nil
	}
}

// levelsKey takes rule levels and ranges, and Wazuh 5 level keywords,
// each standing for its band: "10-16" or "high, critical".
func levelsKey(dst *[]Range) keyFunc {
	return func(v string) error {
		items, err := splitList(v)
		if err != nil {
			return err
		}
		var nums []string
		var rs []Range
		for _, it := range items {
			if i := severityIndex(it); i >= 0 {
				rs = append(rs, severityBands[i])
				continue
			}
			nums = append(nums, it)
		}
		if len(nums) > 0 {
			more, err := ParseRanges(strings.Join(nums, ","), 0, 16)
			if err != nil {
				return err
			}
			rs = append(more, rs...)
		}
		*dst = rs
		return nil
	}
}
