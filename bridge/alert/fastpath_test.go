package alert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// sameAlert compares two alerts field by field; times compare by instant
// and zone offset (time.Parse may allocate equal zones at other addresses).
func sameAlert(t *testing.T, what string, got, want Alert) {
	t.Helper()
	if !got.Time.Equal(want.Time) || got.Time.Location().String() != want.Time.Location().String() {
		t.Fatalf("%s: Time = %v, want %v", what, got.Time, want.Time)
	}
	_, go1 := got.Time.Zone()
	_, wo := want.Time.Zone()
	if go1 != wo {
		t.Fatalf("%s: zone offset %d, want %d", what, go1, wo)
	}
	got.Time, want.Time = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %#v\n want %#v", what, got, want)
	}
}

func sameLogParse(t *testing.T, what string, block []byte) {
	t.Helper()
	got, gerr := ParseLogAlert(block)
	want, werr := refParseLogAlert(block)
	if fmt.Sprint(gerr) != fmt.Sprint(werr) {
		t.Fatalf("%s: err = %v, want %v", what, gerr, werr)
	}
	sameAlert(t, what, got, want)
}

func sameJSONParse(t *testing.T, what string, line []byte) {
	t.Helper()
	got, gerr := ParseJSONAlert(line)
	want, werr := refParseJSONAlert(line)
	// A type error names the reference's struct types, which the decoder
	// (struct types built from its field table) has no names for: the
	// value and the field must agree.
	var gte, wte *json.UnmarshalTypeError
	if errors.As(werr, &wte) {
		if !errors.As(gerr, &gte) || gte.Value != wte.Value || gte.Field != wte.Field || gte.Offset != wte.Offset {
			t.Fatalf("%s: err = %v, want %v", what, gerr, werr)
		}
	} else if fmt.Sprint(gerr) != fmt.Sprint(werr) {
		t.Fatalf("%s: err = %v, want %v", what, gerr, werr)
	}
	sameAlert(t, what, got, want)
}

// logEdgeCases are alerts.log blocks on the edges of the fast path.
var logEdgeCases = []string{
	"** Alert 1.0:",
	"** Alert 1.0: - a, b ,,c,\r\n2026 Jan 02 03:04:05 h->x\r\nRule: 1 (level 2) -> 'd'\r\nbody\r\n",
	"** Alert 1.0: - a,\u00a0b\u2028,\xff,c\n2026 Feb 29 03:04:05 h->x\nRule: 1 (level 2) -> 'd'\nlog \xfe\nk: v\n",
	"** Alert 1.0: - ,\n2024 Feb 29 23:59:59 (a) 1.2.3.4->/var/log/x\nRule: 1 (level 2) -> 'd'\nSrc IP: (none)\nUser: root\nline\nk: \"v\nw\"\n",
	"** Alert 1.0: - x\n2100 Feb 29 00:00:00 h->x\nRule: 1 (level 2) -> 'd'\n",
	"** Alert 1.0: - x\n2000 Feb 29 24:00:00 h->x\n",
	"** Alert 1.0: - x\n2000 jan 29 12:00:00 h->x\n",
	"** Alert 1.0: - x\n2000 Jan 29 2:00:00  h->x\n",
	"** Alert 1.0: - x\n2000 Jan 00 12:00:60 h->x\n",
	"** Alert 1.0: - x\n0000 Feb 29 12:00:59 h->x\nlabel: v\nRule: 5 (level 1) -> 'it''s'\n",
	"** Alert 1.0: mail  - syscheck,\n2026 Sep 31 00:00:00 ossec->syscheck\nRule: 550 (level 7) -> 'x'\nIntegrity checksum changed for: '/etc/x'\nSize changed from '1' to '2'\n\n",
}

func TestParseLogAlertMatchesReference(t *testing.T) {
	for i, c := range logEdgeCases {
		sameLogParse(t, fmt.Sprintf("edge case %d", i), []byte(c))
	}
	m, _ := filepath.Glob(filepath.Join("testdata", "samples", "*.log"))
	if len(m) == 0 {
		t.Fatal("no .log samples")
	}
	for _, p := range m {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sc := NewScanner(bytes.NewReader(raw))
		for sc.Scan() {
			off := sc.Offset()
			sameLogParse(t, fmt.Sprintf("%s at %d", filepath.Base(p), off), raw[off:off+sc.Len()])
		}
	}
}

func TestQuickDateMatchesTimeParse(t *testing.T) {
	months := []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "JAN", "Foo"}
	for _, year := range []string{"0000", "1900", "2000", "2023", "2024", "2100", "9999", "20x4"} {
		for _, mon := range months {
			for day := 0; day <= 32; day++ {
				for _, hms := range []string{"00:00:00", "23:59:59", "24:00:00", "12:60:00", "12:00:60", "1:00:000", "99:99:99"} {
					d := fmt.Sprintf("%s %s %02d %s", year, mon, day, hms)
					_, err := time.Parse("2006 Jan 02 15:04:05", d)
					if ok, known := quickDate(d); known && ok != (err == nil) {
						t.Fatalf("quickDate(%q) = %v, time.Parse error %v", d, ok, err)
					}
				}
			}
		}
	}
}

// jsonEdgeCases are alerts.json lines on the edges of the fast path: each
// must give what encoding/json gives.
var jsonEdgeCases = []string{
	`{"rule":{"id":"1"}}`,
	`{"rule":{"id":1,"level":3.0}}`,
	`{"rule":{"id":"1","level":"3"},"id":"1.2"}  trailing garbage`,
	`{"rule":{"id":"1"}`,
	`{"rule":null}`,
	`{}`,
	`[]`,
	`null`,
	`  {"rule":{"id":"1","groups":[]}}`,
	`{"rule":{"id":"1","groups":null,"group":["a","b"]}}`,
	`{"rule":{"id":"1","groups":["a",null,"c"]}}`,
	`{"rule":{"id":"1","groups":["a",1]}}`,
	`{"rule":{"id":"1"},"Rule":{"id":"2"}}`,
	`{"rule":{"id":"1"},"rule":{"id":"2","level":5}}`,
	`{"rule":{"id":"1","ID":"2"}}`,
	`{"rule":{"id":"1"},"ſyscheck":{"a":1}}`,
	`{"rule":{"id":"1"},"data":{"a":1,"a":{"b":2}}}`,
	`{"rule":{"id":"1"},"data":{"a":{"b":2},"a":"x"}}`,
	`{"rule":{"id":"1"},"data":{"a.b":"1","a":{"b":"2"}}}`,
	`{"rule":{"id":"1"},"data":{"x":[1,"<a&b>",{"z":1,"y":[true,null]},"\u2028"],"e":{},"n":null,"t":true,"f":false,"num":-1.5e+10}}`,
	`{"rule":{"id":"1"},"data":{"srcip":"1.2.3.4","dstuser":"root"},"srcip":"5.6.7.8","dstuser":"x"}`,
	`{"rule":{"id":"1"},"srcip":12,"srcport":"22","dstip":null,"dstport":80}`,
	`{"rule":{"id":"1"},"data":"str"}`,
	`{"rule":{"id":"1"},"data":null,"syscheck":null,"agent":null}`,
	`{"rule":{"id":"1"},"full_log":"a\nb\r\nc\\d\"e\/f\u00e9\ud83d\ude00\ud800x\b\f\t"}`,
	"{\"rule\":{\"id\":\"1\"},\"full_log\":\"bad \xff utf8\"}",
	"{\"rule\":{\"id\":\"1\"},\"full_log\":\"ctl \x01\"}",
	`{"rule":{"id":"1"},"full_log":5}`,
	`{"rule":{"id":"x"}}`,
	`{"rule":{"id":"-1"}}`,
	`{"rule":{"id":"1","level":"high"}}`,
	`{"rule":{"id":true}}`,
	`{"rule":{"id":"1"},"TimeStamp":1790275519123}`,
	`{"rule":{"id":"1"},"TimeStamp":"1790275519123"}`,
	`{"rule":{"id":"1"},"timestamp":"2026-09-24T18:45:19.819+0530"}`,
	`{"rule":{"id":"1"},"timestamp":"2026-09-24T18:45:19+0000","TimeStamp":5}`,
	`{"rule":{"sidid":7,"comment":"c","group":["g"]},"location":"(web) 1.2.3.4->/var/log/x","hostname":"h","agent_name":"a","agentip":"9.9.9.9"}`,
	`{"rule":{"id":"1"},"agent":{"id":"002","name":"w","labels":{"a":"b","n":1,"o":{"x":1},"l":[1]}},"location":"/var/log/y"}`,
	`{"rule":{"id":"1"},"agent":{"id":2,"name":"w"},"location":"(w) any->/x"}`,
	`{"rule":{"id":"1"},"agent":{"id":"003","name":"w","ip":""},"location":"z"}`,
	`{"rule":{"id":"1"},"previous_output":"p","data":{"previous_output":"q"}}`,
	`{"rule":{"id":"1"},"syscheck":{"path":"/x","sha1_after":"ab","changed_attributes":["size"]},"data":{"syscheck.path":"y"}}`,
	`{"rule":{"id":"1"},"syscheck":{"path":"/x","sha1_after":"ab","changed_attributes":["size","md5"],"perm_after":{"a":"b"}},"data":{"srcip":"1.1.1.1"}}`,
	`{"rule":{"id":"1"},"data":{"a":01}}`,
	`{"rule":{"id":"1"},"data":{"a":1.}}`,
	`{"rule":{"id":"1"},"data":{"a":-}}`,
	`{"rule":{"id":"1"},"data":{"a":tru}}`,
	`{"rule":{"id":"1"},"data":{"a":"\x"}}`,
	`{"rule":{"id":"1"},"data":{"a":"\u12"}}`,
	`{"rule":{"id":"1"},"data":{"a":1,}}`,
	`{"rule":{"id":"1"} , }`,
	`{"rule" : { "id" : "1" , "level" : 2 } , "data" : { "k" : [ ] } }`,
	`{"rule":{"id":"1"},"data":{"":"empty key","é":"x"}}`,
	`{"rule":{"id":"1"},"data":{"a":1,"\u0061":2}}`,
	`{"rule":{"id":"1"},"data":{"w\"in":{"k\\e\/y":"v\"\\","\ud83d\ude00":"\ud800x\ud800\u0041\udc00\ud800\ud800\ud83d"}}}`,
	`{"rule":{"id":"1","description":"end\\"},"full_log":"\"quoted\" \u003cb\u003e","location":"C:\\Windows\\x"}`,
	`{"rule":{"id":"1"},"data":{"x":["a\"b","c d",1.5e3,"\u00e9"],"y":["plain",2,true,null],"z":[{"b":1,"a":2}]}}`,
	`{"rule":{"id":"1"},"agent":{"id":"1","name":"n","labels":{"a\tb":"c\nd"}},"data":{"a":"\u0000"}}`,
	`{"rule":{"id":"1"},"data":{"a":"x\q"}}`,
	`{"rule":{"id":"1"},"data":{"a":"x\u12G4"}}`,
	`{"rule":{"id":"1"},"data":{"a":"x\`,
	"{\"rule\":{\"id\":\"1\"},\"data\":{\"a\":\"tab\tin\"}}",
	"{\"rule\":{\"id\":\"1\"},\t\"data\":{\"a\":\"x\"}}",
	`{"rule":{"id":"1","description":"` + strings.Repeat("x", 5000) + `"}}`,
	`{"rule":{"id":"1"},"data":` + strings.Repeat(`{"a":`, 300) + `1` + strings.Repeat(`}`, 300) + `}`,
	`{"rule":{"id":"1"},"data":{"a":` + strings.Repeat(`[`, 20000) + strings.Repeat(`]`, 20000) + `}}`,
}

func TestParseJSONAlertMatchesReference(t *testing.T) {
	for i, c := range jsonEdgeCases {
		sameJSONParse(t, fmt.Sprintf("edge case %d %.60q", i, c), []byte(c))
		sameJSONParse(t, fmt.Sprintf("edge case %d with newline", i), []byte(c+"\r\n"))
	}
	m, _ := filepath.Glob(filepath.Join("testdata", "samples", "*"))
	n := 0
	for _, p := range m {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		// Every JSON value in the file (pretty-printed ones included) and
		// every alert nested in an active-response message.
		d := json.NewDecoder(bytes.NewReader(raw))
		for i := 1; ; i++ {
			var v json.RawMessage
			if d.Decode(&v) != nil {
				break
			}
			var c bytes.Buffer
			if json.Compact(&c, v) != nil || c.Len() == 0 || c.Bytes()[0] != '{' {
				continue
			}
			sameJSONParse(t, fmt.Sprintf("%s value %d", filepath.Base(p), i), c.Bytes())
			n++
			var msg struct {
				Parameters struct {
					Alert json.RawMessage `json:"alert"`
				} `json:"parameters"`
			}
			if json.Unmarshal(v, &msg) == nil && len(msg.Parameters.Alert) > 0 {
				sameJSONParse(t, fmt.Sprintf("%s value %d alert", filepath.Base(p), i), msg.Parameters.Alert)
				n++
			}
		}
	}
	if n < 10 {
		t.Fatalf("only %d JSON values in the samples", n)
	}
}

// FuzzParseLogAlertReference: the alerts.log parser gives what the
// reference parser gives, for any block.
func FuzzParseLogAlertReference(f *testing.F) {
	seedSamples(f, "*.log")
	for _, c := range logEdgeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		sameLogParse(t, "input", in)
		if i := bytes.Index(in, []byte(headerPrefix)); i > 0 {
			sameLogParse(t, "input from its first header", in[i:])
		}
	})
}

// FuzzParseJSONAlertReference: the JSON alert parser gives what the
// reference parser (encoding/json into the old structs) gives, for any
// input.
func FuzzParseJSONAlertReference(f *testing.F) {
	seedSamples(f, "*.json")
	for _, c := range jsonEdgeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		sameJSONParse(t, "input", in)
	})
}

// TestJSONFastPathTaken: real alerts take the fast path (a regression
// there would only show as lost speed).
func TestJSONFastPathTaken(t *testing.T) {
	for _, name := range []string{"wazuh4-alerts-subset.json", "wazuh-alert-json-frequency-rule.json"} {
		raw, err := os.ReadFile(filepath.Join("testdata", "samples", name))
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
			if _, ok := fastDecodeJSON(string(l)); !ok {
				t.Errorf("%s line %d: fast path not taken", name, i+1)
			}
		}
	}
}

func TestQuickJSONTimeMatchesTimeParse(t *testing.T) {
	const layout = "2006-01-02T15:04:05.000-0700"
	check := func(ts string) {
		t.Helper()
		want, err := time.Parse(layout, ts)
		got, ok := quickJSONTime(ts)
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("quickJSONTime(%q) accepted what time.Parse rejects: %v", ts, err)
		}
		gn, goff := got.Zone()
		wn, woff := want.Zone()
		if !got.Equal(want) || gn != wn || goff != woff || got.Location().String() != want.Location().String() {
			t.Fatalf("quickJSONTime(%q) = %v (%s %d), time.Parse %v (%s %d)", ts, got, gn, goff, want, wn, woff)
		}
	}
	for _, loc := range []string{"UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns"} {
		l, err := time.LoadLocation(loc)
		if err != nil {
			continue
		}
		saved := time.Local
		time.Local = l
		for _, date := range []string{"2026-09-24", "2024-02-29", "2023-02-29", "2100-02-29", "2000-02-29", "0000-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-03-29", "2026-10-25"} {
			for _, clock := range []string{"00:00:00.000", "01:30:59.999", "23:59:59.123", "24:00:00.000", "12:60:00.000", "12:00:60.000", "1:00:00.0000"} {
				for _, zone := range []string{"+0000", "-0000", "+0100", "+0200", "+0530", "-0330", "-1200", "+1400", "+2359", "+2400", "+0060", "Z0000", "+00:0"} {
					check(date + "T" + clock + zone)
				}
			}
		}
		time.Local = saved
	}
}
