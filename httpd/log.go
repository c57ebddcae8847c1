package httpd

import (
	"context"
	"log/slog"
)

// logAccess writes one access-log record; without AccessLog it costs a
// nil check.
func (hc *conn) logAccess(x *Ctx) {
	lg := hc.s.AccessLog
	if lg == nil || !lg.Enabled(context.Background(), slog.LevelInfo) {
		return
	}
	remote := ""
	if a := hc.c.RemoteAddr(); a != nil {
		remote = a.String()
	}
	lg.LogAttrs(context.Background(), slog.LevelInfo, "request",
		slog.String("remote", remote),
		slog.String("method", string(x.Method())),
		slog.String("target", string(x.Target())),
		slog.Int("status", x.res.status),
	)
}
