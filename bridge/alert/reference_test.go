package alert

// The parsers as they were before the fast paths, kept verbatim (renamed)
// as the reference that the fast paths are checked against: same Alert,
// same error, for every sample and fuzz input.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// refFlexString accepts a JSON string or number (Wazuh writes rule.id as a
// string in alerts.json and as a number in some execd messages).
type refFlexString string

func (f *refFlexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = refFlexString(s)
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = refFlexString(n.String())
	return nil
}

type refJSONRule struct {
	Level       refFlexString `json:"level"`
	Description string        `json:"description"`
	ID          refFlexString `json:"id"`
	Groups      []string      `json:"groups"`
	// OSSEC 2.9+ schema.
	Comment string        `json:"comment"`
	SidID   refFlexString `json:"sidid"`
	Group   []string      `json:"group"`
}

type refJSONAgent struct {
	ID     refFlexString  `json:"id"`
	Name   string         `json:"name"`
	IP     string         `json:"ip"`
	Labels map[string]any `json:"labels"`
}

type refJSONAlert struct {
	Timestamp      string         `json:"timestamp"`
	ID             string         `json:"id"`
	Rule           *refJSONRule   `json:"rule"`
	Agent          refJSONAgent   `json:"agent"`
	FullLog        string         `json:"full_log"`
	PreviousOutput string         `json:"previous_output"`
	Location       string         `json:"location"`
	Data           map[string]any `json:"data"`
	Syscheck       map[string]any `json:"syscheck"`
	// OSSEC 2.9+ schema (flat).
	TimeStampMS json.Number   `json:"TimeStamp"`
	AgentName   string        `json:"agent_name"`
	AgentIP     string        `json:"agentip"`
	Hostname    string        `json:"hostname"`
	SrcIP       refFlexString `json:"srcip"`
	SrcPort     refFlexString `json:"srcport"`
	DstIP       refFlexString `json:"dstip"`
	DstPort     refFlexString `json:"dstport"`
	DstUser     string        `json:"dstuser"`
}

func refParseLogAlert(block []byte) (Alert, error) {
	nl := bytes.IndexByte(block, '\n')
	first := block
	if nl >= 0 {
		first = block[:nl]
	}
	id, hlen, ok := parseHeader(first)
	if !ok {
		return Alert{}, fmt.Errorf("parse alert at %q: %w", clip(first, 40), ErrNotAlert)
	}
	a := Alert{
		ID:       id.String(),
		Time:     time.Unix(id.Epoch, 0),
		Raw:      string(block),
		Source:   SourceAlertsLog,
		Resolved: true,
	}
	a.Rule.Groups = refParseGroups(first[hlen:])

	var lines []string
	if nl >= 0 {
		lines = refSplitLines(block[nl+1:])
	}
	i := 0
	// Date and location.
	if i < len(lines) && isDateLine(lines[i]) {
		loc := ""
		if len(lines[i]) > 21 {
			loc = lines[i][21:]
		}
		a.applyWhere(ParseLocation(loc))
		i++
	}
	// Labels (Wazuh) until the Rule line.
	r := -1
	for j := i; j < len(lines); j++ {
		if parseRuleLine(lines[j], &a.Rule) {
			r = j
			break
		}
	}
	if r >= 0 {
		for _, l := range lines[i:r] {
			if k, v, ok := strings.Cut(l, ": "); ok && k != "" {
				if a.Agent.Labels == nil {
					a.Agent.Labels = map[string]string{}
				}
				a.Agent.Labels[k] = v
			}
		}
		i = r + 1
		i = refParseOptional(&a, lines, i)
	}
	body := lines[i:]
	for len(body) > 0 && body[len(body)-1] == "" {
		body = body[:len(body)-1]
	}
	a.FullLog, a.Fields = refSplitBody(body, a.Fields)
	return a, nil
}

func refSplitLines(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	if b[len(b)-1] == '\n' {
		b = b[:len(b)-1]
	}
	n := bytes.Count(b, []byte{'\n'}) + 1
	out := make([]string, 0, n)
	for {
		l, rest, more := bytes.Cut(b, []byte{'\n'})
		l = bytes.TrimSuffix(l, []byte{'\r'})
		out = append(out, validString(l))
		if !more {
			return out
		}
		b = rest
	}
}

func refParseGroups(rest []byte) []string {
	_, g, ok := bytes.Cut(rest, []byte(" - "))
	if !ok {
		return nil
	}
	var out []string
	for _, f := range strings.Split(validString(bytes.TrimRight(g, "\r")), ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func refParseOptional(a *Alert, lines []string, i int) int {
	k := 0
	for i < len(lines) && k < len(optionalLines) {
		matched := false
		for j := k; j < len(optionalLines); j++ {
			v, ok := strings.CutPrefix(lines[i], optionalLines[j])
			if !ok {
				continue
			}
			if v == "(none)" {
				v = ""
			}
			switch j {
			case 0:
				a.SrcIP = v
			case 1:
				a.setField("srcgeoip", v)
			case 2:
				a.SrcPort = v
			case 3:
				a.DstIP = v
			case 4:
				a.setField("dstgeoip", v)
			case 5:
				a.DstPort = v
			case 6:
				a.User = v
			}
			k = j + 1
			matched = true
			break
		}
		if !matched {
			break
		}
		i++
	}
	return i
}

func refSplitBody(body []string, fields map[string]string) ([]string, map[string]string) {
	if len(body) == 0 {
		return nil, fields
	}
	if isSyscheckBody(body[0]) {
		return body, fields
	}
	type kv struct{ k, v string }
	logLines := []string{body[0]}
	var pending []kv
	pendingFrom := -1 // index in body of the first pending field line
	for i := 1; i < len(body); i++ {
		k, v, ok := dynamicField(body[i])
		if !ok {
			if pendingFrom >= 0 {
				logLines = append(logLines, body[pendingFrom:i]...)
				pending, pendingFrom = pending[:0], -1
			}
			logLines = append(logLines, body[i])
			continue
		}
		if pendingFrom < 0 {
			pendingFrom = i
		}
		if strings.HasPrefix(v, `"`) && (len(v) == 1 || !strings.HasSuffix(v, `"`)) {
			j := i + 1
			for j < len(body) && !strings.HasSuffix(body[j], `"`) {
				j++
			}
			if j < len(body) {
				v = strings.Join(append([]string{v}, body[i+1:j+1]...), "\n")
				i = j
			}
		}
		pending = append(pending, kv{k, v})
	}
	for _, p := range pending {
		if fields == nil {
			fields = map[string]string{}
		}
		if _, dup := fields[p.k]; !dup {
			fields[p.k] = p.v
		}
	}
	return logLines, fields
}

func refParseJSONAlert(b []byte) (Alert, error) {
	var j refJSONAlert
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&j); err != nil {
		return Alert{}, fmt.Errorf("decode JSON alert: %w: %w", ErrBadJSON, err)
	}
	if j.Rule == nil {
		return Alert{}, fmt.Errorf("decode JSON alert: %w: no rule object", ErrBadJSON)
	}
	a := Alert{
		ID:       j.ID,
		Raw:      string(bytes.TrimRight(b, "\r\n")),
		Source:   SourceAlertsJSON,
		Resolved: true,
	}
	r := j.Rule
	a.Rule.Description = r.Description
	if a.Rule.Description == "" {
		a.Rule.Description = r.Comment
	}
	idS := string(r.ID)
	if idS == "" {
		idS = string(r.SidID)
	}
	if idS != "" {
		n, ok := ruleID(idS)
		if !ok {
			return Alert{}, fmt.Errorf("decode JSON alert %s: %w: rule id %q", j.ID, ErrBadJSON, idS)
		}
		a.Rule.ID = n
	}
	if r.Level != "" {
		n, ok := ruleLevel(string(r.Level))
		if !ok {
			return Alert{}, fmt.Errorf("decode JSON alert %s: %w: rule level %q", j.ID, ErrBadJSON, r.Level)
		}
		a.Rule.Level = n
	}
	a.Rule.Groups = r.Groups
	if a.Rule.Groups == nil {
		a.Rule.Groups = r.Group
	}

	a.Time = refParseJSONTime(j)

	if j.AgentName != "" || j.Hostname != "" || (j.Agent.Name == "" && strings.Contains(j.Location, "->")) {
		// OSSEC schema: the location is whole.
		w := ParseLocation(j.Location)
		a.applyWhere(w)
		if a.Agent.Name == "" {
			a.Agent.Name = j.AgentName
		}
		if a.Agent.IP == "" {
			a.Agent.IP = j.AgentIP
		}
	} else {
		a.Agent.ID = string(j.Agent.ID)
		a.Agent.Name = j.Agent.Name
		a.Agent.IP = j.Agent.IP
		a.Location = j.Location
		if a.Agent.ID != "" && a.Agent.ID != "000" && a.Agent.Name != "" && !strings.HasPrefix(j.Location, "(") {
			ip := a.Agent.IP
			if ip == "" {
				ip = "any"
			}
			a.Location = "(" + a.Agent.Name + ") " + ip + "->" + j.Location
		}
	}
	for k, v := range j.Agent.Labels {
		if a.Agent.Labels == nil {
			a.Agent.Labels = map[string]string{}
		}
		a.Agent.Labels[k] = refScalarString(v)
	}

	fields := map[string]string{}
	refFlatten(fields, "", j.Data)
	refFlatten(fields, "syscheck.", j.Syscheck)
	if j.PreviousOutput != "" {
		fields["previous_output"] = j.PreviousOutput
	}
	a.SrcIP = firstNonEmpty(fields["srcip"], string(j.SrcIP))
	a.SrcPort = firstNonEmpty(fields["srcport"], string(j.SrcPort))
	a.DstIP = firstNonEmpty(fields["dstip"], string(j.DstIP))
	a.DstPort = firstNonEmpty(fields["dstport"], string(j.DstPort))
	a.User = firstNonEmpty(fields["dstuser"], j.DstUser)
	if len(fields) > 0 {
		a.Fields = fields
	}
	if j.FullLog != "" {
		a.FullLog = refSplitLines([]byte(j.FullLog))
	}
	return a, nil
}

func refParseJSONTime(j refJSONAlert) time.Time {
	for _, layout := range []string{"2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, j.Timestamp); err == nil {
			return t
		}
	}
	if ms, err := j.TimeStampMS.Int64(); err == nil && ms > 0 {
		return time.UnixMilli(ms)
	}
	if id, err := ParseID(j.ID); err == nil {
		return id.Time()
	}
	return time.Time{}
}

func refFlatten(out map[string]string, prefix string, m map[string]any) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch v := m[k].(type) {
		case map[string]any:
			refFlatten(out, prefix+k+".", v)
		default:
			out[prefix+k] = refScalarString(v)
		}
	}
}

func refScalarString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(b)
	}
}
