#!/usr/bin/env bash
# SMTP ingress benchmark: Tern and a private Postfix side by side, plus the
# harness ceiling (smtp-source straight into smtp-sink). Run it as
# `tools/bench ingress [options]`; it needs root (Postfix's master runs as root).
#
# Everything runs on 127.0.0.1 from one temporary directory that is removed at
# the end; every process started here is stopped on exit (also on Ctrl-C).
#
#   ternd     release build, fresh journal for each message size, the config
#             below (full durability: 250 only after the LMDB commit synced).
#   Postfix   a private instance (own config_directory, queue_directory,
#             data_directory; no chroot), default durability (cleanup fsyncs
#             the queue file before 250), default_process_limit 200, mail for
#             bench.test goes to the discard transport so its queue drains
#             (--postfix-queue hold instead parks every message in the hold
#             queue, which does no delivery work at all; --postfix-queue
#             maildir delivers every message into one maildir with virtual(8),
#             as ternd does with its maildir action).
#   sink      smtp-sink -u postfix: accepts and drops; the ceiling of the client.
#
# For each size, session count and round (interleaved: Tern, Postfix, sink),
# smtp-source sends N messages (-c -l SIZE -m N -s SESSIONS, one message per
# connection), N chosen from an unmeasured warm-up so that a run lasts about
# --seconds. The table shows the median accepted messages/s of the rounds and
# the CPU time of each server per message (from /proc/PID/stat: ternd's own;
# Postfix's master, its live children and its reaped children, counted until
# its queue has drained, so it includes qmgr and discard).
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_NAME="bench ingress"
source tools/bench-lib.sh

usage() {
    cat <<'EOF'
usage: tools/bench ingress [options]
  --rounds N            measured rounds per cell, median reported (default 3)
  --sessions LIST       concurrent smtp-source sessions (default 1,10,50)
  --sizes LIST          message sizes in bytes (default 1024; e.g. 1024,102400)
  --seconds S           target duration of one run (default 3)
  --messages N          fixed messages per run instead of sizing runs from the warm-up
  --postfix-queue MODE  discard (default: delivered to the discard transport), hold
                        (parked in the hold queue) or maildir (virtual(8) into one
                        maildir, the work ternd does)
  --no-build            use the existing .build/release/ternd
  --keep                keep the temporary directory (logs, configs) and print its path
EOF
}

ROUNDS=3 SESSIONS=1,10,50 SIZES=1024 RUN_SECONDS=3 FIXED_MESSAGES="" POSTFIX_QUEUE=discard BUILD=1 KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS=$2; shift 2 ;;
        --sessions) SESSIONS=$2; shift 2 ;;
        --sizes) SIZES=$2; shift 2 ;;
        --seconds) RUN_SECONDS=$2; shift 2 ;;
        --messages) FIXED_MESSAGES=$2; shift 2 ;;
        --postfix-queue) POSTFIX_QUEUE=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        --keep) KEEP=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "bench ingress: unknown argument $1" >&2; usage >&2; exit 64 ;;
    esac
done
positive_list "$ROUNDS" --rounds
positive_list "$SESSIONS" --sessions
positive_list "$SIZES" --sizes
[[ $RUN_SECONDS =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "bench ingress: --seconds takes a number" >&2; exit 64; }
[ -z "$FIXED_MESSAGES" ] || positive_list "$FIXED_MESSAGES" --messages
case "$POSTFIX_QUEUE" in discard | hold | maildir) ;; *) echo "bench ingress: --postfix-queue is discard, hold or maildir" >&2; exit 64 ;; esac
require_root "a private Postfix's master must start as root"

source tools/deps.sh
ensure_packages liblmdb-dev postfix
find_ternd "$BUILD"

bench_begin ingress

# --------------------------------------------------------------------------
# Tern
# --------------------------------------------------------------------------
free_port TERN_PORT
TERN_DIR="$WORK/tern"

start_ingress_tern() {
    rm -rf "$TERN_DIR"
    mkdir -p "$TERN_DIR/var"
    cat >"$TERN_DIR/tern.conf" <<EOF
hostname bench.test
queue path "$TERN_DIR/var/queue"
listen on 127.0.0.1 port $TERN_PORT
action "local" maildir "$TERN_DIR/var/mail/%{user.username}/Maildir"
match from any for domain "bench.test" action "local"
smtp limits sessions 2000 per-client 2000
EOF
    start_tern
}

tern_accepted() { grep -c ' nrcpt=' "$TERN_DIR/ternd.log" || true; }

# --------------------------------------------------------------------------
# Postfix, a private instance
# --------------------------------------------------------------------------
free_port POSTFIX_PORT
PF="$WORK/postfix"

# Mail for bench.test is accepted for any local part and discarded by the
# discard transport, so the queue drains without needing local users.
POSTFIX_MAIN="mydestination = bench.test
local_transport = discard:
local_recipient_maps ="
if [ "$POSTFIX_QUEUE" = hold ]; then
    POSTFIX_MAIN+="
smtpd_client_restrictions = check_client_access static:HOLD"
fi
# Or every message goes into one maildir, $PF/mail/to/Maildir, owned by postfix.
if [ "$POSTFIX_QUEUE" = maildir ]; then
    mkdir -p "$PF/mail"
    chown postfix: "$PF/mail"
    POSTFIX_MAIN="mydestination =
virtual_mailbox_domains = bench.test
virtual_mailbox_base = $PF/mail
virtual_mailbox_maps = static:to/Maildir/
virtual_uid_maps = static:$(id -u postfix)
virtual_gid_maps = static:$(id -g postfix)
virtual_minimum_uid = $(id -u postfix)"
fi

# Waits until Postfix's queue has drained; nothing to wait for in hold mode.
postfix_settle() { [ "$POSTFIX_QUEUE" = hold ] || postfix_drain; }

# --------------------------------------------------------------------------
# smtp-sink
# --------------------------------------------------------------------------
free_port SINK_PORT

# --------------------------------------------------------------------------
# One run
# --------------------------------------------------------------------------
server_cpu() {
    case "$1" in
        tern) tern_cpu ;;
        postfix) postfix_cpu ;;
        sink) CHILDREN=0 cpu_ticks "$SINK_PID" ;;
    esac
}
server_pids() {
    case "$1" in
        tern) echo tern_pids ;;
        postfix) echo postfix_live_pids ;;
        sink) echo sink_pids ;;
    esac
}
sink_pids() { echo "$SINK_PID"; }
server_port() {
    case "$1" in
        tern) echo "$TERN_PORT" ;;
        postfix) echo "$POSTFIX_PORT" ;;
        sink) echo "$SINK_PORT" ;;
    esac
}

# run TARGET SIZE SESSIONS MESSAGES: sets RUN_RATE (msgs/s), RUN_CPU (server CPU seconds) and
# RUN_PEAK (the server's peak memory during the run, KiB, see pss_kib); returns 1 on failure.
run() {
    local target=$1 size=$2 sessions=$3 messages=$4
    local port cpu0 cpu1 t0 t1 rc=0 before after limit
    port=$(server_port "$target")
    limit=$(awk -v s="$RUN_SECONDS" 'BEGIN { printf "%d", 60 + 20 * s }')
    [ "$target" = postfix ] && { postfix_settle || return 1; }
    [ "$target" = tern ] && before=$(tern_accepted)
    cpu0=$(server_cpu "$target")
    start_memory_sampler "$(server_pids "$target")" "$WORK/peak-$target"
    t0=$EPOCHREALTIME
    timeout "$limit" smtp-source -c -l "$size" -m "$messages" -s "$sessions" \
        -f from@bench.test -t to@bench.test "127.0.0.1:$port" >/dev/null 2>"$WORK/client.err" &
    CLIENT_PID=$!
    wait "$CLIENT_PID" || rc=$?
    CLIENT_PID=""
    t1=$EPOCHREALTIME
    [ "$target" = postfix ] && { postfix_settle || { stop_memory_sampler >/dev/null; return 1; }; }
    cpu1=$(server_cpu "$target")
    RUN_PEAK=$(stop_memory_sampler)
    if [ "$rc" -ne 0 ] || [ -s "$WORK/client.err" ]; then
        log "$target: smtp-source failed (exit $rc$([ "$rc" -eq 124 ] && echo ", timed out after $limit s")):"
        head -5 "$WORK/client.err" >&2
        return 1
    fi
    if [ "$target" = tern ]; then
        after=$(tern_accepted)
        if [ $((after - before)) -ne "$messages" ]; then
            log "tern: $messages sent but $((after - before)) logged as accepted"
            return 1
        fi
    fi
    RUN_RATE=$(awk -v n="$messages" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", n / (b - a) }')
    RUN_SECONDS_TAKEN=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    RUN_CPU=$(awk -v t=$((cpu1 - cpu0)) -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", t / hz }')
}

# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
start_sink SINK_PID "$SINK_PORT" "$WORK/sink.out"
start_postfix "$POSTFIX_PORT" "$POSTFIX_MAIN"
log "ternd port $TERN_PORT, Postfix port $POSTFIX_PORT (queue: $POSTFIX_QUEUE), smtp-sink port $SINK_PORT, work dir $WORK"

ROWS=()
DETAILS=()
TERN_CPU_ALL=0 POSTFIX_CPU_ALL=0
IFS=, read -r -a SIZE_LIST <<<"$SIZES"
IFS=, read -r -a SESSION_LIST <<<"$SESSIONS"
for size in "${SIZE_LIST[@]}"; do
    start_ingress_tern
    for sessions in "${SESSION_LIST[@]}"; do
        declare -A N=() RATES=() CPU=() SENT=() PEAK=()
        # Warm-up (not measured): starts Postfix's processes, warms caches, and sizes the
        # runs: a short run, then one of about a second sized from it, whose rate sizes N.
        warm=$((sessions * 20 > 200 ? sessions * 20 : 200))
        for target in tern postfix sink; do
            run "$target" "$size" "$sessions" "$warm" || exit 1
            if [ -n "$FIXED_MESSAGES" ]; then
                N[$target]=$FIXED_MESSAGES
            else
                run "$target" "$size" "$sessions" "$(messages_for "$RUN_RATE" 1 "$sessions" "$warm")" || exit 1
                N[$target]=$(messages_for "$RUN_RATE" "$RUN_SECONDS" "$sessions" "$warm")
            fi
            RATES[$target]="" CPU[$target]=0 SENT[$target]=0 PEAK[$target]=0
        done
        for round in $(seq "$ROUNDS"); do
            line="size $size, $sessions sessions, round $round:"
            for target in tern postfix sink; do
                run "$target" "$size" "$sessions" "${N[$target]}" || exit 1
                RATES[$target]+="$RUN_RATE "
                CPU[$target]=$(awk -v a="${CPU[$target]}" -v b="$RUN_CPU" 'BEGIN { print a + b }')
                SENT[$target]=$((SENT[$target] + N[$target]))
                PEAK[$target]=$((RUN_PEAK > PEAK[$target] ? RUN_PEAK : PEAK[$target]))
                line+=" $target ${RUN_RATE}/s (${N[$target]} in ${RUN_SECONDS_TAKEN} s, cpu ${RUN_CPU} s, peak $((RUN_PEAK / 1024)) MiB)"
            done
            log "$line"
            DETAILS+=("| $(size_label "$size") | $sessions | $round | $(last_word "${RATES[tern]}") | $(last_word "${RATES[postfix]}") | $(last_word "${RATES[sink]}") |")
        done
        # shellcheck disable=SC2086
        tern=$(median ${RATES[tern]})
        # shellcheck disable=SC2086
        postfix=$(median ${RATES[postfix]})
        # shellcheck disable=SC2086
        sink=$(median ${RATES[sink]})
        TERN_CPU_ALL=$(awk -v a="$TERN_CPU_ALL" -v b="${CPU[tern]}" 'BEGIN { print a + b }')
        POSTFIX_CPU_ALL=$(awk -v a="$POSTFIX_CPU_ALL" -v b="${CPU[postfix]}" 'BEGIN { print a + b }')
        ROWS+=("$(awk -v label="$(size_label "$size")" -v s="$sessions" -v t="$tern" -v p="$postfix" -v k="$sink" \
            -v tc="${CPU[tern]}" -v tn="${SENT[tern]}" -v pc="${CPU[postfix]}" -v pn="${SENT[postfix]}" \
            -v tm="${PEAK[tern]}" -v pm="${PEAK[postfix]}" 'BEGIN {
            printf "| %s | %d | %.0f | %.0f | %.2f× | %.0f | %.1f | %.1f | %.0f | %.0f |", label, s, t, p, t / p, k, 10000 * tc / tn, 10000 * pc / pn, tm / 1024, pm / 1024 }')")
        unset N RATES CPU SENT PEAK
    done
    stop_tern
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

echo "SMTP ingress, $STARTED, $(nproc) cores, load average $LOAD_BEFORE before and $LOAD_AFTER after"
echo "smtp-source -c -l SIZE -m N -s SESSIONS (one message per connection), N sized for ~${RUN_SECONDS} s, median of $ROUNDS rounds;"
echo "Postfix $(postconf -d -h mail_version 2>/dev/null || echo '?'), queue: $POSTFIX_QUEUE."
echo
echo "CPU s/10k: server CPU seconds per 10,000 messages; peak MiB: the largest memory sample (every 0.2 s) during the measured"
echo "rounds, as PSS (shared pages divided among the processes mapping them): ternd alone, Postfix summed over its master and live children."
echo
echo "| size | sessions | Tern msgs/s | Postfix msgs/s | Tern/Postfix | sink msgs/s | Tern CPU s/10k | Postfix CPU s/10k | Tern peak MiB | Postfix peak MiB |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
echo
echo "CPU seconds during the measured rounds: ternd $TERN_CPU_ALL s, Postfix $POSTFIX_CPU_ALL s (master and all its children$([ "$POSTFIX_QUEUE" = discard ] && echo ", until its queue drained"))."
echo
echo "| size | sessions | round | Tern msgs/s | Postfix msgs/s | sink msgs/s |"
echo "|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${DETAILS[@]}"
