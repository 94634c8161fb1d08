package nagioscfg

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Defaults of OSSEC.
const (
	DefaultOSSECCommand    = "ossec-nagios"
	DefaultOSSECExecutable = "ossec-nagios"
	DefaultIntegrationName = "custom-nagios"
)

// OSSEC is the input of OSSECConf: which alerts make OSSEC/Wazuh run the
// bridge.
type OSSEC struct {
	// Command is the <command><name>; Executable the file name in
	// <OSSEC>/active-response/bin. Empty: "ossec-nagios".
	Command    string
	Executable string
	// Level: alerts of this rule level or above (1-16); 0: none by level.
	Level int
	// RuleIDs: alerts of these rules, whatever their level (rule ranges
	// already expanded by the caller).
	RuleIDs []int
	// Recovery: when > 0, the active response has this timeout and
	// execd runs the bridge again with "delete" when it expires (the
	// command then needs timeout_allowed yes). Whole seconds.
	Recovery time.Duration
	// Integration selects the Wazuh integratord <integration> block as the
	// active way in; the command and active-response blocks are then
	// written as a commented-out alternative, and the other way round.
	// Never enable both: every alert would be sent twice.
	Integration bool
	// IntegrationName: must start with "custom-"; empty: "custom-nagios".
	IntegrationName string
	// IntegrationLevel: the <integration><level>; 0: Level. integratord
	// requires every filter given to match, so the block carries the
	// level when there is one, else the rule ids.
	IntegrationLevel int
}

func (o OSSEC) withDefaults() OSSEC {
	if o.Command == "" {
		o.Command = DefaultOSSECCommand
	}
	if o.Executable == "" {
		o.Executable = DefaultOSSECExecutable
	}
	if o.IntegrationName == "" {
		o.IntegrationName = DefaultIntegrationName
	}
	if o.IntegrationLevel == 0 {
		o.IntegrationLevel = o.Level
	}
	return o
}

// ossecName allows what OSSEC takes as a command or file name.
func ossecName(what, s string) error {
	if s == "" || len(s) > 128 {
		return fmt.Errorf("nagioscfg: %s %q: %w: 1 to 128 bytes", what, s, ErrInvalidSetting)
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '_' || b == '-') {
			return fmt.Errorf("nagioscfg: %s %q: %w: holds %q (allowed: letters, digits, . _ -)", what, s, ErrInvalidSetting, rune(b))
		}
	}
	// The alternative way in is written inside an XML comment, which
	// must not hold "--".
	if strings.Contains(s, "--") {
		return fmt.Errorf("nagioscfg: %s %q: %w: holds \"--\"", what, s, ErrInvalidSetting)
	}
	return nil
}

func (o OSSEC) validate() error {
	if err := ossecName("command name", o.Command); err != nil {
		return err
	}
	if err := ossecName("executable", o.Executable); err != nil {
		return err
	}
	if err := ossecName("integration name", o.IntegrationName); err != nil {
		return err
	}
	if !strings.HasPrefix(o.IntegrationName, "custom-") {
		return fmt.Errorf("nagioscfg: integration name %q: %w: integratord runs only names starting with custom-", o.IntegrationName, ErrInvalidSetting)
	}
	if o.Level < 0 || o.Level > 16 {
		return fmt.Errorf("nagioscfg: level %d: %w: want 0 to 16", o.Level, ErrInvalidSetting)
	}
	if o.IntegrationLevel < 0 || o.IntegrationLevel > 16 {
		return fmt.Errorf("nagioscfg: integration level %d: %w: want 0 to 16", o.IntegrationLevel, ErrInvalidSetting)
	}
	for _, id := range o.RuleIDs {
		if id <= 0 {
			return fmt.Errorf("nagioscfg: rule id %d: %w: want a positive number", id, ErrInvalidSetting)
		}
	}
	if o.Level == 0 && len(o.RuleIDs) == 0 {
		return fmt.Errorf("nagioscfg: %w: neither a level nor rule ids: no alert would reach the bridge", ErrInvalidSetting)
	}
	if o.Recovery < 0 || o.Recovery%time.Second != 0 {
		return fmt.Errorf("nagioscfg: recovery %s: %w: want a whole number of seconds, 0 or more", o.Recovery, ErrInvalidSetting)
	}
	return nil
}

// OSSECConf returns ossec.conf blocks to paste inside <ossec_config>: the
// <command> and <active-response> running the bridge on the manager, and
// the <integration> block for Wazuh's integratord, one of the two ways
// active and the other commented out (see OSSEC.Integration).
func OSSECConf(o OSSEC) ([]byte, error) {
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	ids := make([]string, len(o.RuleIDs))
	for i, id := range o.RuleIDs {
		ids[i] = strconv.Itoa(id)
	}
	var ar, integ bytes.Buffer

	// <command> and <active-response>.
	ar.WriteString("<command>\n")
	el(&ar, "name", o.Command)
	el(&ar, "executable", o.Executable)
	ar.WriteString("  <expect></expect>\n")
	timeout := "no"
	if o.Recovery > 0 {
		timeout = "yes"
	}
	el(&ar, "timeout_allowed", timeout)
	ar.WriteString("</command>\n\n")
	ar.WriteString("<active-response>\n")
	el(&ar, "command", o.Command)
	el(&ar, "location", "server")
	if o.Level > 0 {
		el(&ar, "level", strconv.Itoa(o.Level))
	}
	if len(ids) > 0 {
		el(&ar, "rules_id", strings.Join(ids, ","))
	}
	if o.Recovery > 0 {
		el(&ar, "timeout", strconv.FormatInt(int64(o.Recovery/time.Second), 10))
	}
	ar.WriteString("</active-response>\n")

	// <integration>.
	integ.WriteString("<integration>\n")
	el(&integ, "name", o.IntegrationName)
	if o.IntegrationLevel > 0 {
		el(&integ, "level", strconv.Itoa(o.IntegrationLevel))
	} else {
		el(&integ, "rule_id", strings.Join(ids, ","))
	}
	el(&integ, "alert_format", "json")
	integ.WriteString("</integration>\n")

	var b bytes.Buffer
	b.WriteString(`<!-- Blocks for etc/ossec.conf, written by "ossec-nagios gen ossec-conf"
     from the mapping INI. Paste them inside <ossec_config> on the manager. -->

`)
	arNote := `<!-- Active response: execd runs active-response/bin/` + o.Executable + ` on the manager
     (location server: only there can it read the alerts).
     expect is empty so that OSSEC and Wazuh before 4.2 never skip an alert
     that has no srcip or user.`
	if o.Recovery > 0 {
		arNote += `
     After the timeout execd runs it again with "delete", which sends the
     recovery; hence timeout_allowed yes.`
	} else {
		arNote += `
     No timeout: the recovery is the quiet-period reset in Nagios or Icinga.`
	}
	arNote += ` -->
`
	integNote := `<!-- Wazuh 4.2 and later can instead hand alerts over through integratord:
     install the binary as integrations/` + o.IntegrationName + ` and use this block.
     integratord requires every filter given to match, and it reads alerts.json.`
	if o.IntegrationLevel > 0 && len(ids) > 0 {
		integNote += `
     Only the level is used here: rules ` + strings.Join(ids, " ") + ` below it are not sent.`
	}
	integNote += ` -->
`
	if !o.Integration {
		b.WriteString(arNote)
		b.Write(ar.Bytes())
		b.WriteString("\n")
		b.WriteString(integNote)
		b.WriteString("<!-- Never enable both ways: every alert would be sent twice.\n")
		b.Write(integ.Bytes())
		b.WriteString("-->\n")
	} else {
		b.WriteString(integNote)
		b.Write(integ.Bytes())
		b.WriteString("\n")
		b.WriteString(arNote)
		b.WriteString("<!-- Never enable both ways: every alert would be sent twice.\n")
		b.Write(ar.Bytes())
		b.WriteString("-->\n")
	}
	return b.Bytes(), nil
}

func el(b *bytes.Buffer, name, text string) {
	b.WriteString("  <" + name + ">")
	escapeText(b, text)
	b.WriteString("</" + name + ">\n")
}

// escapeText writes text as XML character data, as encoding/xml's
// EscapeText does (which the tests compare it with): the five markup
// characters and tab, newline and carriage return as references, and
// anything XML cannot carry (other control characters, invalid UTF-8)
// as U+FFFD. Not encoding/xml itself: its package initialisation would
// cost every process of the binary, active responses included, about
// 0.3 ms (BENCHMARKS.md, "Process start").
func escapeText(b *bytes.Buffer, text string) {
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '"':
			b.WriteString("&#34;")
		case r == '\'':
			b.WriteString("&#39;")
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\t':
			b.WriteString("&#x9;")
		case r == '\n':
			b.WriteString("&#xA;")
		case r == '\r':
			b.WriteString("&#xD;")
		case (r == utf8.RuneError && size == 1) || !xmlChar(r):
			b.WriteRune('\uFFFD')
		default:
			b.WriteString(text[i : i+size])
		}
		i += size
	}
}

// xmlChar reports whether r is in XML 1.0's Char production.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
