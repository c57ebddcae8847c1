// Command plezi runs a Plezi HTTP server on the engine, with flags in the
// spirit of iodine's:
//
//	go run ./cmd/plezi                      # the demo page on :3000 (or $PORT)
//	go run ./cmd/plezi -www ./public        # a static file server
//	go run ./cmd/plezi -tls -p 3443         # HTTPS with a self-signed certificate
//
// Flags:
//
//	-b ADDR        address to bind, or a Unix socket path (starting with / or .)
//	-p PORT        port (default $PORT, else 3000)
//	-t N           handler goroutines (0: run handlers on the event loops)
//	-www DIR       serve static files from DIR (else the embedded demo page)
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
package main
