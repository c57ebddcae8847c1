package wsflate

import (
	"bytes"
	"errors"
	"math"
	"runtime"
	"testing"
)

// bomb returns a payload that inflates to n MiB of zeros: n copies of one
// independently compressed MiB, each ended by the sync marker that the
// last one drops (RFC 7692 §7.2.1).
func bomb(n int) []byte {
	seg := CompressOnce(nil, make([]byte, 1<<20), 0)
	var b []byte
	for i := range n {
		b = append(b, seg...)
		if i < n-1 {
			b = append(b, 0, 0, 0xff, 0xff)
		}
	}
	return b
}

func TestBombBounded(t *testing.T) {
	const maxLen = 256 << 10
	payload := bomb(1024) // 1 GiB of output from about 1 MiB of input
	t.Logf("bomb: %d bytes of payload for 1 GiB", len(payload))
	d := NewDecompressor(Params{}, true)
	defer d.Release()
	// Warm the pools so that only the output buffer is counted.
	if _, err := d.Decompress(nil, CompressOnce(nil, []byte("warm up"), 0), 100); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	out, err := d.Decompress(nil, payload, maxLen)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) || out != nil {
		t.Fatalf("Decompress(bomb) = %d bytes, %v; want nil, ErrTooLarge", len(out), err)
	}
	// The output doubles up to max: less than 2*max in all, plus pool
	// refills if a GC emptied them meanwhile.
	if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(2*maxLen+256<<10); got > limit {
		t.Fatalf("bomb allocated %d bytes, want <= %d", got, limit)
	} else {
		t.Logf("bomb stopped at max %d after allocating %d bytes", maxLen, got)
	}
	// With room in dst nothing is allocated at all (the reader held by the
	// test: under the race detector sync.Pool drops entries at random).
	dst := make([]byte, 0, maxLen)
	f := getInflater()
	defer putInflater(f)
	allocs := testing.AllocsPerRun(3, func() {
		if _, err := d.decompress(f, dst, payload, maxLen); !errors.Is(err, ErrTooLarge) {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("bomb into a sized dst: %v allocations, want 0", allocs)
	}
}

func TestDecompressLimit(t *testing.T) {
	msg := textMsg(5000, 3)
	payload := CompressOnce(nil, msg, 0)
	for _, tt := range []struct {
		max int
		err error
	}{{5000, nil}, {5001, nil}, {math.MaxInt, nil}, {4999, ErrTooLarge}, {0, ErrTooLarge}, {-1, ErrTooLarge}} {
		d := NewDecompressor(Params{}, false)
		dst := []byte("keep")
		out, err := d.Decompress(dst, payload, tt.max)
		if !errors.Is(err, tt.err) {
			t.Fatalf("max %d: err %v, want %v", tt.max, err, tt.err)
		}
		if err != nil && string(out) != "keep" {
			t.Fatalf("max %d: dst changed to %d bytes on error", tt.max, len(out))
		}
		if err == nil && !bytes.Equal(out[4:], msg) {
			t.Fatalf("max %d: wrong output", tt.max)
		}
		d.Release()
	}
}

func TestDecompressCorrupt(t *testing.T) {
	long := CompressOnce(nil, randomMsg(10000, 1), flate9)
	tests := []struct {
		name    string
		payload []byte
	}{
		{"reserved block type", []byte{0x07}},
		{"bad stored length", []byte{0x00, 0x05, 0x00, 0x00, 0x00, 'H', 'e', 'l', 'l', 'o'}},
		{"garbage", []byte{0xff, 0xff, 0xff, 0xff}},
		{"truncated", long[:len(long)/2]},
		{"reference to context never agreed", []byte{0xf2, 0x00, 0x11, 0x00, 0x00}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecompressor(Params{ServerNoContextTakeover: true}, false)
			defer d.Release()
			dst := []byte("keep")
			out, err := d.Decompress(dst, tt.payload, 1<<20)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Decompress(%x...) = %d bytes, %v; want ErrCorrupt", tt.payload[:min(8, len(tt.payload))], len(out), err)
			}
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Err == nil || err.Error() == "" {
				t.Fatalf("error %v is not a *CorruptError with a cause", err)
			}
			if string(out) != "keep" {
				t.Fatalf("dst changed on error: %q", out)
			}
		})
	}
}

// TestContextAfterRelease checks that a released decompressor no longer
// holds the dictionary: a message that refers to it fails cleanly.
func TestContextAfterRelease(t *testing.T) {
	d := NewDecompressor(Params{}, false)
	hello := []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}
	again := []byte{0xf2, 0x00, 0x11, 0x00, 0x00}
	if _, err := d.Decompress(nil, hello, 10); err != nil {
		t.Fatal(err)
	}
	if out, err := d.Decompress(nil, again, 10); err != nil || string(out) != "Hello" {
		t.Fatalf("with context: %q, %v", out, err)
	}
	d.Release()
	if _, err := d.Decompress(nil, again, 10); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("after Release: %v, want ErrCorrupt", err)
	}
	d.Release()
}

// TestWindowKeepsTail checks the dictionary against a plain
// implementation over a sequence of message sizes.
func TestWindowKeepsTail(t *testing.T) {
	for _, size := range []int{256, 1 << 15} {
		w := window{size: size}
		var all []byte
		src := randomMsg(40016, 1)
		for i, n := range []int{1, 10, 300, 0, 5000, 40000, 7, 32768, 32767, 2} {
			out := src[i : i+n]
			w.add(out)
			all = append(all, out...)
			want := all[max(0, len(all)-size):]
			if !bytes.Equal(w.bytes(), want) {
				t.Fatalf("size %d, after message %d: window %d bytes, want %d", size, i, len(w.bytes()), len(want))
			}
			if cap(*w.buf) != size {
				t.Fatalf("window of %d has capacity %d", size, cap(*w.buf))
			}
		}
		w.release()
		if w.bytes() != nil {
			t.Fatal("released window still has bytes")
		}
	}
}

const flate9 = 9
