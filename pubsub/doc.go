// Package pubsub is Plezi's publish/subscribe core: a Broker that holds
// this process's subscriptions, the Redis glob matcher (Match), messages
// encoded once per wire kind for all subscribers, bounded history for
// resuming clients, and the engines that carry messages: Process (this
// process), Cluster (every worker process; today the same as Process) and,
// in the subpackage pubsub/redis, Redis (every machine).
//
// # Subscribing
//
// A subscription names an exact channel or a pattern (Redis glob syntax,
// see Match) and delivers each message one of three ways:
//
//   - to a Target (a WebSocket or SSE connection) without a Handler: the
//     message is written straight to the client in the subscription's
//     Kind (text or binary frame, SSE event). Message.Encoded computes each
//     kind's bytes once, and every subscriber queues the same slice
//     (engine.Conn.WriteShared);
//   - to a Handler with a Target: the Handler runs through Target.Defer,
//     under the connection's serialization guarantee;
//   - to a Handler alone: it runs through Broker.Run (engine.Engine.Run),
//     or on the publisher's goroutine when Run is nil.
//
// Subscriptions with the same Owner and name replace each other;
// Broker.UnsubscribeAll(owner), called from a connection's OnClose, ends
// them all. A subscription whose Target reports an error (closed, slow
// consumer) is removed as well.
//
// # Binding to connections
//
// websocket.Conn and sse.Stream implement Target: Defer is their
// engine.Conn.Defer, Deliver queues m.Encoded(kind) with WriteShared. Their
// packages register the encoders (RegisterEncoder, from init): KindText
// and KindBinary give a complete unmasked server frame, KindTextDeflate
// and KindBinaryDeflate a frame compressed without context takeover (the
// same bytes suit every connection; a connection with context takeover
// subscribes with KindText instead, since permessage-deflate allows
// uncompressed messages), KindSSE an event with "id: " Message.ID. Their
// subscriptions go through a Memberships per connection, whose End (from
// OnClose) calls Broker.UnsubscribeAll(conn) on every broker used.
// ConnTarget adapts a raw engine connection; its protocol calls
// UnsubscribeAll itself.
//
// # Delivery
//
// Publish hands the message to the Broker's Engine. The Process engine
// delivers at once: exact subscribers from a map, then every subscribed
// pattern that matches. No lock is held while delivering (subscriber lists
// are copied on write and read without locks) and nothing blocks on a
// subscriber: a Target queues bytes without blocking, and the engine's
// per-connection MaxPending bound cuts off a slow consumer alone. Messages
// are delivered at most once; a subscriber that is gone misses them,
// unless it resumes from a History.
//
// # Engines
//
// An Engine has one method, Publish. Remote engines (Redis, and later
// NATS or others) also watch the Broker (Watcher) to subscribe upstream
// once per channel or pattern with local subscribers, and deliver what
// they receive back with Dispatch, DispatchChannel or DispatchPattern.
//
// # History and resume
//
// A Process or Cluster engine created with a History (and the Redis
// engine with Options.History, on Redis streams) gives each message an ID
// ("ms-seq", as Redis stream IDs) and keeps a bounded per-channel history
// (count, age, and for the process a number of channels). Since(channel,
// lastID) returns the messages after lastID, for an SSE client that
// reconnects with Last-Event-ID or a WebSocket client with its last
// offset, or a *GapError (ErrHistoryGone) when some are gone, so the
// client learns that it must resynchronize another way.
//
// # Bounds
//
//   - per subscriber: the connection's outbound bound (engine MaxPending);
//   - history: Count per channel, Age, MaxChannels (see History);
//   - encodings per message: MaxKinds;
//   - subscriptions: as many as callers make (each one is one entry in a
//     copied-on-write list); they end with their connection.
//
// # Performance
//
// Measured on the shared 2-core machine (go test -bench . -benchmem
// -count 3; ranges are the spread between runs): Publish to 1,000
// in-process subscribers 20–26 µs (39–51 M deliveries/s; 4 allocations
// per Publish, none per subscriber); a publish to one of 10,000 channels
// 0.48–0.72 µs; with 100 non-matching patterns 0.9–1.0 µs;
// subscribe+unsubscribe 1.2–2.4 µs (0.4–0.8 M cycles/s); Match 11–290 ns
// with no allocation. Through the engine to 1,000 real loopback
// connections (ConnTarget; the reading clients run in the same process):
// 13–19 ms per Publish (54,000–78,000 deliveries/s), 78% of the CPU in
// the one write(2) per delivery. Through Redis (pubsub/redis):
// 34–39 µs per Publish to 1,000 subscribers shared by two engines.
package pubsub
