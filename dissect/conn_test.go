package dissect

import (
	"testing"
	"unsafe"
)

// Every connection is an allocation of conn's size class: 512 bytes hold
// it, where one byte more takes 576 (the allocator's next class).
func TestConnSize(t *testing.T) {
	if n := unsafe.Sizeof(conn{}); n > 512 {
		t.Errorf("conn takes %d bytes, more than 512: an allocation of the 576-byte class for every connection", n)
	}
}
