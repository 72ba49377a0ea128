package model

import (
	"testing"
	"time"
)

func TestAppendUTCIsTheLayout(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2026, 12, 1, 18, 45, 19, 9123, time.UTC),
		time.Date(1999, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)),
		time.Unix(0, 1).UTC(),
		time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC),
	} {
		got := string(Time{tm}.AppendUTC(nil))
		want := tm.UTC().Format(TimeLayout)
		if got != want {
			t.Errorf("AppendUTC(%v) = %s, want %s", tm, got, want)
		}
	}
}

func TestSeverity(t *testing.T) {
	for _, s := range []Severity{Info, Warning, Error} {
		p, err := ParseSeverity(s.String())
		if err != nil || p != s {
			t.Errorf("%v round trip: %v %v", s, p, err)
		}
		if s.Glyph() == " " {
			t.Errorf("%v has no glyph", s)
		}
	}
	if _, err := ParseSeverity("fatal"); err == nil {
		t.Error("fatal accepted")
	}
	if !(Info < Warning && Warning < Error) {
		t.Error("order")
	}
}

func TestAppendDigits(t *testing.T) {
	for _, c := range []struct {
		v, width int
		want     string
	}{
		{0, 9, "000000000"}, {5, 1, "5"}, {7, 2, "07"}, {2026, 4, "2026"}, {123456789, 9, "123456789"},
		{999999999, 9, "999999999"}, {100, 3, "100"}, {1000, 9, "000001000"}, {42, 3, "042"},
	} {
		if got := string(AppendDigits([]byte("x"), c.v, c.width)); got != "x"+c.want {
			t.Errorf("AppendDigits(%d, %d) = %q, want %q", c.v, c.width, got, "x"+c.want)
		}
	}
}
