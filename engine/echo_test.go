package engine_test

import (
	"bytes"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

func TestEchoSmall(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		e := newEngine(m)
		addr := listen(t, e, echo)
		start(t, e)
		c := dial(t, addr)
		c.SetDeadline(time.Now().Add(5 * time.Second))
		for _, msg := range []string{"a", "hello", "world!"} {
			if _, err := c.Write([]byte(msg)); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, len(msg))
			if _, err := io.ReadFull(c, got); err != nil {
				t.Fatal(err)
			}
			if string(got) != msg {
				t.Fatalf("got %q, want %q", got, msg)
			}
		}
	})
}

// TestEchoSizes sends messages from 1 byte to 1 MiB and verifies every byte.
func TestEchoSizes(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		e := newEngine(m)
		addr := listen(t, e, echo)
		start(t, e)
		c := dial(t, addr)
		c.SetDeadline(time.Now().Add(30 * time.Second))
		rng := rand.New(rand.NewPCG(1, 2))
		for _, size := range []int{1, 2, 100, 4095, 4096, 16 << 10, 64<<10 + 1, 256 << 10, 1 << 20} {
			msg := make([]byte, size)
			for i := range msg {
				msg[i] = byte(rng.Uint32())
			}
			var wg sync.WaitGroup
			wg.Add(1)
			var werr error
			go func() {
				defer wg.Done()
				_, werr = c.Write(msg)
			}()
			got := make([]byte, size)
			if _, err := io.ReadFull(c, got); err != nil {
				t.Fatalf("size %d: %v", size, err)
			}
			wg.Wait()
			if werr != nil {
				t.Fatal(werr)
			}
			if !bytes.Equal(got, msg) {
				t.Fatalf("size %d: echo differs", size)
			}
		}
	})
}
