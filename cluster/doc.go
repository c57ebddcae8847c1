// Package cluster runs a program as a master process supervising worker
// processes, as Iodine's workers do ("-w 4"), for Go, which cannot fork.
//
// The master re-executes its own binary once per worker, with the
// listening sockets inherited: every worker accepts on the same sockets,
// and the kernel spreads connections over them. So a program makes the
// same calls in every process; its role decides what Start does:
//
//	cl := &cluster.Cluster{Workers: 4}
//	ln, _ := cl.Listen("tcp", ":3000") // master: binds; worker: inherits
//	switch cl.Role() {
//	case cluster.Master:
//		cl.Run() // supervise until SIGINT/SIGTERM; no application code
//	default: // Worker (or Single, with Workers <= 1)
//		// serve ln; in a worker, call cl.Ready once serving
//	}
//
// The plezi framework does this for an App with Workers set; most
// programs never use this package directly.
//
// # Supervision
//
//   - A worker that exits on its own (a panic, kill -9) is started again,
//     with a back-off from 100 ms to 5 s while it keeps crashing, and
//     OnWorkerCrash runs.
//   - Workers stop when the master dies: on Linux the kernel sends them
//     SIGHUP (PR_SET_PDEATHSIG); everywhere, the link to the master
//     closes. OnParentCrash, then OnMasterGone's function, run. Workers have their own process group,
//     so a terminal's Ctrl-C reaches the master, which stops them in
//     order.
//   - SIGINT or SIGTERM to the master (or Stop) stops every worker
//     gracefully (SIGTERM, then SIGKILL after StopTimeout), removes the
//     PID file and returns from Run.
//   - SIGUSR1 replaces the workers one at a time (hot restart): a new
//     worker must report Ready before the one it replaces is stopped, so
//     requests keep being served; WebSocket clients of an old worker get
//     OnShutdown (close 1001) and reconnect to a new one.
//   - SIGUSR2 starts a new master from the program's file on disk (a new
//     build) with the listeners; once its workers serve, it tells the old
//     master, which stops its workers and exits: a zero-downtime upgrade.
//     The PID file then names the new master.
//
// # Listeners: one shared socket
//
// Workers share each listening socket (the same open file) rather than
// binding their own with SO_REUSEPORT. Measured on Linux 6.18 with three
// worker processes (connections held, counted per worker):
//
//	connections, arrival        shared socket        SO_REUSEPORT
//	                            (fewest / most per worker, in two runs)
//	3,000, one at a time        331/2,093  410/1,554    943/1,032  970/1,025
//	9,000, one at a time      1,486/4,035  2,431/3,687  2,868/3,084  2,959/3,050
//	30,000, 96 dialers at once  9,871/10,193           (not run)
//
// SO_REUSEPORT spreads better when connections arrive one at a time (the
// kernel hashes them); the shared socket, watched with EPOLLEXCLUSIVE,
// wakes the most recent waiter first, which favours one worker until it
// is busy (wrk's 100 connections over two workers split anywhere from
// 47/53 to 3/97), and spreads evenly under concurrent arrivals. The
// shared socket is the default: its backlog survives workers coming and
// going, and while a worker is down the others take its share.
//
// Cluster.ReusePort (Linux, TCP) gives each worker an SO_REUSEPORT
// socket of its own instead: connections spread evenly (wrk's 100: 49/51
// in every run; 300 one at a time over three workers: 97/99/104). The
// master binds and holds every socket, so a worker that stops in a hot
// restart hands its socket, backlog included, to its replacement (a
// plain SO_REUSEPORT socket that closes resets the connections queued on
// it); what ReusePort gives up is the crash case: until a crashed worker
// is started again, the connections the kernel hashes to its socket
// wait. A new master (SIGUSR2) inherits every socket; with fewer workers
// than sockets it closes the extra ones (resetting what they queued).
//
// A stopping worker accepts what the kernel queued for it before it lets
// go of a socket (see engine.Engine.ListenOn).
//
// The master passes descriptors with syscall.ForkExec, never os/exec:
// exec.Cmd calls os.File.Fd, which switches a socket to blocking mode,
// and the mode belongs to the socket all workers share.
//
// # Pub/sub across workers
//
// Workers talk to the master over a Unix socket pair (a star, as in
// Iodine). A worker tells the master the channels and patterns that have
// local subscribers (once each, whatever their number), and Engines'
// local engine publishes a message in this process and through the
// master to the other workers that want it: the master sends each
// message only where it is wanted. With an Upstream (a broker on a Redis
// engine, BrokerUpstream), the remote engine reaches every machine
// through the master: the whole cluster holds one Redis connection.
//
// Links are bounded: past DefaultLinkBuffer unsent bytes a worker's
// Publish fails with ErrBusy, and the master drops (and counts) messages
// for a worker whose link is that full; subscription frames always pass.
// Pub/sub between processes is at-most-once, as Redis pub/sub is.
//
// Worker processes need Unix (descriptor inheritance by number); on
// other systems every process is Single.
package cluster
