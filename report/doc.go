// Package report writes the analysis for people (text) and for programs
// (JSON, JSON lines). It reads only the model: the same sessions, channels
// and findings feed every output, so they never disagree.
package report
