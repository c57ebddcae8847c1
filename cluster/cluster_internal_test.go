package cluster

import (
	"runtime"
	"testing"
)

func TestCount(t *testing.T) {
	cases := []struct {
		workers      int
		env, webConc string
		want         int
	}{
		{0, "", "", 1},
		{3, "", "", 3},
		{0, "4", "", 4},
		{0, "", "5", 5},
		{0, "2", "5", 2},
		{6, "2", "", 6},
		{-1, "", "", runtime.NumCPU()},
		{-1000, "", "", 1},
		{0, "junk", "", 1},
	}
	for _, c := range cases {
		t.Setenv("WORKERS", c.env)
		t.Setenv("WEB_CONCURRENCY", c.webConc)
		cl := &Cluster{Workers: c.workers}
		if got := cl.Count(); got != c.want {
			t.Errorf("Workers %d, WORKERS=%q, WEB_CONCURRENCY=%q: %d, want %d", c.workers, c.env, c.webConc, got, c.want)
		}
	}
}
