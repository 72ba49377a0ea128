package model

import "testing"

func TestEvidenceDescribe(t *testing.T) {
	cases := []struct {
		name string
		e    Evidence
		want string
	}{
		{"empty", Evidence{}, ""},
		{"one frame", Evidence{Source: "client.pcap", Frames: []uint64{161}}, "frame 161 of client.pcap"},
		{"frames and wire", Evidence{Frames: []uint64{16, 17}, Wire: []string{"PORT 192,168,1,10,176,13", "500 Illegal PORT command."}},
			`frames 16, 17; "PORT 192,168,1,10,176,13"; "500 Illegal PORT command."`},
		{"other leg", Evidence{Source: "gw", Frames: []uint64{3}, Other: &Evidence{Source: "gw", Frames: []uint64{4, 9}}},
			"frame 3 of gw; other leg: frames 4, 9 of gw"},
		{"quoted control bytes", Evidence{Wire: []string{"USER a\x00b"}}, `"USER a\x00b"`},
	}
	for _, c := range cases {
		if got := c.e.Describe("; "); got != c.want {
			t.Errorf("%s: Describe = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestLikeIt(t *testing.T) {
	cases := []struct {
		others []string
		limit  int
		want   string
	}{
		{nil, 8, ""},
		{[]string{"s3", "s5", "s5", "s7", "s9"}, 8, "s3, s5 ×2, s7, s9"},
		{[]string{"a", "b", "c", "d"}, 2, "a, b, …"},
		{[]string{"a", "a", "a"}, 1, "a ×3"},
	}
	for _, c := range cases {
		if got := LikeIt(c.others, c.limit); got != c.want {
			t.Errorf("LikeIt(%q, %d) = %q, want %q", c.others, c.limit, got, c.want)
		}
	}
}

func TestFindingWhere(t *testing.T) {
	for _, c := range []struct {
		f    Finding
		want string
	}{
		{Finding{Session: "s1", Channel: "s1.c2"}, "s1.c2"},
		{Finding{Session: "s1"}, "s1"},
		{Finding{}, "capture"},
	} {
		if got := c.f.Where(); got != c.want {
			t.Errorf("%+v: Where = %q, want %q", c.f, got, c.want)
		}
	}
}
