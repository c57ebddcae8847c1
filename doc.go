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
// WebSocket; the same methods will answer WebSocket messages (below).
// Event calls go through reflect.Value.Call: event names are data.
//
// # Real-time controllers (planned: phase 2)
//
// Not built yet; this is the plan, and nothing above stands in its way:
//
//   - Route already notes, at registration, whether a controller has
//     OnMessage(data []byte) (it accepts WebSocket) and OnSSE() (it
//     accepts EventSource). An upgrade request to such a route will make
//     a fresh controller, call PreConnect() bool if it has one (false
//     refuses with 403), and upgrade through package websocket or sse on
//     httpd.Upgrader: the connection switches protocol in place, no
//     goroutine. The controller then lives as long as the connection, bound
//     to a websocket.Conn or an sse.Stream behind a small interface kept
//     in Controller.
//   - Callbacks, all optional and detected by interface assertions at
//     registration: OnOpen(), OnMessage(data []byte), OnDrained(),
//     OnShutdown(), OnClose(). They run under the engine's guarantee
//     (never two at once per connection; OnOpen first, OnClose last), so
//     the seed's four Defer tasks always leave the count at 4.
//   - Controller methods for connections: Write(v any) error (string →
//     text frame or SSE data, []byte → binary frame, other values →
//     JSON), Close(), Defer(fn) error, Open() bool, Pending() int, ID()
//     string, Subscribe(channel, handler) and Publish(channel, message)
//     through package pubsub (a subscription ends with its connection).
//   - JSON auto-dispatch: a text message that parses as a JSON object with
//     a string "event" calls the event method found at registration (the
//     table HTTP uses today); an "_EID_" gets {"event":"_ack_","_EID_":...}
//     first; an unknown event goes to Unknown or gets an "_error_" event;
//     a return value is written back with Write; other messages go to
//     OnMessage.
//   - These calls run without HTTP Request/ResponseWriter: Params then
//     holds the upgrade request's parameters, and ResponseWriter is nil.
//
// # Bounds
//
// URL-encoded and JSON bodies read into Params are bounded by
// App.MaxBody (default 10 MiB), multipart bodies by App.MaxUpload
// (32 MiB, of which App.MaxMemory, 8 MiB, in memory and the rest in
// temporary files removed after the request); past them the request gets
// 413. Templates are cached once parsed (bounded by the files of Views).
// A route match holds at most 8 parameters, checked at registration.
package plezi
