// Package samples holds the captures made in the namespace lab (lab/,
// captures/) and the tests that run ftpscope over them: golden JSON reports,
// the expected findings of every scenario, and the lab run end to end.
package samples
