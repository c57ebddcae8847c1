package redis

import (
	"crypto/tls"
	"log/slog"
	"time"
)

// Defaults for zero Options fields.
const (
	DefaultURL            = "redis://127.0.0.1:6379/0"
	DefaultPingInterval   = 5 * time.Second
	DefaultPingTimeout    = 2 * time.Second
	DefaultMinBackoff     = 50 * time.Millisecond
	DefaultMaxBackoff     = time.Second
	DefaultPublishTimeout = 2 * time.Second
	DefaultHistoryCount   = 100
	DefaultHistoryAge     = 5 * time.Minute
	DefaultKeyPrefix      = "plezi:history:"
)

// Options configures an Engine. The zero value connects to a local Redis
// with the defaults above; New copies the Options and never modifies the
// caller's value.
type Options struct {
	// URL is the server: redis://[[user]:password@]host[:port][/db], or
	// rediss:// for TLS, or unix:///path?db=N.
	URL string
	// TLSConfig is used with rediss:// URLs (nil: the system roots verify
	// the server). It is cloned, never modified.
	TLSConfig *tls.Config
	// Logger receives connection events: the subscriber connection lost
	// (warn, with the error), restored (info, with how many channels and
	// patterns were subscribed again), reconnect attempts (debug).
	// nil is quiet.
	Logger *slog.Logger
	// PingInterval is how often the subscriber connection is checked
	// with a PING; PingTimeout bounds the wait for its answer. A failed
	// ping drops the connection and starts the reconnect cycle.
	PingInterval, PingTimeout time.Duration
	// MinBackoff and MaxBackoff bound the delay between reconnect
	// attempts: it starts at MinBackoff and doubles up to MaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// PublishTimeout bounds a Publish whose context has no deadline.
	PublishTimeout time.Duration
	// History, when not nil, keeps each channel's recent messages in a
	// Redis stream so that clients can resume (Engine.Since).
	History *History
}

// History bounds the per-channel streams: at most Count messages (default
// 100) no older than Age (default 5 minutes; negative: no age bound),
// under keys KeyPrefix+channel (default "plezi:history:"). A stream
// expires Age after its last message (never without an age bound).
type History struct {
	Count     int
	Age       time.Duration
	KeyPrefix string
}

// withDefaults returns a copy of o with zero fields filled in.
func (o Options) withDefaults() Options {
	if o.URL == "" {
		o.URL = DefaultURL
	}
	o.PingInterval = orDefault(o.PingInterval, DefaultPingInterval)
	o.PingTimeout = orDefault(o.PingTimeout, DefaultPingTimeout)
	o.MinBackoff = orDefault(o.MinBackoff, DefaultMinBackoff)
	o.MaxBackoff = orDefault(o.MaxBackoff, DefaultMaxBackoff)
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = o.MinBackoff
	}
	o.PublishTimeout = orDefault(o.PublishTimeout, DefaultPublishTimeout)
	if o.History != nil {
		h := *o.History
		if h.Count <= 0 {
			h.Count = DefaultHistoryCount
		}
		if h.Age == 0 {
			h.Age = DefaultHistoryAge
		}
		if h.KeyPrefix == "" {
			h.KeyPrefix = DefaultKeyPrefix
		}
		o.History = &h
	}
	return o
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
