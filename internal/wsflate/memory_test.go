package wsflate

import (
	"runtime"
	"testing"
)

// retained measures the heap that n connections keep after each handled
// one message: setup(i) builds and uses connection i and returns what the
// connection holds.
func retained(n int, setup func(i int) any) float64 {
	keep := make([]any, n)
	runtime.GC()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range keep {
		keep[i] = setup(i)
	}
	// Two collections empty the pools (sync.Pool keeps a victim cache for
	// one cycle), so only what connections hold is left.
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
}

// TestRetainedMemory measures the memory one connection keeps between
// messages in each mode (the numbers in doc.go come from its log).
func TestRetainedMemory(t *testing.T) {
	msg := textMsg(1024, 1)
	payload := CompressOnce(nil, msg, 0)
	compressor := func(p Params, cfg Config, server bool) func(int) any {
		return func(int) any {
			c := NewCompressor(p, cfg, server)
			c.Compress(nil, msg)
			return c
		}
	}
	decompressor := func(p Params, server bool) func(int) any {
		return func(int) any {
			d := NewDecompressor(p, server)
			if _, err := d.Decompress(nil, payload, len(msg)); err != nil {
				t.Fatal(err)
			}
			return d
		}
	}
	tests := []struct {
		name     string
		n        int
		setup    func(int) any
		min, max float64
	}{
		{"server compressor, default (pooled)", 500, compressor(Params{ServerNoContextTakeover: true}, Config{}, true), 0, 256},
		{"server compressor, ServerContextTakeover", 16, compressor(Params{}, Config{ServerContextTakeover: true}, true), 256 << 10, 2 << 20},
		{"client compressor, context takeover", 16, compressor(Params{}, Config{}, false), 256 << 10, 2 << 20},
		{"server decompressor, client context takeover", 200, decompressor(Params{}, true), 32 << 10, 33 << 10},
		{"server decompressor, client_max_window_bits=10", 200, decompressor(Params{ClientMaxWindowBits: 10}, true), 1 << 10, 1<<10 + 128},
		{"server decompressor, client_no_context_takeover", 500, decompressor(Params{ClientNoContextTakeover: true}, true), 0, 256},
	}
	for _, tt := range tests {
		got := retained(tt.n, tt.setup)
		t.Logf("%-50s %10.0f bytes per connection", tt.name, got)
		if got < tt.min || got > tt.max {
			t.Errorf("%s: %.0f bytes per connection, want %.0f..%.0f", tt.name, got, tt.min, tt.max)
		}
	}
}

// TestSteadyStateAllocs checks that a message costs no allocation when
// dst has room. Under the race detector sync.Pool drops part of what it is
// given, so there the same paths are measured with the pooled objects held
// by the test; without it, through the public functions.
func TestSteadyStateAllocs(t *testing.T) {
	msg := textMsg(1024, 2)
	payload := CompressOnce(nil, msg, 0)
	dst := make([]byte, 0, 4096)
	pooled := NewCompressor(Params{ServerNoContextTakeover: true}, Config{}, true)
	takeover := NewCompressor(Params{}, Config{}, false)
	defer takeover.Release()
	noctx := NewDecompressor(Params{ClientNoContextTakeover: true}, true)
	withctx := NewDecompressor(Params{}, true)
	defer withctx.Release()
	decompress := func(d *Decompressor) func() {
		return func() {
			if _, err := d.Decompress(dst, payload, 4096); err != nil {
				t.Fatal(err)
			}
		}
	}
	paths := []struct {
		name string
		f    func()
	}{
		{"CompressOnce", func() { CompressOnce(dst, msg, 0) }},
		{"Compress/pooled", func() { pooled.Compress(dst, msg) }},
		{"Compress/takeover", func() { takeover.Compress(dst, msg) }},
		{"Decompress/no-context", decompress(noctx)},
		{"Decompress/takeover", decompress(withctx)},
	}
	if raceEnabled {
		w := getDeflater(DefaultLevel)
		f := getInflater()
		held := func(d *Decompressor) func() {
			return func() {
				if _, err := d.decompress(f, dst, payload, 4096); err != nil {
					t.Fatal(err)
				}
			}
		}
		paths = []struct {
			name string
			f    func()
		}{
			{"deflater/no-context", func() { w.compress(dst, msg); w.reset() }},
			{"Compress/takeover", func() { takeover.Compress(dst, msg) }},
			{"inflater/no-context", held(noctx)},
			{"inflater/takeover", held(withctx)},
		}
	}
	for _, c := range paths {
		c.f() // warm the pools and the dictionary
		if n := testing.AllocsPerRun(100, c.f); n != 0 {
			t.Errorf("%s: %v allocations per message, want 0", c.name, n)
		}
	}
}
