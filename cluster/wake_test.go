package cluster

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestLinkWakeWithNothingQueued: after a wake-up that finds nothing to
// write, frames sent while the next batch goes out still arrive whole
// (such a wake-up once made the writer hand senders the very buffer it
// was writing).
func TestLinkWakeWithNothingQueued(t *testing.T) {
	a, b := pipeLinks(t, 0)
	ch, errc := collect(b)
	recv := func(want string) {
		t.Helper()
		select {
		case f := <-ch:
			if f.typ != fSub || f.a != want {
				t.Fatalf("frame %c %q, want %q", f.typ, f.a, want)
			}
		case err := <-errc:
			t.Fatalf("waiting for %q: %v", want, err)
		case <-time.After(5 * time.Second):
			t.Fatalf("waiting for %q: timeout", want)
		}
	}
	for round := 0; round < 50; round++ {
		a.send(fSub, fmt.Sprintf("r%d", round), nil, "", true)
		recv(fmt.Sprintf("r%d", round)) // the queue is empty again
		a.wake <- struct{}{}            // a wake-up with nothing queued
		time.Sleep(time.Millisecond)
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 50; i++ {
					a.send(fSub, fmt.Sprintf("r%d-g%d-%04d", round, g, i), nil, "", true)
				}
			}()
		}
		seen := map[string]bool{}
		for len(seen) < 200 {
			select {
			case f := <-ch:
				if f.typ != fSub || seen[f.a] || len(f.a) != len("r0-g0-0000")+len(fmt.Sprint(round))-1 {
					t.Fatalf("round %d: frame %c %q", round, f.typ, f.a)
				}
				seen[f.a] = true
			case err := <-errc:
				t.Fatalf("round %d after %d frames: %v", round, len(seen), err)
			case <-time.After(5 * time.Second):
				t.Fatalf("round %d: %d frames", round, len(seen))
			}
		}
		wg.Wait()
	}
}
