package main

import (
	_ "embed"
	"net/http"
)

//go:embed index.html
var indexHTML []byte

// newMux routes the three paths of the demo.
func newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(indexHTML)
	})
	mux.HandleFunc("/ws", serveWS)
	mux.HandleFunc("/sse", serveSSE)
	return mux
}
