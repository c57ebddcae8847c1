#!/usr/bin/env bash
# perfstat.sh: count system calls and context switches per echo round trip
# of one server process, with perf (Linux; run as root or with
# perf_event_paranoid <= 1). Loopback only; bounded to a few seconds.
#
# usage: scripts/perfstat.sh KIND [THREADS] [CONNS]     (from bench/)
#   KIND: engine or netconn
set -euo pipefail
kind=${1:?usage: perfstat.sh engine|netconn [threads] [conns]}
threads=${2:-0}
conns=${3:-100}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/bench" ./cmd/bench
coproc SRV { "$dir/bench" serve -kind "$kind" -threads "$threads" -mode echo; }
read -r _ addr pid <&"${SRV[0]}"
"$dir/bench" load -addr "$addr" -pid "$pid" -conns "$conns" -warmup 1s -dur 4s >"$dir/load.out" &
lp=$!
sleep 1
perf stat -x, -p "$pid" \
	-e raw_syscalls:sys_enter,syscalls:sys_enter_read,syscalls:sys_enter_write \
	-e syscalls:sys_enter_epoll_pwait,syscalls:sys_enter_futex,syscalls:sys_enter_nanosleep \
	-e context-switches,task-clock -- sleep 4 2>"$dir/perf.out" >/dev/null
wait "$lp"
rts=$(sed 's/.*rts=\([0-9]*\).*/\1/' "$dir/load.out")
echo "$kind threads=$threads conns=$conns: $(cat "$dir/load.out")"
# perf counts over its 4 s; the load client's round trips over its 4 s
# window (nearly the same interval).
awk -F, -v rts="$rts" '{
	if ($3 == "task-clock") printf "  %-32s %12s  %.2f µs CPU per round trip\n", $3 " (ms)", $1, $1*1000/rts
	else printf "  %-32s %12s  %.3f per round trip\n", $3, $1, $1/rts
}' "$dir/perf.out"
eval "exec ${SRV[1]}>&-"
wait
