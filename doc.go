// Package plezi is the Plezi framework for Go: routes in Plezi's grammar
// leading to controllers, served by Plezi's HTTP server (package httpd)
// on its event-driven engine (package engine).
//
//	type Home struct{ plezi.Controller }
//
//	func (c *Home) Index() any {
//		t := time.Now()
//		c.Run(func() { log.Printf("Someone poked me at: %v", t) })
//		return "Hello World"
//	}
//
//	func main() {
//		plezi.Route("/", &Home{})
//		plezi.Listen(":3000")
//		plezi.Start() // until SIGINT/SIGTERM or plezi.Stop()
//	}
//
// The package-level functions (Route, Listen, Start, Stop, Run, RunAfter,
// RunEvery) are thin wrappers over a default *App; New makes others
// (tests do). An App is an http.Handler, so it can also be mounted in any
// net/http server.
//
// On its own server (App.Listen, or App.ServeCtx as an httpd.Server's
// Native handler) a plain GET or HEAD is routed and answered on httpd's
// native Ctx: the *http.Request and ResponseWriter a controller may ask
// for (Request, ResponseWriter, Cookies, Redirect, SendFile, error pages)
// are built only when it does. Requests with a body, upgrades and event
// streams go through httpd's net/http adapter. Both paths answer alike
// (a test sends the same requests to both and compares the answers).
//
// # Routes
//
// App.Route(pattern, controller) adds a route; routes are tried in the
// order they were added. The grammar:
//
//   - "users": a literal segment;
//   - ":name": a required parameter; "(:name)": an optional one (only
//     optional parameters or a catch-all may follow it);
//   - ":id{[0-9]+}": a parameter with a constraint (a regexp the whole
//     segment must match, without '/');
//   - "*" (or "*name"): the rest of the path, as the parameter "*";
//   - an optional "(:id)" is appended to a controller's pattern unless it
//     has an id or a catch-all: "/users" serves "/users" and "/users/42";
//   - a rewrite route, App.Route("/:locale", regexp.MustCompile(`^(en|fr)$`)),
//     takes a matching segment off the front of the path and keeps it as a
//     parameter before the later routes are tried.
//
// A lookup among 100 routes does not allocate (internal/route).
//
// # Controllers
//
// A controller is a struct embedding Controller, registered as a pointer
// (&Users{}). Registration inspects its type once, with reflection; each
// request gets a fresh zero controller of that type (reflect.New, one
// allocation, the only reflect call on the request path), whose methods
// are called through interfaces found at registration. The REST mapping
// is Plezi's:
//
//	GET    /users         Index()
//	GET    /users/new     New()        (Show when there is no New)
//	GET    /users/42      Show()
//	POST   /users         Create()
//	POST   /users/42      Update()
//	PUT    /users/42      Update()     (PATCH too; or POST with _method=put)
//	DELETE /users/42      Delete()     (or POST with _method=delete)
//
// An action may be declared as func() any, func() (any, error),
// func() string, func() error or func(). A controller without the
// method a request needs passes it on to the next matching route, and
// a request no route takes gets the 404 page. Return values:
//
//   - nil: nothing more (the method may have written the response itself
//     through ResponseWriter);
//   - string, template.HTML or []byte: the body (text/html unless the
//     method set a Content-Type);
//   - an error: the error page, with the status of an *HTTPError, 404 for
//     ErrNotFound, 400/413 for ErrParams, else 500 (the text of 5xx
//     errors is logged, never shown);
//   - anything else (maps, structs, slices): JSON.
//
// Embedding Controller gives Params (path, query, URL-encoded and
// multipart forms and JSON bodies, nested "user[name]" keys), Cookies,
// Request, ResponseWriter, Redirect, URLFor, SendFile, Render and Run.
// A panic in a method is recovered and answered with the 500 page.
//
// # Templates and error pages
//
// Render("index", data) executes "index.<format>.tmpl" from App.Views (an
// fs.FS, go:embed friendly; default: the "views" folder), inside
// "layout.<format>.tmpl" when it exists (which includes the page with
// {{template "content" .}}). The format is the "format" parameter, else
// the Accept header's, else "html"; HTML uses html/template, other
// formats text/template.
//
// Error pages are drawn by, in order: the failing controller's
// ErrorPage(status, err) method, the controller given to
// App.HandleErrors (also for 404s), a "404.html.tmpl"-style template of
// Views (with an *ErrorData), or a plain "404 Not Found" line.
//
// # JSON events over HTTP
//
// A controller's exported methods that take Params (func(Params) any,
// func(Params) (any, error), func(Params) error, func(Params)) answer
// JSON events: a POST whose JSON body is {"event":"chat", ...} calls
// Chat (or a method named exactly chat) with the decoded message, and the
// return value is the response. A nil result answers
// {"event":"_ack_","_EID_":...} when the message had an _EID_; an
// unknown event goes to Unknown(Params), or gets a 404
// {"event":"_error_",...}. This is Plezi's fallback for clients without
// WebSocket; the same methods answer WebSocket messages (below).
// Event calls go through reflect.Value.Call: event names are data.
//
// # Real-time controllers
//
//	type Chat struct{ plezi.Controller }
//
//	func (c *Chat) OnMessage(data []byte) { c.Write("echo: " + string(data)) }
//	func (c *Chat) OnSSE()                {} // EventSource clients too
//	func (c *Chat) Say(m plezi.Params) error {
//		return c.Broadcast(map[string]string{"event": "said", "text": m.Get("text")})
//	}
//
// A controller with OnMessage(data []byte) (Messenger) accepts WebSocket
// upgrades on its routes; one with OnSSE() (SSEOpener) accepts
// EventSource requests (GET with Accept: text/event-stream). Other
// requests to the route are ordinary HTTP requests. An upgrade makes a
// fresh controller and calls PreConnect() bool when it has one (false
// answers 403; Params and Cookies hold the request's), then switches the
// connection to package websocket or sse (on httpd: in place, no
// goroutine). The controller then lives as long as the connection; its
// callbacks, all optional, are OnOpen(), OnMessage(data), OnSSE() (after
// OnOpen, on streams), OnDrained() (WebSocket), OnShutdown() and
// OnClose(). They run under the engine's guarantee: never two at once
// for one connection, nor with its Defer tasks; OnOpen first, OnClose
// last. So state touched only there needs no mutex, and the seed's four
// Defer tasks always leave the count at 4. A method named like a
// callback with another signature is a registration error.
//
// Methods of Controller for connections (safe from any goroutine once
// open): Write(v) (a string as a text message or an event's data, a
// []byte as a binary message, anything else as JSON), Close, Defer,
// Open, Pending, ID, IsWebSocket, IsSSE, Text (the message being handled
// is text), Subscribe(channel, handler) and Unsubscribe, Publish, Unicast
// and Broadcast. On a controller serving plain HTTP they return
// ErrNotConnected. These calls run without a ResponseWriter (it is nil):
// Params holds the upgrade request's parameters.
//
// # JSON auto-dispatch
//
// A text message that is a JSON object with a string "event" calls the
// event method of that name (the table HTTP POSTs use): an "_EID_" is
// acknowledged first with {"event":"_ack_","_EID_":...}; an unknown
// event goes to Unknown(Params), or is answered with {"event":"_error_",
// "status":404,...}; an error result with an "_error_" event of its
// status (5xx texts are logged, never sent); a non-nil return value is
// written back with Write. Binary messages, and text that is not such an
// object, go to OnMessage.
//
// An event stream cannot carry client messages, so the first event of
// each stream, "_plezi_", gives the client the stream's ID and a secret
// token: a POST to the route with the header X-Plezi-Token and a JSON
// body is handed, through pub/sub (so on whichever process holds the
// stream), to the stream's controller, which handles it exactly as a
// WebSocket text message; the POST gets 204. Without the header, a POST
// is the HTTP JSON event above.
//
// # Pub/sub, Unicast and Broadcast
//
// App.PubSub is the application's *pubsub.Broker (default: this process
// only; a broker on a pubsub/redis engine reaches every machine). Every
// connection subscribes, for its life, to a private channel derived from
// its ID and to its controller type's broadcast channel. An ID is a
// random per-App prefix and the engine's connection number, so IDs made
// by different processes and machines differ. App.Unicast(id, msg)
// reaches one connection wherever it is; App.Broadcast(&Chat{}, msg) (or
// Controller.Broadcast) every connection of that controller type, the
// sender included. Messages are encoded once for all subscribers; a
// []byte travels as a binary message and reaches WebSocket connections
// only. Delivery is at most once.
//
// # Worker processes
//
// App.Workers (or $WORKERS, $WEB_CONCURRENCY) above one makes Start, in
// the process the user ran, the master of that many worker processes
// (package cluster): it binds the listeners, re-executes the program
// with them inherited and supervises the workers (respawn, SIGUSR1 hot
// restart, SIGUSR2 upgrade, graceful stop, PIDFile); it runs no
// application code. The program makes the same calls in every process,
// so routes and Run tasks queued before Start exist in every worker
// (Run tasks run once in each). Publish, Unicast and Broadcast reach
// connections in every worker through the master; with RemotePubSub
// (a Redis engine) they reach every machine, and the cluster talks to
// Redis once, from the master. Connection IDs are unique across
// workers and machines.
//
// # The JavaScript client
//
// Every App serves Plezi's JavaScript client at /plezi.js (a classic
// script) and /plezi.mjs (an ES module), unless App.NoClient; ClientJS
// and ClientHandler serve it elsewhere. new PleziClient("/chat", true)
// connects with WebSocket, or EventSource + POST where WebSocket is
// missing (or never opens); emit(event, data, onAck, onTimeout) sends a
// JSON event; incoming events call the handler of their name; onopen and
// onclose report the connection, which reconnects with exponential
// backoff.
//
// # Bounds
//
// URL-encoded and JSON bodies read into Params are bounded by
// App.MaxBody (default 10 MiB), multipart bodies by App.MaxUpload
// (32 MiB, of which App.MaxMemory, 8 MiB, in memory and the rest in
// temporary files removed after the request); past them the request gets
// 413. Templates are cached once parsed (bounded by the files of Views).
// A route match holds at most 8 parameters, checked at registration.
// Connections: a WebSocket message is bounded by App.WebSocket.MaxMessage
// (250 KiB), each connection's output by the engine's MaxPending (a slow
// client is closed, never buffered without end), a POST forwarded to an
// event stream by MaxBody. A controller whose route passes a POST on
// (no action for it) leaves the body it read to the next route.
package plezi
