package ecs

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// flatten rewrites a document in ECS's dotted notation: every field at the
// top level under its full name ({"source":{"nat":{"ip":…}}} becomes
// {"source.nat.ip":…}); arrays stay whole. Elasticsearch reads either
// form; ClickHouse before 19 maps only flat JSON objects onto columns.
func flatten(doc []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("flattening an ECS document: %v", err)
	}
	flat := map[string]any{}
	flattenInto(flat, "", v)
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(flat); err != nil { // sorted keys
		return nil, err
	}
	return bytes.TrimSuffix(out.Bytes(), []byte{'\n'}), nil
}

func flattenInto(out map[string]any, prefix string, v map[string]any) {
	for k, x := range v {
		name := k
		if prefix != "" {
			name = prefix + "." + k
		}
		if m, ok := x.(map[string]any); ok && len(m) > 0 {
			flattenInto(out, name, m)
			continue
		}
		out[name] = x
	}
}
