package analysis

import (
	"time"
)

// PairWindow is how long, in capture time, a NAT leg waits for its other
// leg: consumers that hold legs (PairConsumer) wait as long.
func PairWindow(live bool) time.Duration {
	if live {
		return pairWindowLive
	}
	return pairWindowFiles
}
