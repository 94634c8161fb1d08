package alert

import (
	"reflect"
	"strings"
	"testing"
)

// TestJSONFieldTableDrivesBothDecoders: every field of the tables is read
// by the fast path and by encoding/json alike; in another case or named
// twice, the fast path leaves it to encoding/json, which folds the case.
// A field added to a table is covered here without another edit.
func TestJSONFieldTableDrivesBothDecoders(t *testing.T) {
	samples := map[fieldKind][]string{
		kindString:  {`"v1"`, `null`},
		kindFlex:    {`"7"`, `7`, `-1.5e3`, `null`},
		kindStrings: {`["a","b"]`, `[]`, `null`},
		kindNumber:  {`1700000000000`, `null`},
		kindLabels:  {`{"k":"v","n":1}`, `null`},
		kindFlatten: {`{"k":"v","n":{"m":1}}`, `null`},
	}
	containers := []struct {
		obj  *jsonObject
		wrap func(member string) string
	}{
		{alertObject, func(m string) string { return `{"rule":{},` + m + `}` }},
		{ruleObject, func(m string) string { return `{"rule":{` + m + `}}` }},
		{agentObject, func(m string) string { return `{"rule":{},"agent":{` + m + `}}` }},
	}
	n := 0
	for _, c := range containers {
		for _, f := range c.obj.fields {
			if f.kind == kindObject {
				continue // its fields are tested through its own table
			}
			vals := samples[f.kind]
			if len(vals) == 0 {
				t.Fatalf("%s.%s: no sample for kind %d", c.obj.name, f.name, f.kind)
			}
			for _, v := range vals {
				raw := c.wrap(`"` + f.name + `":` + v)
				t.Run(c.obj.name+"."+f.name+"="+v, func(t *testing.T) {
					n++
					fast, ok := fastDecodeJSON(raw)
					if !ok {
						t.Fatalf("fast path not taken for %s", raw)
					}
					slow, err := slowDecodeJSON([]byte(raw))
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(fast, slow) {
						t.Errorf("%s:\nfast %+v\nslow %+v", raw, fast, slow)
					}
					if v != "null" && v != "[]" && reflect.DeepEqual(slow, jsonDoc{Rule: docRule{Present: true}}) {
						t.Errorf("%s: the value went nowhere", raw)
					}
					other := c.wrap(`"` + strings.ToUpper(f.name) + `":` + v)
					if _, ok := fastDecodeJSON(other); ok && strings.ToUpper(f.name) != f.name {
						t.Errorf("fast path taken for %s (another case: encoding/json decides)", other)
					}
					folds := 0
					for _, g := range c.obj.fields {
						if strings.EqualFold(g.name, f.name) {
							folds++
						}
					}
					if folded, err := slowDecodeJSON([]byte(other)); folds == 1 && (err != nil || !reflect.DeepEqual(folded, slow)) {
						t.Errorf("%s: encoding/json did not fold the case: %+v, %v", other, folded, err)
					}
					twice := c.wrap(`"` + f.name + `":` + v + `,"` + f.name + `":` + v)
					if _, ok := fastDecodeJSON(twice); ok {
						t.Errorf("fast path taken for %s (a field named twice)", twice)
					}
				})
			}
		}
	}
	if n < 30 {
		t.Fatalf("only %d cases: the tables are (almost) empty", n)
	}
}
