package dissect

import "fmt"

// vantage is one point of view on the network: a source, and within it one
// capture interface. Connections, announcements and data connections are
// matched within a vantage only: the two legs of a NAT are two vantages.
type vantage struct {
	id     uint32
	source int
	label  string // the source's label
	iface  string // interface name within the source, "" when only one
}

type vantageKey struct {
	source  int
	iface   int // pcapng interface id
	ifindex int // Linux cooked v2 interface index, -1 if none
}

// vantageOf returns (creating it on first sight) the vantage of a packet:
// its source, the capture interface within it (pcapng id, and its name
// when the source has several) and the cooked-v2 interface index.
func (a *Analyzer) vantageOf(source, iface int, ifaceName string, ifindex int) *vantage {
	k := vantageKey{source, iface, ifindex}
	if a.lastVantage != nil && a.lastVantageKey == k {
		return a.lastVantage
	}
	v, ok := a.vantages[k]
	if !ok {
		v = &vantage{id: uint32(len(a.vantageList)), source: source}
		if source < len(a.sources) {
			v.label = a.sources[source].Label
		}
		switch {
		case ifindex >= 0 && ifaceName != "":
			v.iface = fmt.Sprintf("%s/if%d", ifaceName, ifindex)
		case ifindex >= 0:
			v.iface = fmt.Sprintf("if%d", ifindex)
		default:
			v.iface = ifaceName
		}
		a.vantages[k] = v
		a.vantageList = append(a.vantageList, v)
	}
	a.lastVantage, a.lastVantageKey = v, k
	return v
}
