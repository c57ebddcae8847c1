#!/usr/bin/env bash
# httpperf.sh: count system calls, context switches and CPU per HTTP
# request of one hello-world server process under wrk, with perf (Linux;
# run as root or with perf_event_paranoid <= 1). Loopback only; bounded
# to a few seconds.
#
# usage: scripts/httpperf.sh KIND [CONNS] [GOMAXPROCS]     (from bench/)
#   KIND: plezi-native, plezi-adapter, nethttp, fasthttp, nbio, nbio-pool
#   or nbio-mixed, or a multi-process one (plezi-w2, plezi-w2-p1,
#   fasthttp-prefork, ...: the parent and its children are counted
#   together) (see bench serve -h)
set -euo pipefail
kind=${1:?usage: httpperf.sh KIND [conns] [gomaxprocs]}
conns=${2:-100}
procs=${3:-2}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/bench" ./cmd/bench
coproc SRV { GOMAXPROCS=$procs "$dir/bench" serve -kind "$kind"; }
read -r _ addr pid <&"${SRV[0]}"
# A multi-process server (plezi-w2, fasthttp-prefork, ...): count its
# children (workers) too.
for c in $(pgrep -P "$pid" || true); do pid="$pid,$c"; done
wrk -t2 -c"$conns" -d6s "http://$addr/" >"$dir/wrk.out" &
wp=$!
sleep 1
perf stat -x, -p "$pid" \
	-e raw_syscalls:sys_enter,syscalls:sys_enter_read,syscalls:sys_enter_write \
	-e syscalls:sys_enter_epoll_pwait,syscalls:sys_enter_futex,syscalls:sys_enter_nanosleep \
	-e context-switches,task-clock -- sleep 4 2>"$dir/perf.out" >/dev/null
wait "$wp"
rps=$(awk '/^Requests\/sec/ {print $2}' "$dir/wrk.out")
echo "$kind conns=$conns GOMAXPROCS=$procs pids $pid: $rps requests/s (wrk, 6 s)"
# perf counts over 4 s in the middle of wrk's 6 s; requests estimated as
# wrk's mean rate times 4 s.
awk -F, -v rps="$rps" '{
	n = rps * 4
	if ($3 == "task-clock") printf "  %-32s %12s  %.2f µs CPU per request\n", $3 " (ms)", $1, $1*1000/n
	else printf "  %-32s %12s  %.3f per request\n", $3, $1, $1/n
}' "$dir/perf.out"
eval "exec ${SRV[1]}>&-"
wait
