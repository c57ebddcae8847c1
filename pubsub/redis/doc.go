// Package redis is the pub/sub engine that reaches every machine: Publish
// sends Redis PUBLISH, and one subscriber connection per Engine brings
// messages back into the local pubsub.Broker.
//
//	b := &pubsub.Broker{}
//	e, err := redis.New(b, redis.Options{URL: "redis://:password@host:6379/0"})
//	b.Engine = e // Publish now reaches every process on every machine
//	defer e.Close()
//
// # Subscriptions
//
// The Engine watches its Broker: each channel or pattern with at least
// one local subscriber is subscribed once on the Engine's single
// subscriber connection (SUBSCRIBE or PSUBSCRIBE, batched), however many
// local subscribers it has, and unsubscribed when the last one leaves.
// A "message" is delivered to the channel's local subscribers and a
// "pmessage" to that pattern's, so nothing is delivered twice.
//
// # Connection loss
//
// The subscriber connection is checked with a PING every PingInterval.
// When it fails or the server goes away the Engine logs a warning,
// reconnects with exponential backoff (MinBackoff doubling up to
// MaxBackoff, 50 ms to 1 s by default) and subscribes to everything again
// (an info log says how many). Subscriptions made meanwhile are applied
// once connected. With the defaults, subscriptions come back within about
// a second of the server's return (tests: 40 ms with a 200 ms MaxBackoff).
//
// # Delivery guarantee
//
// Redis pub/sub is at-most-once: a message published while a subscriber
// is disconnected is lost for it, and Redis may drop a subscriber whose
// output buffer overflows. Publish during an outage returns an error
// wrapping ErrUnavailable at once (within PublishTimeout); it is never
// silently dropped, and never queued. Clients that must not miss messages
// resume from the History (Engine.Since), which is kept in Redis streams
// (XADD, trimmed by count and age, expiring Age after the last message),
// written atomically with the PUBLISH by a Lua script; messages then carry
// their stream ID (Message.ID) in a small envelope in front of the
// payload. Without a History payloads are published as they are, so other
// Redis clients interoperate.
//
// # URLs
//
// redis://[[user]:password@]host[:port][/db], rediss:// for TLS (the
// system roots verify the server), unix:///path?db=N.
//
// # Performance
//
// BenchmarkRedisFanoutTwoProcesses (this process and a child process, 500
// subscribers of one channel each, Publish from 4 goroutines per CPU of
// one of them, redis-server on the same 2-core machine): 44–45 µs per
// Publish, 22 M deliveries/s, 22–26 M deliveries per CPU-second of the two
// server processes (publishing included), 94–107 M per CPU-second of
// redis-server. Subscribe/unsubscribe churn with the engine watching:
// 0.55–1.1 µs per cycle (BenchmarkRedisChurn).
//
// # Client choice: rueidis over go-redis
//
// Both official clients were measured against one local redis-server
// 7.0.15 on the 2-core machine (publisher and subscriber in one process,
// 200,000 PUBLISH from 8 goroutines, one subscriber connection; then
// 100 channels, server killed and restarted):
//
//	                                go-redis v9.23.0   rueidis v1.0.79
//	fan-out, publishes/s            23,100 - 25,800    43,900 - 57,900
//	messages per client CPU-second  41,800 - 46,600    83,100 - 87,200
//	one PUBLISH during an outage    blocked 1.7 s       failed in ~10 ms
//	resubscribed after restart      31 ms (built in)    443 ms (Receive loop)
//
// rueidis pipelines concurrent commands on shared connections, so it
// needs half the CPU per message; it fails fast during an outage (go-redis
// retries dials inside Publish and logs through a package-global logger).
// go-redis resubscribes by itself, but this Engine owns its subscriber
// connection on either client (a rueidis dedicated connection with
// pub/sub hooks), which gives it explicit backoff, health pings and logs;
// with it, resubscription takes 40 ms in the outage test. Hence rueidis.
package redis
