package analysis

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/ftpscope/ftpscope/internal/testcorpus"
)

// TestCommunityIDMatchesArkime checks the Community ID of the corpus's
// Arkime FTP capture against the one Arkime computed for it (its test
// expectation, ftp.test): an independent implementation of the spec.
func TestCommunityIDMatchesArkime(t *testing.T) {
	dir := filepath.Join(testcorpus.Need(t), "arkime", "ftp")
	raw, err := os.ReadFile(filepath.Join(dir, "ftp.test"))
	if err != nil {
		t.Fatal(err) // the corpus is there: its Arkime capture must be too
	}
	var expect struct {
		Sessions []struct {
			Body struct {
				Source struct {
					IP   string
					Port int
				} `json:"source"`
				Destination struct {
					IP   string
					Port int
				} `json:"destination"`
				Network struct {
					CommunityID string `json:"community_id"`
				} `json:"network"`
			} `json:"body"`
		} `json:"sessions3"`
	}
	if err := json.Unmarshal(raw, &expect); err != nil {
		t.Fatal(err)
	}
	r := analyse(t, filepath.Join(dir, "ftp.pcap"))
	ours := map[string]bool{}
	for _, s := range r.Sessions {
		ours[s.CommunityID] = true
		for _, ch := range s.Channels {
			if ch.Connection != nil {
				ours[ch.Connection.CommunityID] = true
			}
		}
	}
	checked := 0
	for _, e := range expect.Sessions {
		b := e.Body
		if b.Network.CommunityID == "" {
			continue
		}
		checked++
		if !ours[b.Network.CommunityID] {
			t.Errorf("Arkime's %s:%d → %s:%d has Community ID %s; ours are %v", b.Source.IP, b.Source.Port, b.Destination.IP, b.Destination.Port, b.Network.CommunityID, ours)
		}
	}
	if checked == 0 {
		t.Fatal("ftp.test holds no community_id")
	}
}
