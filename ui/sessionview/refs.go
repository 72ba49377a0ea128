package sessionview

// Item references: what a selected item points at, for Enter and for the
// jumps that land on it.
type (
	DialogRef struct {
		Index   int
		Frame   uint64
		Channel string // the channel this line announces or uses
	}
	ChannelRef struct {
		ID     string
		Frames []uint64 // announce, transfer and data frames
	}
	FindingRef struct {
		Session string
		Index   int // within the session's findings; -1 in the overview
		Frames  []uint64
		Channel string
		Rule    string
		Summary string
	}
)
