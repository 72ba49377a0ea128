package analysis

import (
	"time"

	"github.com/ftpscope/ftpscope/model"
)

// PairConsumer is implemented by a Consumer that wants each NAT pair as
// soon as it is made, with the findings made of it: when the second leg
// concludes, just before that leg's Session (ECS output fills the legs'
// source.nat and destination.nat from it). Both are also in the Summary.
type PairConsumer interface {
	NATPair(p *model.NATPair, findings []model.Finding)
}

// PairWindow is how long, in capture time, a NAT leg waits for its other
// leg: consumers that hold legs (PairConsumer) wait as long.
func PairWindow(live bool) time.Duration {
	if live {
		return pairWindowLive
	}
	return pairWindowFiles
}
