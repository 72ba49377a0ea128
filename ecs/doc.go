// Package ecs writes ftpscope's results as newline-delimited JSON in
// Elastic Common Schema terms (ECS 8.12): one document per FTP session, per
// data channel and per finding, for the pipelines that already read Zeek's
// and Suricata's records (Filebeat, Vector, Elasticsearch, OpenSearch,
// ClickHouse). The mapping is docs/ecs.md; the report's own fields ride
// under ftpscope.*.
package ecs

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
)

// Version is the ECS version the documents follow (ecs.version).
const Version = "8.12.0"

// document is one encoded ECS document, without its newline. srcNAT and
// dstNAT are the offsets, inside the source and destination objects, where
// a "nat" object goes once the other leg of a NAT is known (-1: the
// document has no such object).
type document struct {
	b              []byte
	srcNAT, dstNAT int
	session        bool           // the session's own document
	channel        string         // a channel document's channel ID
	finding        *model.Finding // a finding document's finding
}

// builder appends one JSON document, tracking where commas go.
type builder struct {
	b     []byte
	first []bool // per open object: nothing written in it yet
}

func (d *builder) begin() {
	d.b = append(d.b, '{')
	d.first = append(d.first[:0], true)
}

func (d *builder) key(k string) {
	top := len(d.first) - 1
	if !d.first[top] {
		d.b = append(d.b, ',')
	}
	d.first[top] = false
	d.b = append(d.b, '"')
	d.b = append(d.b, k...) // keys are constants: no escaping
	d.b = append(d.b, '"', ':')
}

func (d *builder) open(k string) {
	d.key(k)
	d.b = append(d.b, '{')
	d.first = append(d.first, true)
}

func (d *builder) close() {
	d.b = append(d.b, '}')
	d.first = d.first[:len(d.first)-1]
}

func (d *builder) str(k, v string) {
	d.key(k)
	d.b = report.AppendString(d.b, v)
}

func (d *builder) strOmit(k, v string) {
	if v != "" {
		d.str(k, v)
	}
}

func (d *builder) strs(k string, vs ...string) {
	d.key(k)
	d.b = append(d.b, '[')
	for i, v := range vs {
		if i > 0 {
			d.b = append(d.b, ',')
		}
		d.b = report.AppendString(d.b, v)
	}
	d.b = append(d.b, ']')
}

func (d *builder) int(k string, v int64) {
	d.key(k)
	d.b = strconv.AppendInt(d.b, v, 10)
}

func (d *builder) time(k string, t time.Time) {
	d.key(k)
	d.b = append(d.b, '"')
	d.b = model.At(t).AppendUTC(d.b)
	d.b = append(d.b, '"')
}

// raw writes an already encoded JSON value.
func (d *builder) raw(k string, v []byte) {
	d.key(k)
	d.b = append(d.b, v...)
}

// endpoint writes an ECS source or destination object and returns where
// its "nat" object would go. A port of 0 (unknown) is left out.
func (d *builder) endpoint(k string, ip netip.Addr, port uint16, bytes int64, withBytes bool) int {
	d.open(k)
	d.str("ip", ip.Unmap().String())
	if port != 0 {
		d.int("port", int64(port))
	}
	if withBytes {
		d.int("bytes", bytes)
	}
	at := len(d.b)
	d.close()
	return at
}

// appendNAT appends the ,"nat":{…} object for the endpoint's other leg.
func appendNAT(b []byte, ap netip.AddrPort) []byte {
	b = append(b, `,"nat":{"ip":"`...)
	b = ap.Addr().Unmap().AppendTo(b)
	b = append(b, `","port":`...)
	b = strconv.AppendUint(b, uint64(ap.Port()), 10)
	return append(b, '}')
}
