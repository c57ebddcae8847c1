package wsflate

import (
	"compress/flate"
	"fmt"
)

// Defaults used for the zero values of Config.
const (
	// DefaultLevel is the flate level used when Config.Level is 0:
	// flate.BestSpeed. Besides being the fastest, it is the only level whose
	// per-message reset in compress/flate is cheap; levels 2..9 clear
	// 640 KiB of hash tables on every Reset.
	DefaultLevel = flate.BestSpeed

	// DefaultThreshold is the message size below which messages are sent
	// uncompressed when Config.Threshold is 0. Under about 128 bytes
	// DEFLATE rarely saves more than its own block overhead.
	DefaultThreshold = 128
)

// Config holds the local choices for permessage-deflate. Its zero value
// works: BestSpeed, messages of 128 bytes and more compressed, no server
// context takeover, client context takeover allowed. Functions take Config
// by value and never modify the caller's copy.
type Config struct {
	// Level is the flate level (flate.HuffmanOnly .. flate.BestCompression).
	// 0 means DefaultLevel (flate.NoCompression cannot be chosen: a peer
	// that wants no compression simply does not negotiate the extension).
	Level int

	// Threshold is the size in bytes below which ShouldCompress says no:
	// such messages are sent uncompressed (RSV1 clear). 0 means
	// DefaultThreshold; a negative value compresses every message.
	Threshold int

	// ServerContextTakeover keeps the server's LZ77 window across messages.
	// On a server it gives each connection its own compressor (about
	// 1.2 MiB, see the package documentation) instead of the shared pooled
	// writers, and its compressed bytes are then valid for that connection
	// only. On a client, false makes Offer ask for server_no_context_takeover.
	ServerContextTakeover bool

	// ClientNoContextTakeover asks the client not to keep its window across
	// messages. On a server, Negotiate answers client_no_context_takeover,
	// so the server's decompressor for that connection keeps no dictionary.
	// On a client, Offer includes client_no_context_takeover and the
	// client's compressor uses the pooled writers.
	ClientNoContextTakeover bool
}

// Validate reports a Level outside flate's range as an error wrapping
// ErrBadLevel. Other fields are always valid. Functions given an invalid
// level use DefaultLevel instead.
func (c Config) Validate() error {
	if !validLevel(c.Level) {
		return fmt.Errorf("%w: %d (want %d..%d)", ErrBadLevel, c.Level, flate.HuffmanOnly, flate.BestCompression)
	}
	return nil
}

// ShouldCompress reports whether a message of n bytes should be compressed
// under this configuration (n >= Threshold, see DefaultThreshold). A
// message that is not compressed is sent with RSV1 clear and does not
// enter either side's LZ77 window.
func (c Config) ShouldCompress(n int) bool {
	return n >= c.threshold()
}

func (c Config) threshold() int {
	switch {
	case c.Threshold == 0:
		return DefaultThreshold
	case c.Threshold < 0:
		return 0
	}
	return c.Threshold
}

func (c Config) level() int { return normLevel(c.Level) }

func validLevel(l int) bool { return l >= flate.HuffmanOnly && l <= flate.BestCompression }

// normLevel maps 0 and invalid levels to DefaultLevel.
func normLevel(l int) int {
	if l == 0 || !validLevel(l) {
		return DefaultLevel
	}
	return l
}
