package alert

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"
)

// ErrBadJSON reports a JSON alert that cannot be decoded or has no rule.
var ErrBadJSON = errors.New("bad JSON alert")

// flexString accepts a JSON string or number (Wazuh writes rule.id as a
// string in alerts.json and as a number in some execd messages).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

// The fields of a JSON alert that the Alert is made of: one table per
// object drives both decoders, the fast path (jsonfast.go: dispatch on the
// key, a field named twice, a key that differs only in case) and the
// fallback through encoding/json (a struct type built from the table, so
// that encoding/json's own rules decide every case the fast path gives up
// on). Adding a field is one line here plus the jsonDoc member it fills.

// fieldKind says what a field holds and so how both decoders read it.
type fieldKind uint8

const (
	kindString  fieldKind = iota // string: a string, or null
	kindFlex                     // flexString: a string, a number (its literal), or null
	kindStrings                  // []string: an array of strings, or null
	kindNumber                   // json.Number: a number, or null
	kindLabels                   // map[string]string: an object of values printed by scalarString
	kindFlatten                  // an object flattened into jsonDoc.Fields under prefix
	kindObject                   // an object with a table of its own (sub)
)

// jsonField is one field of a JSON object.
type jsonField struct {
	name string // as the JSON writes it; encoding/json also takes it in another case
	kind fieldKind
	// off is the offset, in the Go struct of the object (jsonDoc,
	// docRule, docAgent), of the member the value goes to: a member of
	// the kind's type (for kindObject, the sub-object's struct).
	off    uintptr
	prefix string      // kindFlatten
	sub    *jsonObject // kindObject
}

// jsonObject is the field table of one JSON object.
type jsonObject struct {
	name   string
	fields []jsonField
	// present is the offset of a bool set when the object is there (the
	// JSON may leave it out or give null), or -1 when that does not matter.
	present int
	// lowerClosed: every field name in lower case is itself a field name,
	// so a lower-case key that matched none exactly matches none at all.
	lowerClosed bool
	// slow is the struct encoding/json decodes into, built on first use:
	// reflect.StructOf at package init cost every process (the active
	// response included) most of this package's start-up time.
	slow func() reflect.Type
}

var (
	ruleObject = newJSONObject("rule", int(unsafe.Offsetof(docRule{}.Present)), []jsonField{
		{name: "level", kind: kindFlex, off: unsafe.Offsetof(docRule{}.Level)},
		{name: "description", kind: kindString, off: unsafe.Offsetof(docRule{}.Description)},
		{name: "id", kind: kindFlex, off: unsafe.Offsetof(docRule{}.ID)},
		{name: "groups", kind: kindStrings, off: unsafe.Offsetof(docRule{}.Groups)},
		// OSSEC 2.9+ schema.
		{name: "comment", kind: kindString, off: unsafe.Offsetof(docRule{}.Comment)},
		{name: "sidid", kind: kindFlex, off: unsafe.Offsetof(docRule{}.SidID)},
		{name: "group", kind: kindStrings, off: unsafe.Offsetof(docRule{}.Group)},
	})
	agentObject = newJSONObject("agent", -1, []jsonField{
		{name: "id", kind: kindFlex, off: unsafe.Offsetof(docAgent{}.ID)},
		{name: "name", kind: kindString, off: unsafe.Offsetof(docAgent{}.Name)},
		{name: "ip", kind: kindString, off: unsafe.Offsetof(docAgent{}.IP)},
		{name: "labels", kind: kindLabels, off: unsafe.Offsetof(docAgent{}.Labels)},
	})
	alertObject = newJSONObject("alert", -1, []jsonField{
		{name: "timestamp", kind: kindString, off: unsafe.Offsetof(jsonDoc{}.Timestamp)},
		{name: "id", kind: kindString, off: unsafe.Offsetof(jsonDoc{}.ID)},
		{name: "rule", kind: kindObject, off: unsafe.Offsetof(jsonDoc{}.Rule), sub: ruleObject},
		{name: "agent", kind: kindObject, off: unsafe.Offsetof(jsonDoc{}.Agent), sub: agentObject},
		{name: "full_log", kind: kindString, off: unsafe.Offsetof(jsonDoc{}.FullLog)},
		{name: "previous_output", kind: kindString, off: unsafe.Offsetof(jsonDoc{}.PreviousOutput)},
		{name: "location", kind: kindString, off: unsafe.Offsetof(jsonDoc{}.Location)},
		{name: "data", kind: kindFlatten},
		{name: "syscheck", kind: kindFlatten, prefix: "syscheck."},
		// OSSEC 2.9+ schema (flat).
		{name: "TimeStamp", kind: kindNumber, off: unsafe.Offsetof(jsonDoc{}.TimeStampMS)},
		{name: "agent_name", kind: kindString, off: unsafe.Offsetof(jsonDoc{}.AgentName)},
		{name: "agentip", kind: kindString, off: unsafe.Offsetof(jsonDoc{}.AgentIP)},
		{name: "hostname", kind: kindString, off: unsafe.Offsetof(jsonDoc{}.Hostname)},
		{name: "srcip", kind: kindFlex, off: unsafe.Offsetof(jsonDoc{}.SrcIP)},
		{name: "srcport", kind: kindFlex, off: unsafe.Offsetof(jsonDoc{}.SrcPort)},
		{name: "dstip", kind: kindFlex, off: unsafe.Offsetof(jsonDoc{}.DstIP)},
		{name: "dstport", kind: kindFlex, off: unsafe.Offsetof(jsonDoc{}.DstPort)},
		{name: "dstuser", kind: kindString, off: unsafe.Offsetof(jsonDoc{}.DstUser)},
		// Wazuh 5: the active-response message (a finding, ECS/WCS fields).
		{name: "@timestamp", kind: kindString, off: unsafe.Offsetof(jsonDoc{}.AtTimestamp)},
		{name: "event", kind: kindObject, off: unsafe.Offsetof(jsonDoc{}.Event), sub: eventObject},
		{name: "wazuh", kind: kindObject, off: unsafe.Offsetof(jsonDoc{}.Wazuh), sub: wazuhObject},
		{name: "source", kind: kindObject, off: unsafe.Offsetof(jsonDoc{}.Source), sub: endpointObject},
		{name: "user", kind: kindObject, off: unsafe.Offsetof(jsonDoc{}.User), sub: userObject},
		{name: "log", kind: kindObject, off: unsafe.Offsetof(jsonDoc{}.Log), sub: logObject},
		{name: "command", kind: kindString, off: unsafe.Offsetof(jsonDoc{}.Command)},
	})
)

// The objects of a Wazuh 5 message (WAZUH5.md §3.2).
var (
	eventObject = newJSONObject("event", -1, []jsonField{
		{name: "original", kind: kindString, off: unsafe.Offsetof(docEvent{}.Original)},
	})
	endpointObject = newJSONObject("source", -1, []jsonField{
		{name: "ip", kind: kindFlex, off: unsafe.Offsetof(docEndpoint{}.IP)},
		{name: "port", kind: kindFlex, off: unsafe.Offsetof(docEndpoint{}.Port)},
	})
	userObject = newJSONObject("user", -1, []jsonField{
		{name: "name", kind: kindString, off: unsafe.Offsetof(docUser{}.Name)},
	})
	logFileObject = newJSONObject("file", -1, []jsonField{
		{name: "path", kind: kindString, off: unsafe.Offsetof(docLogFile{}.Path)},
	})
	logObject = newJSONObject("log", -1, []jsonField{
		{name: "file", kind: kindObject, off: unsafe.Offsetof(docLog{}.File), sub: logFileObject},
	})
	rule5Object = newJSONObject("wazuh.rule", int(unsafe.Offsetof(docRule5{}.Present)), []jsonField{
		{name: "id", kind: kindFlex, off: unsafe.Offsetof(docRule5{}.ID)},
		{name: "sigma_id", kind: kindFlex, off: unsafe.Offsetof(docRule5{}.SigmaID)},
		{name: "title", kind: kindString, off: unsafe.Offsetof(docRule5{}.Title)},
		{name: "description", kind: kindString, off: unsafe.Offsetof(docRule5{}.Description)},
		{name: "level", kind: kindFlex, off: unsafe.Offsetof(docRule5{}.Level)},
		{name: "tags", kind: kindStrings, off: unsafe.Offsetof(docRule5{}.Tags)},
	})
	integrationObject = newJSONObject("wazuh.integration", -1, []jsonField{
		{name: "name", kind: kindString, off: unsafe.Offsetof(docIntegration{}.Name)},
		{name: "category", kind: kindString, off: unsafe.Offsetof(docIntegration{}.Category)},
	})
	protocolObject = newJSONObject("wazuh.protocol", -1, []jsonField{
		{name: "location", kind: kindString, off: unsafe.Offsetof(docProtocol{}.Location)},
	})
	wazuhEventObject = newJSONObject("wazuh.event", -1, []jsonField{
		{name: "id", kind: kindString, off: unsafe.Offsetof(docEvent5{}.ID)},
	})
	activeResponseObject = newJSONObject("wazuh.active_response", int(unsafe.Offsetof(docActiveResponse{}.Present)), []jsonField{
		{name: "name", kind: kindString, off: unsafe.Offsetof(docActiveResponse{}.Name)},
		{name: "executable", kind: kindString, off: unsafe.Offsetof(docActiveResponse{}.Executable)},
		{name: "extra_arguments", kind: kindString, off: unsafe.Offsetof(docActiveResponse{}.ExtraArguments)},
		{name: "type", kind: kindString, off: unsafe.Offsetof(docActiveResponse{}.Type)},
		{name: "stateful_timeout", kind: kindNumber, off: unsafe.Offsetof(docActiveResponse{}.StatefulTimeout)},
		{name: "location", kind: kindString, off: unsafe.Offsetof(docActiveResponse{}.Location)},
		{name: "agent_id", kind: kindFlex, off: unsafe.Offsetof(docActiveResponse{}.AgentID)},
	})
	wazuhObject = newJSONObject("wazuh", int(unsafe.Offsetof(docWazuh{}.Present)), []jsonField{
		{name: "agent", kind: kindObject, off: unsafe.Offsetof(docWazuh{}.Agent), sub: agentObject},
		{name: "rule", kind: kindObject, off: unsafe.Offsetof(docWazuh{}.Rule), sub: rule5Object},
		{name: "integration", kind: kindObject, off: unsafe.Offsetof(docWazuh{}.Integration), sub: integrationObject},
		{name: "protocol", kind: kindObject, off: unsafe.Offsetof(docWazuh{}.Protocol), sub: protocolObject},
		{name: "event", kind: kindObject, off: unsafe.Offsetof(docWazuh{}.Event), sub: wazuhEventObject},
		{name: "active_response", kind: kindObject, off: unsafe.Offsetof(docWazuh{}.ActiveResponse), sub: activeResponseObject},
	})
)

// jsonDoc is what ParseJSONAlert takes from a JSON alert, from either
// decoder: data and syscheck already flattened into Fields, the agent's
// labels printed.
type jsonDoc struct {
	Timestamp      string
	ID             string
	Rule           docRule
	Agent          docAgent
	FullLog        string
	PreviousOutput string
	Location       string
	Fields         map[string]string // data, then syscheck under "syscheck."
	TimeStampMS    json.Number
	AgentName      string
	AgentIP        string
	Hostname       string
	SrcIP          flexString
	SrcPort        flexString
	DstIP          flexString
	DstPort        flexString
	DstUser        string
	// Wazuh 5.
	AtTimestamp string
	Event       docEvent
	Wazuh       docWazuh
	Source      docEndpoint
	User        docUser
	Log         docLog
	Command     string
}

type docEvent struct{ Original string }

type docEndpoint struct{ IP, Port flexString }

type docUser struct{ Name string }

type docLog struct{ File docLogFile }

type docLogFile struct{ Path string }

type docWazuh struct {
	Present        bool
	Agent          docAgent
	Rule           docRule5
	Integration    docIntegration
	Protocol       docProtocol
	Event          docEvent5
	ActiveResponse docActiveResponse
}

type docRule5 struct {
	Present            bool
	ID, SigmaID, Level flexString
	Title, Description string
	Tags               []string
}

type docIntegration struct{ Name, Category string }

type docProtocol struct{ Location string }

type docEvent5 struct{ ID string }

type docActiveResponse struct {
	Present                                          bool
	Name, Executable, ExtraArguments, Type, Location string
	StatefulTimeout                                  json.Number
	AgentID                                          flexString
}

type docRule struct {
	Present              bool // the alert has a rule object
	Level, ID, SidID     flexString
	Description, Comment string
	Groups, Group        []string
}

type docAgent struct {
	ID       flexString
	Name, IP string
	Labels   map[string]string
}

// fieldAt returns a pointer to the member at off of the struct at base.
func fieldAt[T any](base unsafe.Pointer, off uintptr) *T { return (*T)(unsafe.Add(base, off)) }

func newJSONObject(name string, present int, fields []jsonField) *jsonObject {
	if len(fields) > 64 {
		panic("alert: more than 64 fields in JSON object " + name) // the fast path's bit set
	}
	o := &jsonObject{name: name, fields: fields, present: present, lowerClosed: true}
	o.slow = sync.OnceValue(func() reflect.Type { return slowType(fields) })
	for _, f := range fields {
		if lookupField(fields, strings.ToLower(f.name)) < 0 {
			o.lowerClosed = false
		}
	}
	return o
}

// lookupField returns the index of the field named exactly key, or -1.
// Comparing the length and the first byte first leaves a full comparison
// for the one candidate there usually is.
func lookupField(fields []jsonField, key string) int {
	if key == "" {
		return -1
	}
	for i := range fields {
		if n := fields[i].name; len(n) == len(key) && n[0] == key[0] && n == key {
			return i
		}
	}
	return -1
}

// slowType is the struct type encoding/json decodes an object into: one
// field per table entry, tagged with its name.
func slowType(fields []jsonField) reflect.Type {
	sf := make([]reflect.StructField, len(fields))
	for i, f := range fields {
		var t reflect.Type
		switch f.kind {
		case kindString:
			t = reflect.TypeFor[string]()
		case kindFlex:
			t = reflect.TypeFor[flexString]()
		case kindStrings:
			t = reflect.TypeFor[[]string]()
		case kindNumber:
			t = reflect.TypeFor[json.Number]()
		case kindLabels, kindFlatten:
			t = reflect.TypeFor[map[string]any]()
		case kindObject:
			t = f.sub.slow()
			if f.sub.present >= 0 {
				t = reflect.PointerTo(t) // null or absent: no object
			}
		}
		sf[i] = reflect.StructField{Name: "F" + strconv.Itoa(i), Type: t, Tag: reflect.StructTag(`json:"` + f.name + `"`)}
	}
	return reflect.StructOf(sf)
}

// slowDecodeJSON decodes b with encoding/json into the struct built from
// the table: the reference for the fast path, and what decides every
// error.
func slowDecodeJSON(b []byte) (jsonDoc, error) {
	v := reflect.New(alertObject.slow())
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v.Interface()); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return jsonDoc{}, typeError{te}
		}
		return jsonDoc{}, err
	}
	var doc jsonDoc
	copyFields(&doc, unsafe.Pointer(&doc), alertObject, v.Elem())
	return doc, nil
}

// typeError words a *json.UnmarshalTypeError without the names of the
// struct types, which are built at run time and have none.
type typeError struct{ err *json.UnmarshalTypeError }

func (e typeError) Error() string {
	where, want := "the alert", e.err.Type.String()
	if e.err.Field != "" {
		where = "field " + e.err.Field
	}
	if e.err.Type.Kind() == reflect.Struct && e.err.Type.Name() == "" {
		want = "object"
	}
	return "json: cannot unmarshal " + e.err.Value + " into " + where + " of type " + want
}

func (e typeError) Unwrap() error { return e.err }

// copyFields copies what encoding/json decoded into v, an object of table
// o, to the struct at base (doc, or a member of it).
func copyFields(doc *jsonDoc, base unsafe.Pointer, o *jsonObject, v reflect.Value) {
	for i, f := range o.fields {
		fv := v.Field(i)
		switch f.kind {
		case kindString:
			*fieldAt[string](base, f.off) = fv.String()
		case kindFlex:
			*fieldAt[flexString](base, f.off) = flexString(fv.String())
		case kindStrings:
			*fieldAt[[]string](base, f.off) = fv.Interface().([]string)
		case kindNumber:
			*fieldAt[json.Number](base, f.off) = json.Number(fv.String())
		case kindLabels:
			var labels map[string]string
			for k, x := range fv.Interface().(map[string]any) {
				if labels == nil {
					labels = map[string]string{}
				}
				labels[k] = scalarString(x)
			}
			*fieldAt[map[string]string](base, f.off) = labels
		case kindFlatten:
			if m := fv.Interface().(map[string]any); len(m) > 0 {
				if doc.Fields == nil {
					doc.Fields = map[string]string{}
				}
				flatten(doc.Fields, f.prefix, m)
			}
		case kindObject:
			sub := unsafe.Add(base, f.off)
			if f.sub.present >= 0 {
				if fv.IsNil() {
					continue
				}
				*fieldAt[bool](sub, uintptr(f.sub.present)) = true
				fv = fv.Elem()
			}
			copyFields(doc, sub, f.sub, fv)
		}
	}
}

// ParseJSONAlert parses one alert object: a line of Wazuh's alerts.json (or
// the alert of an active-response message, or an integratord JSON file), or
// OSSEC 2.9+'s alerts.json schema. The Location of an agent's alert is
// rebuilt as "(agent) ip->location" so that it reads as in alerts.log
// (Wazuh's JSON keeps only the part after "->"; "any" stands for an unknown
// IP). Only the first JSON value of b is read.
//
// Strings of the Alert may be substrings of Raw.
func ParseJSONAlert(b []byte) (Alert, error) {
	raw := string(bytes.TrimRight(b, "\r\n"))
	j, ok := fastDecodeJSON(raw)
	if !ok {
		var err error
		if j, err = slowDecodeJSON(b); err != nil {
			return Alert{}, fmt.Errorf("decode JSON alert: %w: %w", ErrBadJSON, err)
		}
	}
	if !j.Rule.Present {
		return Alert{}, fmt.Errorf("decode JSON alert: %w: no rule object", ErrBadJSON)
	}
	a := Alert{
		ID:       j.ID,
		Raw:      raw,
		Source:   SourceAlertsJSON,
		Resolved: true,
	}
	r := &j.Rule
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

	a.Time = parseJSONTime(j.Timestamp, j.TimeStampMS, j.ID)

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
	if len(j.Agent.Labels) > 0 {
		a.Agent.Labels = j.Agent.Labels
	}

	fields := j.Fields
	if j.PreviousOutput != "" {
		if fields == nil {
			fields = map[string]string{}
		}
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
		if utf8.ValidString(j.FullLog) {
			a.FullLog = splitLinesString(j.FullLog)
		} else {
			a.FullLog = splitLines([]byte(j.FullLog))
		}
	}
	return a, nil
}

func parseJSONTime(timestamp string, ms json.Number, id string) time.Time {
	if t, ok := quickJSONTime(timestamp); ok {
		return t
	}
	for _, layout := range []string{"2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, timestamp); err == nil {
			return t
		}
	}
	if ms, err := ms.Int64(); err == nil && ms > 0 {
		return time.UnixMilli(ms)
	}
	if id, err := ParseID(id); err == nil {
		return id.Time()
	}
	return time.Time{}
}

// quickJSONTime parses Wazuh's timestamp "2006-01-02T15:04:05.000-0700"
// as time.Parse does (same instant, same Location), for a valid one with
// an offset below 24 hours; ok is false for anything else, left to
// time.Parse.
func quickJSONTime(ts string) (time.Time, bool) {
	if len(ts) != 28 || ts[4] != '-' || ts[7] != '-' || ts[10] != 'T' || ts[13] != ':' || ts[16] != ':' || ts[19] != '.' {
		return time.Time{}, false
	}
	var v [9]int // year month day hour minute second milli zone-hour zone-minute
	for k, f := range [9][2]int{{0, 4}, {5, 2}, {8, 2}, {11, 2}, {14, 2}, {17, 2}, {20, 3}, {24, 2}, {26, 2}} {
		for _, c := range []byte(ts[f[0] : f[0]+f[1]]) {
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
			v[k] = v[k]*10 + int(c-'0')
		}
	}
	year, month, day := v[0], v[1], v[2]
	if month < 1 || month > 12 || day < 1 || v[3] > 23 || v[4] > 59 || v[5] > 59 || v[7] > 23 || v[8] > 59 {
		return time.Time{}, false
	}
	mdays := [12]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month-1]
	if month == 2 && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		mdays = 29
	}
	if day > mdays {
		return time.Time{}, false
	}
	offset := (v[7]*60 + v[8]) * 60
	switch ts[23] {
	case '+':
	case '-':
		offset = -offset
	default:
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, v[3], v[4], v[5], v[6]*1e6, time.UTC).Add(-time.Duration(offset) * time.Second)
	// time.Parse keeps the local zone when it has this offset at t.
	if _, off := t.In(time.Local).Zone(); off == offset {
		return t.In(time.Local), true
	}
	return t.In(time.FixedZone("", offset)), true
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// flatten stores nested JSON values under dotted keys; arrays are kept as
// JSON text.
func flatten(out map[string]string, prefix string, m map[string]any) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch v := m[k].(type) {
		case map[string]any:
			flatten(out, prefix+k+".", v)
		default:
			out[prefix+k] = scalarString(v)
		}
	}
}

func scalarString(v any) string {
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

// DefaultMaxJSONLine bounds one alerts.json line; a longer line is cut:
// its alert is decoded from its first DefaultMaxJSONLine bytes (see
// ParseCutJSONAlert).
const DefaultMaxJSONLine = 4 << 20

// JSONScanner reads alerts.json line by line in constant memory.
type JSONScanner struct {
	// MaxLine bounds a line (DefaultMaxJSONLine when zero); a longer line
	// is cut (ParseCutJSONAlert), its alert marked Truncated and counted in
	// Cut.
	MaxLine int

	r      *bufio.Reader
	pos    int64
	line   []byte
	tail   []byte // the last bytes of an over-long line
	cur    Alert
	curOff int64
	err    error
	cut    int
}

// NewJSONScanner returns a JSONScanner over r; offsets count from base.
func NewJSONScanner(r io.Reader, base int64) *JSONScanner {
	return &JSONScanner{r: bufio.NewReaderSize(r, 64<<10), pos: base}
}

// Scan advances to the next alert. A line that is not a JSON alert stops
// the scan with an error naming its offset; an incomplete last line (a
// writer mid-line) ends the scan without error and is not consumed.
func (s *JSONScanner) Scan() bool {
	max := s.MaxLine
	if max <= 0 {
		max = DefaultMaxJSONLine
	}
	for s.err == nil {
		s.line, s.tail = s.line[:0], s.tail[:0]
		start := s.pos
		tooLong := false
		var line []byte // the line: in the reader's buffer when it fits, else s.line
		var err error
		for first := true; ; first = false {
			var b []byte
			b, err = s.r.ReadSlice('\n')
			s.pos += int64(len(b))
			if first && err == nil && len(b) <= max {
				line = b
				break
			}
			n := min(len(b), max-len(s.line))
			s.line = append(s.line, b[:n]...)
			if n < len(b) {
				tooLong = true
				s.tail = append(s.tail, b...)
				if len(s.tail) > maxJSONTail {
					s.tail = append(s.tail[:0], s.tail[len(s.tail)-maxJSONTail:]...)
				}
			}
			if !errors.Is(err, bufio.ErrBufferFull) {
				break
			}
		}
		if line == nil {
			line = s.line
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.err = fmt.Errorf("read alerts.json at offset %d: %w", s.pos, err)
			}
			if len(line) > 0 && len(bytes.TrimSpace(line)) > 0 {
				s.pos = start // incomplete line: not ours yet
			}
			return false
		}
		if len(bytes.TrimSpace(line)) == 0 && !tooLong {
			continue
		}
		var a Alert
		var perr error
		if tooLong {
			s.cut++
			a, perr = ParseCutJSONAlert(line, s.tail)
		} else {
			a, perr = ParseJSONAlert(line)
		}
		if perr != nil {
			s.err = fmt.Errorf("alerts.json offset %d: %w", start, perr)
			return false
		}
		s.cur, s.curOff = a, start
		return true
	}
	return false
}

// Alert returns the alert found by the last Scan.
func (s *JSONScanner) Alert() Alert { return s.cur }

// Offset returns the byte offset of the current alert's line.
func (s *JSONScanner) Offset() int64 { return s.curOff }

// Pos returns the offset just after the last complete line read: where a
// follower resumes.
func (s *JSONScanner) Pos() int64 { return s.pos }

// Cut returns how many over-long lines were cut.
func (s *JSONScanner) Cut() int { return s.cut }

// Err returns the first error, nil at a clean end.
func (s *JSONScanner) Err() error { return s.err }
