package pubsub

import "time"

// SetHistoryClock replaces h's clock (tests only).
func SetHistoryClock(h *History, now func() time.Time) { h.now = now }
