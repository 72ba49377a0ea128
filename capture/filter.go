package capture

import (
	"fmt"

	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/bpf"
)

// filterSnaplen is the snapshot length the expression is compiled for; it
// only bounds what "greater"/"less" and loads can address.
const filterSnaplen = 262144

// Filter runs a tcpdump-syntax capture filter over packets read from files.
// The expression is compiled by libpcap, once per link type met, and run in
// x/net/bpf's virtual machine, so it means exactly what it means to tcpdump.
type Filter struct {
	expr string
	vms  map[layers.LinkType]*bpf.VM
}

// NewFilter compiles expr. It fails on a syntax error, or when this build
// has no libpcap (CGO_ENABLED=0 or -tags nopcap).
func NewFilter(expr string) (*Filter, error) {
	f := &Filter{expr: expr, vms: map[layers.LinkType]*bpf.VM{}}
	if _, err := f.vm(layers.LinkTypeEthernet); err != nil {
		return nil, err
	}
	return f, nil
}

// String returns the expression.
func (f *Filter) String() string { return f.expr }

// Match reports whether p passes the filter.
func (f *Filter) Match(p Packet) (bool, error) {
	vm, err := f.vm(p.LinkType)
	if err != nil {
		return false, err
	}
	n, err := vm.Run(p.Data)
	return n > 0, err
}

func (f *Filter) vm(lt layers.LinkType) (*bpf.VM, error) {
	if vm, ok := f.vms[lt]; ok {
		return vm, nil
	}
	raw, err := compileFilter(lt, f.expr)
	if err != nil {
		return nil, fmt.Errorf("filter %q for link type %s: %w", f.expr, LinkTypeName(lt), err)
	}
	prog, ok := bpf.Disassemble(raw)
	if !ok {
		// Disassemble leaves instructions it cannot name raw; the VM refuses those.
		return nil, fmt.Errorf("filter %q: libpcap produced an instruction the BPF VM cannot run", f.expr)
	}
	vm, err := bpf.NewVM(prog)
	if err != nil {
		return nil, fmt.Errorf("filter %q: %w", f.expr, err)
	}
	f.vms[lt] = vm
	return vm, nil
}
