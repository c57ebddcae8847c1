package redis_test

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plezi-go/plezi/pubsub"
)

// TestMatchTableAgainstRedis checks pubsub.Match against redis-server's
// own PSUBSCRIBE matching: every pattern of ../testdata/match_table.txt is
// subscribed through the engine, every subject published, and for every
// pattern × subject pair (not only the table's) Redis's delivery must
// equal Match's answer; the table's expected values are checked too.
func TestMatchTableAgainstRedis(t *testing.T) {
	cases := loadTable(t)
	srv := startServer(t)
	admin := srv.admin(t)
	b, _ := newEngine(t, srv.URL())

	var mu sync.Mutex
	got := map[[2]string]int{} // pattern, subject → deliveries
	patterns, subjects := map[string]bool{}, map[string]bool{}
	for _, c := range cases {
		subjects[c.s] = true
		if patterns[c.p] || c.p == "" { // the broker takes no empty names
			continue
		}
		patterns[c.p] = true
		p := c.p
		if _, err := b.Subscribe(pubsub.Sub{Pattern: p, Handler: func(m *pubsub.Message) {
			mu.Lock()
			got[[2]string{p, m.Channel}]++
			mu.Unlock()
		}}); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{}, 1)
	b.Subscribe(pubsub.Sub{Channel: "\x01end", Handler: func(*pubsub.Message) { done <- struct{}{} }})
	waitFor(t, 3*time.Second, "all patterns subscribed", func() bool {
		return numpat(t, admin) == int64(len(patterns)) && numsub(t, admin, "\x01end") == 1
	})
	for s := range subjects {
		if err := b.Publish(s, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	b.Publish("\x01end", nil) // Redis delivers in order: everything before arrived
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("end marker not received")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, c := range cases {
		if c.p == "" {
			continue
		}
		if redisSays := got[[2]string{c.p, c.s}] > 0; redisSays != c.want {
			t.Errorf("table row %q ~ %q: redis-server says %v, table says %v", c.p, c.s, redisSays, c.want)
		}
	}
	checked := 0
	for p := range patterns {
		for s := range subjects {
			checked++
			redisSays := got[[2]string{p, s}] > 0
			if redisSays != pubsub.Match(p, s) {
				t.Errorf("Match(%q, %q) = %v, redis-server says %v", p, s, !redisSays, redisSays)
			}
		}
	}
	t.Logf("%d pattern × subject pairs agree with redis-server", checked)
}

type tableCase struct {
	p, s string
	want bool
}

func loadTable(t *testing.T) []tableCase {
	f, err := os.Open("../testdata/match_table.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []tableCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 3 {
			t.Fatalf("bad line %q", line)
		}
		p, err1 := strconv.Unquote(fields[0])
		s, err2 := strconv.Unquote(fields[1])
		if err1 != nil || err2 != nil {
			t.Fatalf("bad quoting %q", line)
		}
		out = append(out, tableCase{p, s, fields[2] == "1"})
	}
	return out
}
