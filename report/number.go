package report

import (
	"math/bits"
	"slices"
)

// appendUint appends v in decimal, as strconv.AppendUint(b, v, 10) does:
// the digits are written in place, two at a time, into room grown once
// (strconv writes them into a buffer of its own and copies them over; a
// report writes a few numbers for every dialog line).
func appendUint(b []byte, v uint64) []byte {
	if v < 10 {
		return append(b, byte('0'+v))
	}
	n := decimalDigits(v)
	l := len(b)
	b = slices.Grow(b, n)[:l+n]
	d := b[l : l+n]
	i := n
	for v >= 100 {
		q := v / 100
		r := (v - q*100) * 2
		d[i-2], d[i-1] = digitPairs[r], digitPairs[r+1]
		v = q
		i -= 2
	}
	if v >= 10 {
		d[0], d[1] = digitPairs[v*2], digitPairs[v*2+1]
	} else {
		d[0] = byte('0' + v)
	}
	return b
}

// appendInt appends v in decimal, as strconv.AppendInt(b, v, 10) does.
func appendInt(b []byte, v int64) []byte {
	if v < 0 {
		return appendUint(append(b, '-'), uint64(-v)) // -MinInt64 wraps to its magnitude
	}
	return appendUint(b, uint64(v))
}

// decimalDigits returns the number of decimal digits of v (1 for 0).
func decimalDigits(v uint64) int {
	// bits.Len64(v)*1233>>12 is floor(log10(2^bits)): the count, or one less
	n := bits.Len64(v) * 1233 >> 12
	if n < len(powersOf10) && v >= powersOf10[n] {
		n++
	}
	return max(n, 1)
}

var powersOf10 = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

const digitPairs = "00010203040506070809" + "10111213141516171819" + "20212223242526272829" +
	"30313233343536373839" + "40414243444546474849" + "50515253545556575859" + "60616263646566676869" +
	"70717273747576777879" + "80818283848586878889" + "90919293949596979899"
