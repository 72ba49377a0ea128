package reporttest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestSchemaIsTheContract(t *testing.T) {
	contract, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "spec", "report.schema.json"))
	if err != nil {
		t.Skipf("contract not beside the checkout: %v", err)
	}
	if !bytes.Equal(contract, schemaJSON) {
		t.Fatal("internal/reporttest/report.schema.json differs from ../shared/spec/report.schema.json: copy the contract over")
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
