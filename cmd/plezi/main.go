package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/plezi-go/plezi"
	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/httpd"
	"github.com/plezi-go/plezi/internal/devcert"
	"github.com/plezi-go/plezi/pubsub"
	"github.com/plezi-go/plezi/pubsub/redis"
)

func main() {
	err := run(os.Args[1:], os.Stderr)
	var ue usageError
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.As(err, &ue):
		fmt.Fprintln(os.Stderr, "plezi:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "plezi:", err)
		os.Exit(1)
	}
}

// usageError is a bad flag or flag value (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// options are the parsed flags.
type options struct {
	bind, www, certFile, keyFile string
	redis                        string
	port, threads, keepAlive     int
	maxBodyMiB, maxHeadKiB       int
	verbose, tls                 bool
}

func parse(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("plezi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.bind, "b", "", "address to bind, or a Unix socket path (starting with / or .)")
	fs.IntVar(&o.port, "p", envInt("PORT", 3000), "port (default $PORT, else 3000)")
	fs.IntVar(&o.threads, "t", 0, "handler goroutines (0: handlers run on the event loops)")
	fs.StringVar(&o.www, "www", "", "serve static files from this folder")
	fs.BoolVar(&o.verbose, "v", false, "access log to stderr")
	fs.IntVar(&o.keepAlive, "k", 40, "keep-alive timeout, seconds")
	fs.IntVar(&o.maxBodyMiB, "maxbd", 50, "request body limit, MiB")
	fs.IntVar(&o.maxHeadKiB, "maxhd", 32, "request head limit, KiB")
	fs.BoolVar(&o.tls, "tls", false, "serve HTTPS (self-signed certificate unless -tls-cert and -tls-key)")
	fs.StringVar(&o.certFile, "tls-cert", "", "TLS certificate file (PEM)")
	fs.StringVar(&o.keyFile, "tls-key", "", "TLS private key file (PEM)")
	fs.StringVar(&o.redis, "r", "", "Redis URL (redis://host:6379/0) for pub/sub across machines (default: this process only)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err.Error()}
	}
	switch {
	case fs.NArg() > 0:
		return nil, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	case o.port < 0 || o.port > 65535:
		return nil, usageError{fmt.Sprintf("-p %d: not a port", o.port)}
	case o.threads < 0:
		return nil, usageError{"-t must be 0 or more"}
	case o.keepAlive <= 0:
		return nil, usageError{"-k must be at least 1 second"}
	case o.maxBodyMiB <= 0 || o.maxHeadKiB <= 0:
		return nil, usageError{"-maxbd and -maxhd must be positive"}
	case (o.certFile == "") != (o.keyFile == ""):
		return nil, usageError{"-tls-cert and -tls-key go together"}
	}
	if o.www != "" {
		if st, err := os.Stat(o.www); err != nil || !st.IsDir() {
			return nil, usageError{fmt.Sprintf("-www %s: not a folder", o.www)}
		}
	}
	if o.certFile != "" {
		o.tls = true
	}
	return o, nil
}

func run(args []string, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "demo":
			args = args[1:]
		case "new":
			return runNew(args[1:], stderr)
		}
	}
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	level := slog.LevelWarn
	if o.verbose {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	e := &engine.Engine{Threads: o.threads, Logger: logger}
	s := &httpd.Server{
		Public:    o.www,
		KeepAlive: time.Duration(o.keepAlive) * time.Second,
		ErrorLog:  logger,
	}
	s.Limits.MaxBody = int64(o.maxBodyMiB) << 20
	s.Limits.MaxHeaderBytes = o.maxHeadKiB << 10
	if o.verbose {
		s.AccessLog = logger
	}
	start := e.Start
	if o.www == "" {
		a := &plezi.App{Engine: e, Server: s, Logger: logger}
		if o.redis != "" {
			re, err := redisBroker(a, o.redis, logger)
			if err != nil {
				return err
			}
			defer re.Close()
		}
		if err := setupDemo(a); err != nil {
			return err
		}
		start = a.Start
	}
	network, addr := "tcp", net.JoinHostPort(o.bind, strconv.Itoa(o.port))
	if b := o.bind; len(b) > 0 && (b[0] == '/' || b[0] == '.') {
		network, addr = "unix", b
	}
	ln, scheme, err := listen(e, s, o, network, addr)
	if err != nil {
		return err
	}
	e.On(engine.Started, func() {
		what := "the demo (a chat room)"
		if o.www != "" {
			what = "files from " + o.www
		}
		fmt.Fprintf(stderr, "plezi: serving %s on %s://%s; Ctrl-C to stop\n", what, scheme, ln.Addr())
	})
	e.On(engine.Finished, func() { fmt.Fprintln(stderr, "plezi: stopped") })
	return start()
}

// redisBroker gives a a broker on a Redis engine: pub/sub across
// machines.
func redisBroker(a *plezi.App, url string, logger *slog.Logger) (*redis.Engine, error) {
	b := &pubsub.Broker{Logger: logger}
	re, err := redis.New(b, redis.Options{URL: url, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("-r %s: %w", url, err)
	}
	b.Engine = re
	a.PubSub = b
	return re, nil
}

func listen(e *engine.Engine, s *httpd.Server, o *options, network, addr string) (*engine.Listener, string, error) {
	if !o.tls {
		ln, err := s.Listen(e, network, addr)
		return ln, "http", err
	}
	var cert tls.Certificate
	var err error
	if o.certFile != "" {
		cert, err = tls.LoadX509KeyPair(o.certFile, o.keyFile)
	} else {
		cert, err = devcert.New()
	}
	if err != nil {
		return nil, "", err
	}
	ln, err := s.ListenTLS(e, network, addr, &tls.Config{Certificates: []tls.Certificate{cert}})
	return ln, "https", err
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}
