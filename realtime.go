package plezi

import (
	"context"
	"net/http"
	"strings"

	"github.com/plezi-go/plezi/sse"
	"github.com/plezi-go/plezi/websocket"
)

// The real-time callbacks a controller may have. They are found at
// registration with interface assertions; each is optional except that
// OnMessage makes a controller accept WebSocket and OnSSE EventSource.
type (
	// Messenger is implemented by controllers that accept WebSocket
	// connections. OnMessage receives binary messages and text messages
	// that are not JSON events (see package doc). data is valid only
	// during the call.
	Messenger interface{ OnMessage(data []byte) }

	// SSEOpener is implemented by controllers that accept EventSource
	// (Server-Sent Events) connections. OnSSE runs when the stream opens,
	// after OnOpen.
	SSEOpener interface{ OnSSE() }

	// PreConnecter is implemented by controllers that may refuse a
	// connection: PreConnect runs before the upgrade, with the request's
	// Params and Cookies; false answers 403 Forbidden.
	PreConnecter interface{ PreConnect() bool }

	// Opener is implemented by controllers that act when their
	// connection opens (the first callback).
	Opener interface{ OnOpen() }

	// Drainer is implemented by controllers that want to know when an
	// outbound queue that had backed up is empty again (WebSocket only).
	Drainer interface{ OnDrained() }

	// Shutdowner is implemented by controllers that want a word before
	// the server shuts down (a last message to the client).
	Shutdowner interface{ OnShutdown() }

	// Closer is implemented by controllers that want to know when their
	// connection ended (the last callback).
	Closer interface{ OnClose() }
)

// realtimeShape checks the real-time methods of controller c: a method
// with a callback's name must have the callback's signature.
func realtimeShape(ct *ctrlType, c any) string {
	checks := []struct {
		name string
		ok   bool
		sig  string
	}{
		{"OnMessage", is[Messenger](c), "OnMessage(data []byte)"},
		{"OnSSE", is[SSEOpener](c), "OnSSE()"},
		{"PreConnect", is[PreConnecter](c), "PreConnect() bool"},
		{"OnOpen", is[Opener](c), "OnOpen()"},
		{"OnDrained", is[Drainer](c), "OnDrained()"},
		{"OnShutdown", is[Shutdowner](c), "OnShutdown()"},
		{"OnClose", is[Closer](c), "OnClose()"},
	}
	for _, k := range checks {
		if _, has := ct.ptr.MethodByName(k.name); has && !k.ok {
			return ct.name + "." + k.name + " has an unsupported signature; want " + k.sig
		}
	}
	ct.ws = is[Messenger](c)
	ct.sse = is[SSEOpener](c)
	return ""
}

func is[T any](c any) bool {
	_, ok := c.(T)
	return ok
}

// isWebSocket reports whether r asks for a WebSocket upgrade.
func isWebSocket(r *http.Request) bool {
	return r.Method == http.MethodGet && headerHas(r.Header.Get("Upgrade"), "websocket")
}

// headerHas reports whether a comma-separated header lists token
// (case-insensitive).
func headerHas(v, token string) bool {
	for part := range strings.SplitSeq(v, ",") {
		if strings.EqualFold(strings.TrimSpace(part), token) {
			return true
		}
	}
	return false
}

// upgrades reports whether r is a WebSocket or EventSource request that
// ct accepts.
func (ct *ctrlType) upgrades(r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	return ct.ws && isWebSocket(r) || ct.sse && sse.Accepts(r)
}

// serveRealtime calls PreConnect and upgrades r (see ctrlType.upgrades):
// from then on the controller lives as long as the connection.
func (a *App) serveRealtime(w http.ResponseWriter, r *http.Request, c *Controller, inst any) {
	c.Params() // built now, from the upgrade request, for the connection's life
	if pc, ok := inst.(PreConnecter); ok && !a.preConnect(inst, pc) {
		http.Error(w, "403 Forbidden", http.StatusForbidden)
		return
	}
	// The controller keeps the upgrade request for the connection's life
	// (Request), detached from its context, which ends with this request
	// and would hold the server's per-connection context chain.
	c.req = r.WithContext(context.Background())
	lc := &liveConn{app: a, ct: c.rt.Value.ctrl, inst: inst, c: c}
	c.live = lc
	if isWebSocket(r) && lc.ct.ws {
		if err := websocket.Upgrade(w, r, wsHandler{lc}, a.wsOptions()); err != nil {
			a.log("websocket upgrade", err)
		}
	} else if _, err := sse.Upgrade(w, r, sseHandler{lc}, a.sseOptions()); err != nil {
		a.log("sse upgrade", err)
	}
	c.w = nil // the response belongs to the connection now
}

// wsOptions returns WebSocket's options with the App's engine (for
// connections hijacked from another server).
func (a *App) wsOptions() *websocket.Options {
	o := websocket.Options{}
	if a.WebSocket != nil {
		o = *a.WebSocket
	}
	if o.Engine == nil {
		o.Engine = a.engine()
	}
	return &o
}

// sseOptions returns the event streams' options with the App's engine.
func (a *App) sseOptions() *sse.Options {
	o := sse.Options{}
	if a.SSE != nil {
		o = *a.SSE
	}
	if o.Engine == nil {
		o.Engine = a.engine()
	}
	return &o
}

// forward passes a message POSTed by an event stream's client (with its
// token) to the stream, whose controller handles it as a WebSocket text
// message, on whichever process holds it. The POST gets 204, or 400 for
// a malformed token.
func (a *App) forward(w http.ResponseWriter, token string, msg []byte) {
	if len(token) != 32 || !validID(token) {
		http.Error(w, "400 Bad Request: malformed "+tokenHeader, http.StatusBadRequest)
		return
	}
	if err := a.Broker().Publish(ssePrefix+token, msg); err != nil {
		a.log("forward", err)
		http.Error(w, "503 Service Unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// preConnect calls PreConnect, treating a panic as a refusal.
func (a *App) preConnect(inst any, pc PreConnecter) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			a.log("PreConnect panic", errPanic(inst, v))
			ok = false
		}
	}()
	return pc.PreConnect()
}
