package dissect

import (
	"time"

	"github.com/ftpscope/ftpscope/model"
)

// channelStatus judges how a data-channel attempt ended (report.md):
//
//   - rejected: the server refused the announcement (4yz/5yz to PORT/EPRT);
//   - unused: announced, and no transfer command used it, or the server
//     refused the transfer itself before any data flowed (550 No such file);
//   - no-connection: a transfer needed it and no data connection was seen;
//   - refused: a RST answered the SYN;
//   - filtered: the SYN went unanswered, retransmitted or not;
//   - aborted: 426, a reset mid-transfer, or a 425 after the connection came;
//   - truncated: fewer bytes than announced (150 or 213, less any REST);
//   - ok: the transfer completed;
//   - unknown: the capture ended before the outcome.
func channelStatus(ch *channel, c *model.Connection, sessionEnd time.Time, cfg Config) string {
	if ch.rejected {
		return model.StatusRejected
	}
	if c != nil {
		switch {
		case c.Refused:
			return model.StatusRefused
		case !c.Established && c.HandshakeSeen:
			return model.StatusFiltered
		}
	}
	x := ch.xfer
	if x == nil {
		if c != nil && c.Match == model.MatchInferred {
			// Under TLS the transfer command is not readable: judge by
			// the connection alone.
			if c.Reset && c.Closed == "rst" && c.BytesToFTPClient+c.BytesToFTPServer > 0 {
				return model.StatusAborted
			}
			return model.StatusOK
		}
		return model.StatusUnused
	}
	final := x.final
	if c == nil {
		switch {
		case final >= 200 && final < 300:
			// The server says it worked; the data connection is just not
			// in this capture (filtered to port 21, or another vantage).
			return model.StatusOK
		case final == 425 || final == 426:
			return model.StatusNoConnection
		case final >= 400 && !hasPreliminary(x):
			return model.StatusUnused
		case final == 0:
			if sessionEnd.Sub(x.ts) < cfg.DataTimeout {
				return model.StatusUnknown
			}
			return model.StatusNoConnection
		}
		return model.StatusNoConnection
	}
	bytes := c.BytesToFTPClient + c.BytesToFTPServer
	if n := ch.tls.FileBytes(); n >= 0 {
		bytes = n // under TLS the file is what the announced size measures
	}
	switch {
	case final == 426:
		return model.StatusAborted
	case final == 425:
		return model.StatusAborted
	case final >= 200 && final < 300:
		if expectedBytes(x) > bytes {
			return model.StatusTruncated
		}
		return model.StatusOK
	case final >= 400:
		if c.Reset && bytes > 0 {
			return model.StatusAborted
		}
		if bytes == 0 && !hasPreliminary(x) {
			return model.StatusUnused
		}
		return model.StatusAborted
	case final == 0:
		if expectedBytes(x) > bytes && c.Closed != "" && c.Closed != "capture-end" {
			return model.StatusTruncated
		}
		if c.Reset && c.Closed == "rst" {
			return model.StatusAborted
		}
	}
	return model.StatusUnknown
}

// expectedBytes is the size a download should carry, or -1.
func expectedBytes(x *transfer) int64 {
	if x.size < 0 || x.verb != "RETR" {
		return -1
	}
	n := x.size
	if x.hasRestart {
		n -= x.restart
	}
	return n
}

func hasPreliminary(x *transfer) bool {
	for _, c := range x.replyCodes {
		if c >= 100 && c < 200 {
			return true
		}
	}
	return false
}
