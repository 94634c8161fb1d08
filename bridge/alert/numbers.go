package alert

import "strconv"

// MaxLevel is the highest rule level there is (Wazuh 0-16, OSSEC 0-15).
const MaxLevel = 16

// maxRuleID bounds a rule id (OSSEC and Wazuh ids have at most 6 digits).
const maxRuleID = 1 << 31

// A number out of range never loses an alert (the alert text may be forged
// or corrupt, and a result with what is known beats none): every parser
// reads rule levels and ids with these two.

// ruleLevel reads a rule level given as any decimal number, an integer, a
// fraction or an exponent, of any size or sign: below 0 it is 0, above
// MaxLevel it is MaxLevel, a fraction is cut. ok is false only when s is
// not a decimal number.
func ruleLevel(s string) (level int, ok bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return int(min(max(n, 0), MaxLevel)), true
	}
	if !isDecimal(s) {
		return 0, false
	}
	f, _ := strconv.ParseFloat(s, 64) // ±Inf beyond float64's range
	switch {
	case f <= 0:
		return 0, true
	case f >= MaxLevel:
		return MaxLevel, true
	}
	return int(f), true
}

// ruleID reads a rule id. A decimal number that is no rule id (negative,
// a fraction, larger than maxRuleID) gives 0, "unknown", rather than a
// made-up id that could match another rule's [service]. ok is false only
// when s is not a decimal number.
func ruleID(s string) (id int, ok bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 && n <= maxRuleID {
		return int(n), true
	}
	return 0, isDecimal(s)
}

// isDecimal reports whether s is a decimal number: an optional sign,
// digits with an optional fraction, and an optional exponent ("5", "-5",
// "10.0", "1e308", "+.5").
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}
