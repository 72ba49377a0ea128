package reporttest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// additions are the fields this copy of the schema has beyond the
// contract, by JSON path, each documented in docs/report.md: the contract
// allows them (its objects are open), the copy checks their type.
var additions = [][]string{
	{"properties", "stats", "properties", "interrupted"},
}

func TestSchemaIsTheContract(t *testing.T) {
	contract, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "spec", "report.schema.json"))
	if err != nil {
		t.Skipf("contract not beside the checkout: %v", err)
	}
	if bytes.Equal(contract, schemaJSON) {
		return
	}
	var want, got map[string]any
	if err := json.Unmarshal(contract, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(schemaJSON, &got); err != nil {
		t.Fatal(err)
	}
	for _, path := range additions {
		m := got
		for _, k := range path[:len(path)-1] {
			m, _ = m[k].(map[string]any)
		}
		if _, ok := m[path[len(path)-1]]; !ok {
			t.Errorf("addition %v is not in the copy: drop it from the list", path)
		}
		delete(m, path[len(path)-1])
	}
	if !reflect.DeepEqual(want, got) {
		t.Fatal("internal/reporttest/report.schema.json differs from ../shared/spec/report.schema.json beyond its listed additions: copy the contract over, then add them again")
	}
}

func TestValidateRejects(t *testing.T) {
	if err := Validate([]byte(`{"schema":"ftpscope.report/1","tool":{"name":"ftpscope","version":"x"},"sources":[],"sessions":[],"findings":[],"stats":{}}`)); err != nil {
		t.Fatalf("minimal report rejected: %v", err)
	}
	if err := Validate([]byte(`{"schema":"other"}`)); err == nil {
		t.Fatal("a report without its fields was accepted")
	}
}
