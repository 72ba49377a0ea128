// Package reporttest checks reports in tests: every JSON report a test
// produces is validated against the contract's JSON Schema
// (../shared/spec/report.schema.json, copied here and kept identical by
// TestSchemaIsTheContract).
package reporttest

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed report.schema.json
var schemaJSON []byte

var (
	once   sync.Once
	schema *jsonschema.Schema
	errC   error
)

// SchemaJSON returns the embedded schema.
func SchemaJSON() []byte { return schemaJSON }

// Validate checks one JSON report document against the schema.
func Validate(doc []byte) error {
	once.Do(func() {
		s, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
		if err != nil {
			errC = err
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		if err := c.AddResource("urn:ftpscope:report:1", s); err != nil {
			errC = err
			return
		}
		schema, errC = c.Compile("urn:ftpscope:report:1")
	})
	if errC != nil {
		return fmt.Errorf("report schema: %w", errC)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("report is not JSON: %w", err)
	}
	return schema.Validate(v)
}
