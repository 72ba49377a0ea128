package ecs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/communityid"
)

// fieldReference is testdata/ecs_fields.json: the ECS fields these
// documents use, with their types, taken from the ECS field reference.
type fieldReference struct {
	ECSVersion    string              `json:"ecs_version"`
	Origin        string              `json:"origin"`
	Fields        map[string]string   `json:"fields"`
	Arrays        []string            `json:"arrays"`
	AllowedValues map[string][]string `json:"allowed_values"`
}

func loadReference(t *testing.T) *fieldReference {
	t.Helper()
	raw, err := os.ReadFile("testdata/ecs_fields.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref fieldReference
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Fields) == 0 || !strings.HasPrefix(ref.ECSVersion, strings.TrimSuffix(Version, ".0")) {
		t.Fatalf("fixture for ECS %q, documents say %q", ref.ECSVersion, Version)
	}
	return &ref
}

// checkDocument returns what is wrong with one document: an ECS field
// not in the reference, a value of the wrong type or not allowed. Fields
// under ftpscope.* are ftpscope's own and not checked.
func (ref *fieldReference) checkDocument(line []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return []string{fmt.Sprintf("not JSON: %v", err)}
	}
	var problems []string
	leaves := map[string]any{}
	leavesOf("", doc, leaves)
	for name, v := range leaves {
		if name == "ftpscope" || strings.HasPrefix(name, "ftpscope.") {
			continue
		}
		typ, ok := ref.Fields[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s is not an ECS field of the reference", name))
			continue
		}
		values := []any{v}
		if list, isList := v.([]any); isList {
			if !slices.Contains(ref.Arrays, name) {
				problems = append(problems, fmt.Sprintf("%s is an array", name))
			}
			values = list
		}
		for _, x := range values {
			if msg := checkType(typ, x); msg != "" {
				problems = append(problems, fmt.Sprintf("%s (%s): %s", name, typ, msg))
			}
			if allowed, ok := ref.AllowedValues[name]; ok {
				if s, _ := x.(string); !slices.Contains(allowed, s) {
					problems = append(problems, fmt.Sprintf("%s: %v is not an allowed value", name, x))
				}
			}
		}
	}
	for _, required := range []string{"@timestamp", "ecs.version", "event.kind", "event.category", "event.type", "event.dataset", "message"} {
		if _, ok := leaves[required]; !ok {
			problems = append(problems, required+" is missing")
		}
	}
	problems = append(problems, checkCommunityID(leaves)...)
	sort.Strings(problems)
	return problems
}

// leavesOf records every leaf of v under its dotted name; an array of
// scalars is one leaf.
func leavesOf(prefix string, v any, out map[string]any) {
	if m, ok := v.(map[string]any); ok {
		for k, x := range m {
			name := k
			if prefix != "" {
				name = prefix + "." + k
			}
			leavesOf(name, x, out)
		}
		return
	}
	out[prefix] = v
}

func checkType(typ string, v any) string {
	switch typ {
	case "keyword", "match_only_text":
		if _, ok := v.(string); !ok {
			return fmt.Sprintf("%v is not a string", v)
		}
	case "long":
		n, ok := v.(json.Number)
		if !ok {
			return fmt.Sprintf("%v is not a number", v)
		}
		if _, err := n.Int64(); err != nil {
			return fmt.Sprintf("%v is not a whole number", v)
		}
	case "ip":
		s, _ := v.(string)
		if _, err := netip.ParseAddr(s); err != nil {
			return fmt.Sprintf("%v is not an IP address", v)
		}
	case "date":
		s, _ := v.(string)
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return fmt.Sprintf("%v is not a date", v)
		}
	default:
		return "type not handled by this test"
	}
	return ""
}

// checkCommunityID recomputes network.community_id from the document's
// own endpoints.
func checkCommunityID(leaves map[string]any) []string {
	id, ok := leaves["network.community_id"].(string)
	if !ok {
		return nil
	}
	ep := func(side string) (netip.AddrPort, bool) {
		ip, _ := leaves[side+".ip"].(string)
		port, _ := leaves[side+".port"].(json.Number)
		a, err := netip.ParseAddr(ip)
		n, perr := port.Int64()
		return netip.AddrPortFrom(a, uint16(n)), err == nil && perr == nil
	}
	src, ok1 := ep("source")
	dst, ok2 := ep("destination")
	if !ok1 || !ok2 {
		return []string{"network.community_id without both endpoints"}
	}
	if want := communityid.TCP(src, dst); id != want {
		return []string{fmt.Sprintf("network.community_id %s, but %s ↔ %s gives %s", id, src, dst, want)}
	}
	return nil
}

func TestReferenceRejectsWhatECSDoesNot(t *testing.T) {
	ref := loadReference(t)
	good := `{"@timestamp":"2026-12-01T18:45:19.012379000Z","ecs":{"version":"8.12.0"},"event":{"kind":"event","category":["network"],"type":["connection"],"dataset":"ftpscope.session"},"message":"m","source":{"ip":"192.0.2.1","port":1},"destination":{"ip":"192.0.2.2","port":21},"network":{"community_id":"` +
		communityid.TCP(netip.MustParseAddrPort("192.0.2.1:1"), netip.MustParseAddrPort("192.0.2.2:21")) + `"},"ftpscope":{"anything":[1,{"x":null}]}}`
	if p := ref.checkDocument([]byte(good)); len(p) != 0 {
		t.Fatalf("a valid document rejected: %v", p)
	}
	for _, c := range []struct{ change, want string }{
		{`"port":1}`, `"port":"1"}`},
		{`"ip":"192.0.2.1"`, `"ip":"host.example"`},
		{`"kind":"event"`, `"kind":"happening"`},
		{`"dataset":"ftpscope.session"`, `"dataset":"ftpscope.session","colour":"red"`},
		{`"port":21`, `"port":21.5`},
		{`"message":"m",`, ``},
		{`"port":1}`, `"port":2}`}, // the community ID no longer fits
	} {
		bad := strings.Replace(good, c.change, c.want, 1)
		if p := ref.checkDocument([]byte(bad)); len(p) == 0 {
			t.Errorf("%s → %s not caught", c.change, c.want)
		}
	}
}
