package tcpseq

import "testing"

func TestReorderQueueInsertPop(t *testing.T) {
	var q ReorderQueue
	q.Insert(QueuedSegment{Seq: 30, N: 3}, []byte("ccc"))
	q.Insert(QueuedSegment{Seq: 10, N: 2, Cut: 5}, []byte("aa"))
	q.Insert(QueuedSegment{Seq: 20, N: 4}, []byte("bbbb"))
	if len(q.segs) != 3 || string(q.data) != "aabbbbccc" || string(q.Bytes(1)) != "bbbb" || q.segs[0].End() != 17 {
		t.Fatalf("queue %+v %q", q.segs, q.data)
	}
	q.PopFront()
	if q.segs[0].Seq != 20 || string(q.data) != "bbbbccc" || string(q.Bytes(1)) != "ccc" {
		t.Fatalf("after pop %+v %q", q.segs, q.data)
	}
	if !q.Full(MaxQueuedBytes) || q.Full(10) {
		t.Error("byte bound")
	}
	var none *ReorderQueue
	if !none.Empty() {
		t.Error("a direction without a queue has something queued")
	}
}
