package alert

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Wazuh 5 runs an active response on a 5.x agent with argv = [program]
// and one line of compact JSON on stdin: the finding (event fields, and
// wazuh.rule, wazuh.agent of the agent that produced the event) merged
// with wazuh.active_response, and "command":"enable" appended by execd.
// The check_keys handshake is the 4.x one, except that execd answers with
// the whole line, command set to "continue" or "abort". A stateful channel
// runs the program again later, in a new process with stdout closed, with
// the same line and "command":"disable", and no handshake (WAZUH5.md §3,
// §4). The dialect is told from the line itself: a top-level wazuh object
// holding active_response (WAZUH5.md §7).

// The commands of a Wazuh 5 message.
const (
	CommandEnable  = "enable"
	CommandDisable = "disable"
)

// Wazuh5AR is wazuh.active_response of a Wazuh 5 message: the channel that
// ran the program.
type Wazuh5AR struct {
	Name           string // the channel's name
	Executable     string // the file name in active-response/bin
	ExtraArguments string // one string, "" when null
	Type           string // stateful or stateless
	Location       string // local, defined-agent or all
	AgentID        string // the defined agent, "" when null
}

// decodeDoc decodes one JSON object by the field tables (jsonparse.go).
func decodeDoc(b []byte) (jsonDoc, string, error) {
	raw := string(bytes.TrimRight(b, "\r\n"))
	j, ok := fastDecodeJSON(raw)
	if !ok {
		var err error
		if j, err = slowDecodeJSON(b); err != nil {
			return jsonDoc{}, raw, err
		}
	}
	return j, raw, nil
}

// parseWazuh5 returns the Wazuh 5 message in line, or ok = false when line
// is not one (not JSON, or no wazuh.active_response object): the 4.x
// parser then decides.
func parseWazuh5(line []byte) (*ARMessage, bool, error) {
	j, raw, err := decodeDoc(line)
	if err != nil {
		if j2, raw2, err2 := decodeDoc(unescapeX(line)); err2 == nil {
			j, raw, err = j2, raw2, nil
		}
	}
	// A 4.x message has parameters; a 5.x one never has.
	shaped5 := bytes.Contains(line, []byte(`"wazuh"`)) && !bytes.Contains(line, []byte(`"parameters"`))
	switch {
	case err != nil && shaped5:
		// Shaped as a Wazuh 5 message, but not valid JSON or a value of
		// a type the message never has: say so rather than "no
		// parameters".
		return nil, true, fmt.Errorf("%w: Wazuh 5 message: %w", ErrBadARMessage, err)
	case err != nil:
		return nil, false, nil
	case !j.Wazuh.ActiveResponse.Present && j.Wazuh.Present && shaped5:
		return nil, true, fmt.Errorf("%w: a Wazuh 5 document without wazuh.active_response (a finding or an event, not what execd writes)", ErrBadARMessage)
	case !j.Wazuh.ActiveResponse.Present:
		return nil, false, nil
	}
	ar := j.Wazuh.ActiveResponse
	m := &ARMessage{
		Dialect:    5,
		Command:    j.Command,
		Program:    ar.Executable,
		RawMessage: []byte(raw),
		Wazuh5: &Wazuh5AR{
			Name: ar.Name, Executable: ar.Executable, ExtraArguments: ar.ExtraArguments,
			Type: ar.Type, Location: ar.Location, AgentID: string(ar.AgentID),
		},
		HasAlert: true,
	}
	m.Alert = wazuh5Alert(j, raw)
	return m, true, nil
}

// ParseWazuh5Alert decodes the alert of a Wazuh 5 active-response message
// (or of a finding document): an error when b is not one.
func ParseWazuh5Alert(b []byte) (Alert, error) {
	j, raw, err := decodeDoc(b)
	if err != nil {
		return Alert{}, fmt.Errorf("decode Wazuh 5 finding: %w: %w", ErrBadJSON, err)
	}
	if !j.Wazuh.Present {
		return Alert{}, fmt.Errorf("decode Wazuh 5 finding: %w: no wazuh object", ErrBadJSON)
	}
	return wazuh5Alert(j, raw), nil
}

// wazuh5Alert maps a Wazuh 5 message onto the Alert (WAZUH5.md §3.2): the
// agent that produced the event (not the one running the program), the
// Sigma rule's UUID, title, level keyword and tags, the integration's
// name and category as groups, the original log line.
func wazuh5Alert(j jsonDoc, raw string) Alert {
	w := &j.Wazuh
	a := Alert{
		ID:       w.Event.ID,
		Raw:      raw,
		Source:   SourceARWazuh5,
		Resolved: true,
	}
	a.Time = parseJSONTime(j.AtTimestamp, "", "")
	r := &w.Rule
	a.Rule.UID = firstNonEmpty(string(r.ID), string(r.SigmaID))
	a.Rule.Description = firstNonEmpty(r.Title, r.Description)
	if lvl := strings.TrimSpace(string(r.Level)); lvl != "" {
		if _, hi, ok := SeverityBand(lvl); ok {
			a.Rule.Severity, a.Rule.Level = strings.ToLower(lvl), hi
		} else if n, ok := ruleLevel(lvl); ok {
			// A number where the keyword belongs: its band.
			a.Rule.Level, a.Rule.Severity = n, SeverityForLevel(n)
		} else {
			a.Rule.Severity = lvl // unknown keyword: the state treats it as absent
		}
	}
	groups := make([]string, 0, len(r.Tags)+2)
	groups = append(groups, r.Tags...)
	for _, g := range []string{w.Integration.Name, w.Integration.Category} {
		if g != "" {
			groups = append(groups, g)
		}
	}
	if len(groups) > 0 {
		a.Rule.Groups = groups
	}
	a.Agent.ID = string(w.Agent.ID)
	a.Agent.Name = w.Agent.Name
	a.Agent.IP = w.Agent.IP
	if len(w.Agent.Labels) > 0 {
		a.Agent.Labels = w.Agent.Labels
	}
	a.Location = firstNonEmpty(j.Log.File.Path, w.Protocol.Location)
	a.SrcIP = strings.TrimPrefix(string(j.Source.IP), "::ffff:")
	a.SrcPort = string(j.Source.Port)
	a.User = j.User.Name
	fields := map[string]string{}
	for k, v := range map[string]string{
		"wazuh.rule.id":                         a.Rule.UID,
		"wazuh.rule.level":                      string(r.Level),
		"wazuh.integration.name":                w.Integration.Name,
		"wazuh.integration.category":            w.Integration.Category,
		"wazuh.active_response.name":            w.ActiveResponse.Name,
		"wazuh.active_response.extra_arguments": w.ActiveResponse.ExtraArguments,
		"wazuh.active_response.agent_id":        string(w.ActiveResponse.AgentID),
		"wazuh.protocol.location":               w.Protocol.Location,
		"log.file.path":                         j.Log.File.Path,
	} {
		if v != "" {
			fields[k] = v
		}
	}
	if len(fields) > 0 {
		a.Fields = fields
	}
	if o := j.Event.Original; o != "" {
		if utf8.ValidString(o) {
			a.FullLog = splitLinesString(o)
		} else {
			a.FullLog = splitLines([]byte(o))
		}
	}
	return a
}
