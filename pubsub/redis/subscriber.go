package redis

import (
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/plezi-go/plezi/pubsub"
	"github.com/redis/rueidis"
)

// maxNamesPerCommand bounds one SUBSCRIBE/PSUBSCRIBE command's arguments.
const maxNamesPerCommand = 1000

// run owns the subscriber connection: it connects, subscribes to
// everything wanted, keeps the subscriptions in sync with the broker,
// pings, and on any failure reconnects with exponential backoff (reset
// once a connection was established) and subscribes to everything again.
func (e *Engine) run() {
	defer close(e.stopped)
	backoff := e.opt.MinBackoff
	for attempt := 0; ; attempt++ {
		err := e.session()
		var lost *sessionError
		switch {
		case errors.Is(err, errStopped):
			return
		case errors.As(err, &lost):
			e.warn("pubsub/redis: subscriber connection lost; reconnecting", err)
			backoff, attempt = e.opt.MinBackoff, 0
		case attempt == 0:
			e.warn("pubsub/redis: cannot connect the subscriber; retrying", err)
		default:
			e.debug("pubsub/redis: reconnect failed", err, attempt)
		}
		select {
		case <-e.done:
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, e.opt.MaxBackoff)
	}
}

// errStopped ends run: Close was called.
var errStopped = errors.New("stopped")

// sessionError is a failure after the connection had been established.
type sessionError struct{ err error }

func (s *sessionError) Error() string { return s.err.Error() }
func (s *sessionError) Unwrap() error { return s.err }

// session runs one subscriber connection until it fails or the Engine
// closes.
func (e *Engine) session() error {
	dc, release := e.client.Dedicate()
	lost := dc.SetPubSubHooks(rueidis.PubSubHooks{OnMessage: e.onMessage})
	applied := make(map[name]bool)
	defer func() {
		e.connected.Store(false)
		dc.Close() // never hand a pub/sub connection back to the pool
		release()
	}()
	if err := e.sync(dc, applied); err != nil {
		return err
	}
	e.connected.Store(true)
	if n := e.restored.Add(1); n > 1 {
		e.info("pubsub/redis: subscriber connection restored", "resubscribed", len(applied), "reconnects", n-1)
	} else {
		e.info("pubsub/redis: subscriber connected", "url", redactURL(e.opt.URL), "subscribed", len(applied))
	}
	ping := time.NewTicker(e.opt.PingInterval)
	defer ping.Stop()
	for {
		select {
		case <-e.done:
			return errStopped
		case err := <-lost:
			if err == nil {
				err = errors.New("connection closed")
			}
			return &sessionError{err}
		case <-e.wake:
			if err := e.sync(dc, applied); err != nil {
				return &sessionError{err}
			}
		case <-ping.C:
			if err := e.ping(dc); err != nil {
				return &sessionError{err}
			}
		}
	}
}

// sync brings the connection's subscriptions to the wanted set, then
// pings so that they are known to be in effect when it returns.
func (e *Engine) sync(dc rueidis.DedicatedClient, applied map[name]bool) error {
	var sub, psub, unsub, punsub []string
	e.mu.Lock()
	for n := range e.want {
		if !applied[n] {
			sub, psub = add(sub, psub, n)
		}
	}
	for n := range applied {
		if !e.want[n] {
			unsub, punsub = add(unsub, punsub, n)
		}
	}
	e.mu.Unlock()
	b := dc.B()
	for _, batch := range batches(sub) {
		if err := e.send(dc, b.Subscribe().Channel(batch...).Build()); err != nil {
			return err
		}
	}
	for _, batch := range batches(psub) {
		if err := e.send(dc, b.Psubscribe().Pattern(batch...).Build()); err != nil {
			return err
		}
	}
	for _, batch := range batches(unsub) {
		if err := e.send(dc, b.Unsubscribe().Channel(batch...).Build()); err != nil {
			return err
		}
	}
	for _, batch := range batches(punsub) {
		if err := e.send(dc, b.Punsubscribe().Pattern(batch...).Build()); err != nil {
			return err
		}
	}
	if err := e.ping(dc); err != nil {
		return err
	}
	mark(applied, sub, false, true)
	mark(applied, psub, true, true)
	mark(applied, unsub, false, false)
	mark(applied, punsub, true, false)
	return nil
}

func add(chans, pats []string, n name) ([]string, []string) {
	if n.pattern {
		return chans, append(pats, n.s)
	}
	return append(chans, n.s), pats
}

func mark(applied map[name]bool, names []string, pattern, on bool) {
	for _, s := range names {
		if on {
			applied[name{s, pattern}] = true
		} else {
			delete(applied, name{s, pattern})
		}
	}
}

// batches splits names into slices of at most maxNamesPerCommand.
func batches(names []string) [][]string {
	var out [][]string
	for len(names) > 0 {
		n := min(len(names), maxNamesPerCommand)
		out = append(out, names[:n])
		names = names[n:]
	}
	return out
}

func (e *Engine) send(dc rueidis.DedicatedClient, cmd rueidis.Completed) error {
	ctx, cancel := context.WithTimeout(context.Background(), e.opt.PingTimeout)
	defer cancel()
	return dc.Do(ctx, cmd).Error()
}

func (e *Engine) ping(dc rueidis.DedicatedClient) error {
	return e.send(dc, dc.B().Ping().Build())
}

// onMessage dispatches a message from Redis into the broker: a "message"
// to the channel's subscribers, a "pmessage" to that pattern's (so a
// process subscribed to both gets each once per subscription, as in
// Redis).
func (e *Engine) onMessage(rm rueidis.PubSubMessage) {
	id, data := openEnvelope(rm.Message)
	m := &pubsub.Message{Channel: rm.Channel, Data: []byte(data), ID: id, Time: time.Now()}
	if rm.Pattern != "" {
		e.b.DispatchPattern(rm.Pattern, m)
		return
	}
	e.b.DispatchChannel(m)
}

func (e *Engine) info(msg string, args ...any) {
	if e.opt.Logger != nil {
		e.opt.Logger.Info(msg, args...)
	}
}

func (e *Engine) warn(msg string, err error) {
	if e.opt.Logger != nil {
		e.opt.Logger.Warn(msg, "url", redactURL(e.opt.URL), "err", err)
	}
}

func (e *Engine) debug(msg string, err error, attempt int) {
	if e.opt.Logger != nil {
		e.opt.Logger.Debug(msg, "url", redactURL(e.opt.URL), "err", err, "attempt", attempt)
	}
}

// redactURL hides the password of a server URL for logs.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(malformed URL)"
	}
	return u.Redacted()
}
