package pubsub

import (
	"errors"
	"fmt"
)

// Sentinel errors. Entry points wrap them with context; test with
// errors.Is.
var (
	// ErrName: a subscription names neither a channel nor a pattern, or
	// both.
	ErrName = errors.New("pubsub: subscribe to exactly one of Channel or Pattern")
	// ErrNoDelivery: a subscription has neither a Handler nor a Target.
	ErrNoDelivery = errors.New("pubsub: subscription needs a Handler or a Target")
	// ErrKind: a kind is out of range or has no encoder.
	ErrKind = errors.New("pubsub: unknown message kind")
	// ErrOwner: a subscription's Owner is not comparable (it keys a map).
	ErrOwner = errors.New("pubsub: Owner must be comparable")
	// ErrNoHistory: the engine keeps no history to resume from.
	ErrNoHistory = errors.New("pubsub: engine keeps no history")
	// ErrHistoryGone: messages after the given ID are no longer all
	// retained; the client must resynchronize another way. Returned
	// wrapped in a *GapError.
	ErrHistoryGone = errors.New("pubsub: history no longer holds every message after this ID")
	// ErrBadID: a history ID is not of the form "ms-seq".
	ErrBadID = errors.New("pubsub: malformed message ID")
	// ErrClosed: the engine was closed.
	ErrClosed = errors.New("pubsub: engine closed")
	// ErrEnded: the connection's memberships ended (it closed); see
	// Memberships.
	ErrEnded = errors.New("pubsub: the subscriber's connection closed")
)

// GapError reports that a resume is impossible: some messages published to
// Channel after LastID were dropped from the history (by its count or age
// bound, or before this process started). It wraps ErrHistoryGone.
type GapError struct {
	Channel string
	LastID  string // the ID the client asked to resume after
	Oldest  string // the oldest ID still retained ("" when none is)
}

// Error describes the gap.
func (e *GapError) Error() string {
	return fmt.Sprintf("pubsub: cannot resume %q after %s: history starts at %q", e.Channel, e.LastID, e.Oldest)
}

// Unwrap returns ErrHistoryGone.
func (e *GapError) Unwrap() error { return ErrHistoryGone }
