// Command plezi runs Plezi's demo, serves static files, and generates
// new applications, with flags in the spirit of iodine's:
//
//	go run ./cmd/plezi                      # the demo (a chat room) on :3000 (or $PORT)
//	go run ./cmd/plezi demo -r redis://localhost:6379/0   # the same, across machines
//	go run ./cmd/plezi -www ./public        # a static file server
//	go run ./cmd/plezi -tls -p 3443         # HTTPS with a self-signed certificate
//	go run ./cmd/plezi new myapp            # a new application in ./myapp
//
// Subcommands:
//
//	demo (the default)  the chat room demo: a page at /, its WebSocket (and
//	                    EventSource + POST) endpoint at /chat, nicknames and
//	                    presence, a server clock (RunEvery), a slow job
//	                    streaming progress (Run and Defer); /hello says hello
//	new [-module PATH] [-replace DIR] [-tidy=false] NAME
//	                    writes a runnable app (main.go, controllers, views,
//	                    public/, a test) into NAME and runs go mod tidy there;
//	                    -replace points it at a plezi checkout
//
// Flags (demo and static server):
//
//	-b ADDR        address to bind, or a Unix socket path (starting with / or .)
//	-p PORT        port (default $PORT, else 3000)
//	-t N           handler goroutines (0: run handlers on the event loops)
//	-www DIR       serve static files from DIR (instead of the demo)
//	-r URL         Redis URL: the demo's pub/sub reaches every process using it
//	-v             access log (text, to stderr)
//	-k SECONDS     keep-alive timeout (default 40)
//	-maxbd MiB     request body limit (default 50)
//	-maxhd KiB     request head limit (default 32)
//	-tls           serve HTTPS (self-signed certificate unless -tls-cert/-tls-key)
//	-tls-cert FILE certificate (PEM)
//	-tls-key FILE  private key (PEM)
//
// Bad flags print a message and exit with status 2. SIGINT or SIGTERM shut
// the server down gracefully.
//
// The demo's chat protocol: a JSON message {"event":"chat","name":N,"text":T}
// sent to /chat reaches every participant (every process, with -r) as
// JSON with the same event, name and text. The demo's browser test
// (TestDemoBrowser) saves a screenshot as $PLEZI_ARTIFACTS/plezi-demo.png
// (default: the system's temporary folder).
package main
