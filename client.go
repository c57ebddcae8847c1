package plezi

import (
	_ "embed"
	"net/http"
	"strconv"
)

//go:embed client/plezi.js
var clientJS []byte

// clientModule is the client as an ES module: the same script, then its
// exports.
var clientModule = append(append([]byte(nil), clientJS...),
	"\nexport const PleziClient = globalThis.PleziClient;\nexport default PleziClient;\n"...)

// Paths of the JavaScript client, served by every App (before its
// routes) unless App.NoClient is set.
const (
	ClientPath       = "/plezi.js"  // a classic script defining PleziClient
	ClientModulePath = "/plezi.mjs" // the same client as an ES module
)

// ClientJS returns the JavaScript client (see ClientPath): new
// PleziClient(url, autoreconnect), emit(event, data, onAck, onTimeout),
// handlers by event name, onopen/onclose, reconnection with backoff, and
// SSE + POST where WebSocket is unavailable. The slice must not be
// modified.
func ClientJS() []byte { return clientJS }

// ClientHandler serves the JavaScript client, as a classic script, or as
// an ES module when the path ends in ".mjs". Route it where an
// application wants it (with App.NoClient set to free the default
// paths); App serves it at ClientPath and ClientModulePath by default.
var ClientHandler http.Handler = http.HandlerFunc(serveClient)

func serveClient(w http.ResponseWriter, r *http.Request) {
	body := clientJS
	if len(r.URL.Path) > 4 && r.URL.Path[len(r.URL.Path)-4:] == ".mjs" {
		body = clientModule
	}
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}

// servesClient reports whether the App answers r with the client.
func (a *App) servesClient(r *http.Request) bool {
	if a.NoClient || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return false
	}
	return r.URL.Path == ClientPath || r.URL.Path == ClientModulePath
}
