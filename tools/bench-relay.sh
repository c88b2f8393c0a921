#!/usr/bin/env bash
# End-to-end relay benchmark: smtp-source → server → smtp-sink, Tern and a
# private Postfix side by side, plus the harness ceiling (smtp-source straight
# into smtp-sink). Run it as `tools/bench relay [options]`; it needs root
# (Postfix's master runs as root).
#
# Everything runs on 127.0.0.1 from one temporary directory that is removed at
# the end; every process started here is stopped on exit (also on Ctrl-C).
#
#   ternd     release build, fresh journal for each message size, full
#             durability (250 only after the LMDB commit synced; every outcome
#             journalled), a smarthost action to its own smtp-sink:
#               action "out" relay host smtp://127.0.0.1:SINKPORT
#               limit default connections C messages-per-connection 1000
#               match from any for domain "bench.test" action "out"
#   Postfix   a private instance (tools/bench-lib.sh; default durability, no
#             chroot, default_process_limit 200) relaying bench.test with
#             relayhost = [127.0.0.1]:SINKPORT and
#             default_destination_concurrency_limit = C (C = --connections, 50).
#   direct    smtp-source straight into a third smtp-sink: the ceiling.
#
# Each target has its own smtp-sink (-c, running counters), so a run's clock
# stops when that sink's message counter has grown by N: the rate is N / (time
# from the start of smtp-source until the sink has all N). For each size,
# session count and round (interleaved: Tern, Postfix, direct), smtp-source
# sends N messages of SIZE bytes to one recipient each (-c -l SIZE -m N -s
# SESSIONS, one message per connection), N sized from an unmeasured warm-up so
# that a run lasts about --seconds. Reported: the median end-to-end rate, the
# median rate at which the server accepted them (smtp-source done), and each
# server's CPU per message (/proc/PID/stat: ternd's own until it had logged
# every delivery; Postfix's master, its live and reaped children until its
# queue had drained), and the messages per connection its sink saw (connection
# reuse; from the sink's session counter).
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_NAME="bench relay"
source tools/bench-lib.sh

usage() {
    cat <<'EOF'
usage: tools/bench relay [options]
  --rounds N            measured rounds per cell, median reported (default 3)
  --sessions LIST       concurrent smtp-source sessions (default 1,10,50)
  --sizes LIST          message sizes in bytes (default 1024)
  --seconds S           target duration of one run (default 3)
  --messages N          fixed messages per run instead of sizing runs from the warm-up
  --connections C       Tern's `limit default connections` and Postfix's
                        default_destination_concurrency_limit (default 50)
  --latency-seconds S   measured seconds of each latency run (default 3; 0 skips them)
  --latency-sessions N  concurrent sessions of the latency runs (default 50)
  --latency-only        only the latency runs (tools/bench latency)
  --no-opensmtpd        leave OpenSMTPD out
  --opensmtpd-max-sessions N
                        run OpenSMTPD's rate cells only up to N sessions (default 5: its
                        listen backlog is 5, and more clients connecting at once lose SYNs)
  --no-build            use the existing .build/release/ternd and tern-bench
  --keep                keep the temporary directory (logs, configs) and print its path
EOF
}

ROUNDS=3 SESSIONS=1,10,50 SIZES=1024 RUN_SECONDS=3 FIXED_MESSAGES="" CONNECTIONS=50 BUILD=1 KEEP=0
LATENCY_SECONDS=3 LATENCY_SESSIONS=50 LATENCY_ONLY=0 OPENSMTPD=1 OPENSMTPD_MAX_SESSIONS=5
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS=$2; shift 2 ;;
        --sessions) SESSIONS=$2; shift 2 ;;
        --sizes) SIZES=$2; shift 2 ;;
        --seconds) RUN_SECONDS=$2; shift 2 ;;
        --messages) FIXED_MESSAGES=$2; shift 2 ;;
        --connections) CONNECTIONS=$2; shift 2 ;;
        --latency-seconds) LATENCY_SECONDS=$2; shift 2 ;;
        --latency-sessions) LATENCY_SESSIONS=$2; shift 2 ;;
        --latency-only) LATENCY_ONLY=1; shift ;;
        --no-opensmtpd) OPENSMTPD=0; shift ;;
        --opensmtpd-max-sessions) OPENSMTPD_MAX_SESSIONS=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        --keep) KEEP=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) log "unknown argument $1"; usage >&2; exit 64 ;;
    esac
done
positive_list "$ROUNDS" --rounds
[ "$LATENCY_ONLY" -eq 1 ] || positive_list "$SESSIONS" --sessions
positive_list "$SIZES" --sizes
[[ $RUN_SECONDS =~ ^[0-9]+(\.[0-9]+)?$ ]] || { log "--seconds takes a number"; exit 64; }
[ -z "$FIXED_MESSAGES" ] || positive_list "$FIXED_MESSAGES" --messages
[[ $CONNECTIONS =~ ^[1-9][0-9]*$ ]] || { log "--connections takes a positive integer"; exit 64; }
[[ $LATENCY_SECONDS =~ ^[0-9]+(\.[0-9]+)?$ ]] || { log "--latency-seconds takes a number"; exit 64; }
[[ $LATENCY_SESSIONS =~ ^[1-9][0-9]*$ ]] || { log "--latency-sessions takes a positive integer"; exit 64; }
[[ $OPENSMTPD_MAX_SESSIONS =~ ^[0-9]+$ ]] || { log "--opensmtpd-max-sessions takes a number"; exit 64; }
if [ "$LATENCY_ONLY" -eq 1 ]; then
    SESSIONS=""
    awk -v s="$LATENCY_SECONDS" 'BEGIN { exit !(s > 0) }' || { log "--latency-only needs --latency-seconds above 0"; exit 64; }
fi
require_root "a private Postfix's master must start as root"

source tools/deps.sh
ensure_packages liblmdb-dev postfix
find_ternd "$BUILD"
find_tern_bench "$BUILD"

bench_begin relay

free_port TERN_PORT
free_port POSTFIX_PORT
free_port TERN_SINK_PORT
free_port POSTFIX_SINK_PORT
free_port DIRECT_SINK_PORT
free_port OPENSMTPD_PORT
free_port OPENSMTPD_SINK_PORT
TERN_DIR="$WORK/tern"
PF="$WORK/postfix"
OSD="$WORK/opensmtpd"
if [ "$OPENSMTPD" -eq 1 ]; then fetch_opensmtpd || OPENSMTPD=0; fi

# targets SESSIONS: the targets of a cell with SESSIONS concurrent clients (0: a latency cell).
targets() {
    local list="tern postfix"
    [ "$OPENSMTPD" -eq 1 ] && [ "$1" -le "$OPENSMTPD_MAX_SESSIONS" ] && list+=" opensmtpd"
    echo "$list direct"
}

# --------------------------------------------------------------------------
# Tern: relays bench.test to its sink as a smarthost
# --------------------------------------------------------------------------
start_relay_tern() {
    rm -rf "$TERN_DIR"
    mkdir -p "$TERN_DIR/var"
    cat >"$TERN_DIR/tern.conf" <<EOF
hostname mx.bench.test
queue path "$TERN_DIR/var/queue"
listen on 127.0.0.1 port $TERN_PORT
action "out" relay host smtp://127.0.0.1:$TERN_SINK_PORT
match from any for domain "bench.test" action "out"
limit default connections $CONNECTIONS messages-per-connection 1000
smtp limits sessions 2000 per-client 2000
EOF
    start_tern
}

# Deliveries ternd has journalled and logged (one line per recipient).
tern_delivered() { grep -c ' status=sent ' "$TERN_DIR/ternd.log" || true; }
tern_failures() { grep -E ' status=(deferred|bounced) ' "$TERN_DIR/ternd.log" | head -3 || true; }

# --------------------------------------------------------------------------
# Postfix: relays bench.test to its sink through relayhost
# --------------------------------------------------------------------------
POSTFIX_MAIN="mydestination =
relay_domains = bench.test
relayhost = [127.0.0.1]:$POSTFIX_SINK_PORT
default_destination_concurrency_limit = $CONNECTIONS"

# --------------------------------------------------------------------------
# OpenSMTPD: relays bench.test to its sink as a smarthost (tools/bench-lib.sh)
# --------------------------------------------------------------------------
OPENSMTPD_CONFIG="action \"out\" relay host smtp://127.0.0.1:$OPENSMTPD_SINK_PORT
match from any for domain \"bench.test\" action \"out\""

# --------------------------------------------------------------------------
# One run
# --------------------------------------------------------------------------
server_port() {
    case "$1" in
        tern) echo "$TERN_PORT" ;;
        postfix) echo "$POSTFIX_PORT" ;;
        opensmtpd) echo "$OPENSMTPD_PORT" ;;
        direct) echo "$DIRECT_SINK_PORT" ;;
    esac
}
sink_out() { echo "$WORK/sink-$1.out"; }
server_cpu() {
    case "$1" in
        tern) tern_cpu ;;
        postfix) postfix_cpu ;;
        opensmtpd) opensmtpd_cpu ;;
        direct) echo 0 ;;
    esac
}
# Deliveries the server has logged as done (0 where it does not log them).
server_delivered() {
    case "$1" in
        tern) tern_delivered ;;
        opensmtpd) opensmtpd_delivered ;;
        *) echo 0 ;;
    esac
}
server_pids() {
    case "$1" in
        tern) echo tern_pids ;;
        postfix) echo postfix_live_pids ;;
        opensmtpd) echo opensmtpd_pids ;;
        direct) echo true ;;
    esac
}

# run TARGET SIZE SESSIONS MESSAGES: sets RUN_RATE (end to end, msgs/s), RUN_ACCEPT_RATE
# (smtp-source done, msgs/s), RUN_SECONDS_TAKEN, RUN_CPU (server CPU seconds) and
# RUN_CONNECTIONS (connections the sink took) and RUN_PEAK (the server's peak memory
# during the run, KiB, see pss_kib); returns 1 on failure.
run() {
    local target=$1 size=$2 sessions=$3 messages=$4
    local port out cpu0 cpu1 t0 t_accept t1 rc=0 before sessions0 received delivered0 deadline limit
    port=$(server_port "$target")
    out=$(sink_out "$target")
    limit=$(awk -v s="$RUN_SECONDS" 'BEGIN { printf "%d", 60 + 20 * s }')
    [ "$target" = postfix ] && { postfix_drain || return 1; }
    delivered0=$(server_delivered "$target")
    before=$(sink_messages "$out")
    sessions0=$(sink_counter "$out" sess)
    cpu0=$(server_cpu "$target")
    start_memory_sampler "$(server_pids "$target")" "$WORK/peak-$target"
    t0=$EPOCHREALTIME
    timeout "$limit" smtp-source -c -l "$size" -m "$messages" -s "$sessions" \
        -f from@bench.test -t to@bench.test "127.0.0.1:$port" >/dev/null 2>"$WORK/client.err" &
    CLIENT_PID=$!
    wait "$CLIENT_PID" || rc=$?
    CLIENT_PID=""
    t_accept=$EPOCHREALTIME
    if [ "$rc" -ne 0 ] || [ -s "$WORK/client.err" ]; then
        stop_memory_sampler >/dev/null
        log "$target: smtp-source failed (exit $rc$([ "$rc" -eq 124 ] && echo ", timed out after $limit s")):"
        head -5 "$WORK/client.err" >&2
        return 1
    fi
    # The clock stops when the sink has all N.
    deadline=$((SECONDS + limit))
    while received=$(($(sink_messages "$out") - before)) && [ "$received" -lt "$messages" ]; do
        if [ $SECONDS -ge $deadline ]; then
            stop_memory_sampler >/dev/null
            log "$target: the sink received $received of $messages messages within $limit s"
            [ "$target" = tern ] && tern_failures >&2
            [ "$target" = postfix ] && tail -5 "$PF/maillog" >&2
            [ "$target" = opensmtpd ] && grep -v 'result="Ok"' "$OSD/smtpd.log" | tail -5 >&2
            return 1
        fi
        sleep 0.01
    done
    t1=$EPOCHREALTIME
    # CPU until the server has finished its bookkeeping: ternd has journalled and logged
    # every outcome, OpenSMTPD has logged every delivery, Postfix's queue has drained.
    case "$target" in
        tern | opensmtpd)
            while [ $(($(server_delivered "$target") - delivered0)) -lt "$messages" ]; do
                if [ $SECONDS -ge $deadline ]; then
                    stop_memory_sampler >/dev/null
                    log "$target: the sink has all $messages but the server logged only $(($(server_delivered "$target") - delivered0)) as sent"
                    [ "$target" = tern ] && tern_failures >&2
                    return 1
                fi
                sleep 0.01
            done
            ;;
        postfix) postfix_drain || { stop_memory_sampler >/dev/null; return 1; } ;;
    esac
    cpu1=$(server_cpu "$target")
    RUN_PEAK=$(stop_memory_sampler)
    received=$(($(sink_messages "$out") - before))
    [ "$received" -eq "$messages" ] || log "$target: the sink received $received messages for $messages sent"
    RUN_RATE=$(awk -v n="$messages" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", n / (b - a) }')
    RUN_ACCEPT_RATE=$(awk -v n="$messages" -v a="$t0" -v b="$t_accept" 'BEGIN { printf "%.1f", n / (b - a) }')
    RUN_SECONDS_TAKEN=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    RUN_CPU=$(awk -v t=$((cpu1 - cpu0)) -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", t / hz }')
    RUN_CONNECTIONS=$(($(sink_counter "$out" sess) - sessions0))
}

# latency TARGET SIZE: tern-bench latency (LATENCY_SESSIONS sessions reusing their
# connections, one command at a time, end-of-data → reply timed) against TARGET for
# LATENCY_SECONDS after a second of warm-up; sets LAT_P50, LAT_P90, LAT_P99, LAT_MAX
# (ms), LAT_RATE (msgs/s) and LAT_FAILURES; returns 1 on failure. Then waits until
# ternd or Postfix has relayed what it took, so the next run starts from an empty
# queue; OpenSMTPD, which relays about 15 msgs/s here and would take minutes, has its
# queue emptied instead (smtpctl remove all).
latency() {
    local target=$1 size=$2 port line limit kv accepted deadline
    port=$(server_port "$target")
    [ "$target" = postfix ] && { postfix_drain || return 1; }
    limit=$(awk -v s="$LATENCY_SECONDS" 'BEGIN { printf "%d", 60 + 2 * s }')
    line=$(timeout "$limit" "$TERN_BENCH" latency --port "$port" --sessions "$LATENCY_SESSIONS" \
        --seconds "$LATENCY_SECONDS" --warmup 1 --size "$size" --from from@bench.test --to to@bench.test \
        2>"$WORK/latency.err") || {
        log "$target: tern-bench latency failed:"
        head -5 "$WORK/latency.err" >&2
        return 1
    }
    [ -s "$WORK/latency.err" ] && log "$target: $(head -1 "$WORK/latency.err")"
    for kv in $line; do
        case "$kv" in
            p50=*) LAT_P50=${kv#*=} ;;
            p90=*) LAT_P90=${kv#*=} ;;
            p99=*) LAT_P99=${kv#*=} ;;
            max=*) LAT_MAX=${kv#*=} ;;
            rate=*) LAT_RATE=${kv#*=} ;;
            failures=*) LAT_FAILURES=${kv#*=} ;;
        esac
    done
    case "$target" in
        tern)
            deadline=$((SECONDS + 120))
            accepted=$(grep -c ' nrcpt=' "$TERN_DIR/ternd.log" || true)
            while [ "$(tern_delivered)" -lt "$accepted" ] && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
            ;;
        postfix) postfix_drain || return 1 ;;
        opensmtpd) opensmtpd_clear_queue ;;
    esac
}

# latency_cells SIZE: ROUNDS interleaved latency runs of each target; appends to LATENCY_ROWS.
latency_cells() {
    local size=$1 target round line
    declare -A P50=() P90=() P99=() MAX=() RATE=() FAILED=()
    for target in $(targets 0); do
        P50[$target]="" P90[$target]="" P99[$target]="" MAX[$target]="" RATE[$target]="" FAILED[$target]=0
    done
    for round in $(seq "$ROUNDS"); do
        line="latency, size $size, $LATENCY_SESSIONS sessions, round $round:"
        for target in $(targets 0); do
            latency "$target" "$size" || exit 1
            P50[$target]+="$LAT_P50 " P90[$target]+="$LAT_P90 " P99[$target]+="$LAT_P99 "
            MAX[$target]+="$LAT_MAX " RATE[$target]+="$LAT_RATE "
            FAILED[$target]=$((FAILED[$target] + LAT_FAILURES))
            line+=" $target p50 $LAT_P50 p90 $LAT_P90 p99 $LAT_P99 max $LAT_MAX ms, ${LAT_RATE}/s, $LAT_FAILURES failures;"
        done
        log "$line"
    done
    local row="| $(size_label "$size") | $LATENCY_SESSIONS |"
    for target in tern postfix opensmtpd direct; do
        if [ -z "${P50[$target]:-}" ]; then
            row+=" – | – | – | – | – |"
            continue
        fi
        # shellcheck disable=SC2086
        row+=" $(median ${P50[$target]}) | $(median ${P90[$target]}) | $(median ${P99[$target]}) | $(median ${MAX[$target]}) | $(median ${RATE[$target]} | awk '{ printf "%.0f", $1 }') |"
    done
    row+=" ${FAILED[tern]} / ${FAILED[postfix]} / ${FAILED[opensmtpd]:-–} |"
    LATENCY_ROWS+=("$row")
}

# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for target in tern postfix opensmtpd direct; do
    port_var="$(echo "$target" | tr a-z A-Z)_SINK_PORT"
    start_sink sink_pid "${!port_var}" "$(sink_out "$target")"
done
start_postfix "$POSTFIX_PORT" "$POSTFIX_MAIN"
[ "$OPENSMTPD" -eq 0 ] || start_opensmtpd "$OPENSMTPD_PORT" "$OPENSMTPD_CONFIG"
log "ternd port $TERN_PORT → sink $TERN_SINK_PORT, Postfix port $POSTFIX_PORT → sink $POSTFIX_SINK_PORT, $([ "$OPENSMTPD" -eq 0 ] && echo "no OpenSMTPD" || echo "OpenSMTPD port $OPENSMTPD_PORT → sink $OPENSMTPD_SINK_PORT"), direct sink $DIRECT_SINK_PORT, work dir $WORK"

ROWS=()
DETAILS=()
LATENCY_ROWS=()
TERN_CPU_ALL=0 POSTFIX_CPU_ALL=0
IFS=, read -r -a SIZE_LIST <<<"$SIZES"
SESSION_LIST=()
[ -z "$SESSIONS" ] || IFS=, read -r -a SESSION_LIST <<<"$SESSIONS"
for size in "${SIZE_LIST[@]}"; do
    start_relay_tern
    for sessions in "${SESSION_LIST[@]}"; do
        declare -A N=() RATES=() ACCEPT=() CPU=() SENT=() CONNS=() PEAK=()
        # Warm-up (not measured): starts Postfix's processes, opens Tern's connections,
        # and sizes the runs: a short run, then one of about a second, whose rate sizes N.
        warm=$((sessions * 20 > 200 ? sessions * 20 : 200))
        for target in $(targets "$sessions"); do
            run "$target" "$size" "$sessions" "$warm" || exit 1
            if [ -n "$FIXED_MESSAGES" ]; then
                N[$target]=$FIXED_MESSAGES
            else
                run "$target" "$size" "$sessions" "$(messages_for "$RUN_RATE" 1 "$sessions" "$warm")" || exit 1
                N[$target]=$(messages_for "$RUN_RATE" "$RUN_SECONDS" "$sessions" "$warm")
            fi
            RATES[$target]="" ACCEPT[$target]="" CPU[$target]=0 SENT[$target]=0 CONNS[$target]=0 PEAK[$target]=0
        done
        for round in $(seq "$ROUNDS"); do
            line="size $size, $sessions sessions, round $round:"
            for target in $(targets "$sessions"); do
                run "$target" "$size" "$sessions" "${N[$target]}" || exit 1
                RATES[$target]+="$RUN_RATE "
                ACCEPT[$target]+="$RUN_ACCEPT_RATE "
                CPU[$target]=$(awk -v a="${CPU[$target]}" -v b="$RUN_CPU" 'BEGIN { print a + b }')
                SENT[$target]=$((SENT[$target] + N[$target]))
                CONNS[$target]=$((CONNS[$target] + RUN_CONNECTIONS))
                PEAK[$target]=$((RUN_PEAK > PEAK[$target] ? RUN_PEAK : PEAK[$target]))
                line+=" $target ${RUN_RATE}/s (${N[$target]} in ${RUN_SECONDS_TAKEN} s, accepted ${RUN_ACCEPT_RATE}/s, cpu ${RUN_CPU} s, peak $((RUN_PEAK / 1024)) MiB, ${RUN_CONNECTIONS} connections to the sink)"
            done
            log "$line"
            DETAILS+=("| $(size_label "$size") | $sessions | $round | $(last_word "${RATES[tern]}") | $(last_word "${ACCEPT[tern]}") | $(last_word "${RATES[postfix]}") | $(last_word "${ACCEPT[postfix]}") | $(last_word "${RATES[opensmtpd]:-–}") | $(last_word "${RATES[direct]}") |")
        done
        # shellcheck disable=SC2086
        tern=$(median ${RATES[tern]})
        # shellcheck disable=SC2086
        tern_accept=$(median ${ACCEPT[tern]})
        # shellcheck disable=SC2086
        postfix=$(median ${RATES[postfix]})
        # shellcheck disable=SC2086
        postfix_accept=$(median ${ACCEPT[postfix]})
        # shellcheck disable=SC2086
        direct=$(median ${RATES[direct]})
        opensmtpd_cells="– | – | – |"
        if [ -n "${RATES[opensmtpd]:-}" ]; then
            # shellcheck disable=SC2086
            opensmtpd_cells=$(awk -v o="$(median ${RATES[opensmtpd]})" -v oc="${CPU[opensmtpd]}" -v on="${SENT[opensmtpd]}" -v om="${PEAK[opensmtpd]}" \
                'BEGIN { printf "%.0f | %.1f | %.0f |", o, 10000 * oc / on, om / 1024 }')
        fi
        TERN_CPU_ALL=$(awk -v a="$TERN_CPU_ALL" -v b="${CPU[tern]}" 'BEGIN { print a + b }')
        POSTFIX_CPU_ALL=$(awk -v a="$POSTFIX_CPU_ALL" -v b="${CPU[postfix]}" 'BEGIN { print a + b }')
        ROWS+=("$(awk -v label="$(size_label "$size")" -v s="$sessions" -v t="$tern" -v p="$postfix" -v d="$direct" \
            -v ta="$tern_accept" -v pa="$postfix_accept" -v tk="${CONNS[tern]}" -v pk="${CONNS[postfix]}" \
            -v tc="${CPU[tern]}" -v tn="${SENT[tern]}" -v pc="${CPU[postfix]}" -v pn="${SENT[postfix]}" \
            -v tm="${PEAK[tern]}" -v pm="${PEAK[postfix]}" 'BEGIN {
            printf "| %s | %d | %.0f | %.0f | %.2f× | %.0f | %.0f%% | %.0f | %.0f | %.1f | %.1f | %.0f | %.0f | %s | %s |", label, s, t, p, t / p, d, 100 * t / d, ta, pa, 10000 * tc / tn, 10000 * pc / pn, tm / 1024, pm / 1024, per(tn, tk), per(pn, pk) }
            function per(n, k) { return k > 0 ? sprintf("%.1f", n / k) : "no new" }') $opensmtpd_cells")
        unset N RATES ACCEPT CPU SENT CONNS PEAK
    done
    if awk -v s="$LATENCY_SECONDS" 'BEGIN { exit !(s > 0) }'; then latency_cells "$size"; fi
    stop_tern
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

POSTFIX_VERSION=$(postconf -d -h mail_version 2>/dev/null || echo '?')
if [ ${#ROWS[@]} -gt 0 ]; then
    echo "SMTP relay end to end, $STARTED, $(nproc) cores, load average $LOAD_BEFORE before and $LOAD_AFTER after"
    echo "smtp-source -c -l SIZE -m N -s SESSIONS (one message per connection) → server → smtp-sink; the clock stops when"
    echo "the sink has all N; N sized for ~${RUN_SECONDS} s, median of $ROUNDS rounds; Postfix $POSTFIX_VERSION;"
    echo "Tern: limit default connections $CONNECTIONS messages-per-connection 1000; Postfix: default_destination_concurrency_limit = $CONNECTIONS."
    echo "msgs/conn: messages per connection the server opened to its sink during the measured rounds (connection reuse;"
    echo "\"no new\": all went over connections opened before)."
    [ "$OPENSMTPD" -eq 0 ] || echo "OpenSMTPD $("$OSMTPD" -h 2>&1 | grep -o 'OpenSMTPD [0-9][^ ]*' | head -1 || true) (Debian's package unpacked, defaults, relay host smtp://…) only up to $OPENSMTPD_MAX_SESSIONS sessions: its listen backlog is 5."
    echo
    echo "CPU s/10k: server CPU seconds per 10,000 messages; peak MiB: the largest memory sample (every 0.2 s) during the measured"
    echo "rounds, as PSS (shared pages divided among the processes mapping them): ternd alone, Postfix summed over its master and live children."
    echo
    echo "| size | sessions | Tern msgs/s | Postfix msgs/s | Tern/Postfix | direct msgs/s | Tern/direct | Tern accept msgs/s | Postfix accept msgs/s | Tern CPU s/10k | Postfix CPU s/10k | Tern peak MiB | Postfix peak MiB | Tern msgs/conn | Postfix msgs/conn | OpenSMTPD msgs/s | OpenSMTPD CPU s/10k | OpenSMTPD peak MiB |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "CPU seconds during the measured rounds: ternd $TERN_CPU_ALL s, Postfix $POSTFIX_CPU_ALL s (master and all its children, until its queue drained)."
    echo
    echo "| size | sessions | round | Tern msgs/s | Tern accept msgs/s | Postfix msgs/s | Postfix accept msgs/s | OpenSMTPD msgs/s | direct msgs/s |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${DETAILS[@]}"
fi
if [ ${#LATENCY_ROWS[@]} -gt 0 ]; then
    [ ${#ROWS[@]} -eq 0 ] || echo
    echo "End-of-data → 250 latency, $STARTED, $(nproc) cores, load average $LOAD_BEFORE before and $LOAD_AFTER after; Postfix $POSTFIX_VERSION."
    echo "tern-bench latency: $LATENCY_SESSIONS sessions, each reusing its connection (100 messages each), one command at a time;"
    echo "the time from writing the final \".\" to reading the 250, in ms, over ${LATENCY_SECONDS} s after 1 s of warm-up; the same"
    echo "relay set-up as above (servers relay to smtp-sink while measured); median of $ROUNDS rounds. sink: smtp-sink itself, the floor."
    echo
    echo "| size | sessions | Tern p50 | Tern p90 | Tern p99 | Tern max | Tern msgs/s | Postfix p50 | Postfix p90 | Postfix p99 | Postfix max | Postfix msgs/s | OpenSMTPD p50 | OpenSMTPD p90 | OpenSMTPD p99 | OpenSMTPD max | OpenSMTPD msgs/s | sink p50 | sink p90 | sink p99 | sink max | sink msgs/s | failures Tern / Postfix / OpenSMTPD |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${LATENCY_ROWS[@]}"
fi
