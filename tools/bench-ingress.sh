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
#             queue, which does no delivery work at all, as Tern does today).
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

usage() {
    cat <<'EOF'
usage: tools/bench ingress [options]
  --rounds N            measured rounds per cell, median reported (default 3)
  --sessions LIST       concurrent smtp-source sessions (default 1,10,50)
  --sizes LIST          message sizes in bytes (default 1024; e.g. 1024,102400)
  --seconds S           target duration of one run (default 3)
  --messages N          fixed messages per run instead of sizing runs from the warm-up
  --postfix-queue MODE  discard (default: delivered to the discard transport) or hold
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
positive_list() { [[ $1 =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || { echo "bench ingress: $2 takes positive integers, comma-separated" >&2; exit 64; }; }
positive_list "$ROUNDS" --rounds
positive_list "$SESSIONS" --sessions
positive_list "$SIZES" --sizes
[[ $RUN_SECONDS =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "bench ingress: --seconds takes a number" >&2; exit 64; }
[ -z "$FIXED_MESSAGES" ] || positive_list "$FIXED_MESSAGES" --messages
case "$POSTFIX_QUEUE" in discard | hold) ;; *) echo "bench ingress: --postfix-queue is discard or hold" >&2; exit 64 ;; esac
[ "$(id -u)" -eq 0 ] || { echo "bench ingress: run as root (a private Postfix's master must start as root)" >&2; exit 77; }

source tools/deps.sh
ensure_packages liblmdb-dev postfix
if [ "$BUILD" -eq 1 ]; then
    swift build -c release --product ternd >&2
fi
TERND="$(swift build -c release --show-bin-path)/ternd"
[ -x "$TERND" ] || { echo "bench ingress: $TERND is missing (build it, or drop --no-build)" >&2; exit 1; }

log() { echo "bench ingress: $*" >&2; }

# --------------------------------------------------------------------------
# Processes and cleanup
# --------------------------------------------------------------------------
WORK="" TERN_PID="" SINK_PID="" CLIENT_PID="" PF="" PF_MASTER=""

cleanup() {
    local status=$?
    set +e
    trap - EXIT INT TERM
    [ -n "$CLIENT_PID" ] && kill -TERM "$CLIENT_PID" 2>/dev/null && wait "$CLIENT_PID" 2>/dev/null
    stop_tern
    stop_postfix
    if [ -n "$SINK_PID" ]; then
        kill -TERM "$SINK_PID" 2>/dev/null
        wait "$SINK_PID" 2>/dev/null
    fi
    if [ -n "$WORK" ]; then
        if [ "$KEEP" -eq 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

WORK=$(mktemp -d /tmp/tern-bench-ingress.XXXXXX)
chmod 755 "$WORK" # Postfix's daemons run as postfix and must reach their queue below it

# free_port VAR: sets VAR to a port on 127.0.0.1 that nothing listens on and no other VAR got.
USED_PORTS=" "
free_port() {
    local port
    for _ in $(seq 200); do
        port=$((20000 + RANDOM % 40000))
        [[ $USED_PORTS == *" $port "* ]] && continue
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            USED_PORTS+="$port "
            printf -v "$1" '%s' "$port"
            return
        fi
    done
    echo "bench ingress: no free port found" >&2
    exit 1
}

# wait_listening PORT PID NAME: until something accepts on PORT (30 s at most) while PID lives.
wait_listening() {
    local deadline=$((SECONDS + 30))
    while [ $SECONDS -lt $deadline ]; do
        kill -0 "$2" 2>/dev/null || { log "$3 exited before listening"; return 1; }
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    log "$3 did not listen on port $1 within 30 s"
    return 1
}

# cpu_ticks PID: utime + stime (+ cutime + cstime when CHILDREN=1), in clock ticks.
cpu_ticks() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
    stat=${stat##*) } # the fields after "(comm) "; field 3 of stat is the first here
    echo "$stat" | awk -v all="${CHILDREN:-0}" '{ t = $12 + $13; if (all) t += $14 + $15; print t }'
}
CLK_TCK=$(getconf CLK_TCK)

# --------------------------------------------------------------------------
# Tern
# --------------------------------------------------------------------------
free_port TERN_PORT
TERN_DIR="$WORK/tern"

start_tern() {
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
    "$TERND" -n -f "$TERN_DIR/tern.conf" >/dev/null 2>"$TERN_DIR/check.log" || {
        cat "$TERN_DIR/check.log" >&2
        exit 1
    }
    (cd "$TERN_DIR" && exec "$TERND" -f "$TERN_DIR/tern.conf") >"$TERN_DIR/ternd.log" 2>&1 &
    TERN_PID=$!
    wait_listening "$TERN_PORT" "$TERN_PID" ternd || { tail -20 "$TERN_DIR/ternd.log" >&2; exit 1; }
}

stop_tern() {
    [ -n "$TERN_PID" ] || return 0
    kill -TERM "$TERN_PID" 2>/dev/null || true
    local deadline=$((SECONDS + 15))
    while kill -0 "$TERN_PID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
    if kill -0 "$TERN_PID" 2>/dev/null; then
        log "ternd did not stop within 15 s of SIGTERM; killing it"
        kill -KILL "$TERN_PID" 2>/dev/null || true
    fi
    wait "$TERN_PID" 2>/dev/null || true
    TERN_PID=""
}

tern_cpu() { CHILDREN=0 cpu_ticks "$TERN_PID"; }
tern_accepted() { grep -c ' nrcpt=' "$TERN_DIR/ternd.log" || true; }

# --------------------------------------------------------------------------
# Postfix, a private instance
# --------------------------------------------------------------------------
free_port POSTFIX_PORT
PF="$WORK/postfix"

start_postfix() {
    mkdir -p "$PF/etc" "$PF/spool" "$PF/data"
    chown postfix "$PF/data"
    local restrictions=""
    if [ "$POSTFIX_QUEUE" = hold ]; then
        restrictions="smtpd_client_restrictions = check_client_access static:HOLD"
    fi
    cat >"$PF/etc/main.cf" <<EOF
# Private Postfix for tools/bench ingress.
compatibility_level = 3.6
config_directory = $PF/etc
queue_directory = $PF/spool
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.bench.test
mydomain = bench.test
myorigin = bench.test
mydestination = bench.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
default_process_limit = 200
# Mail for bench.test is accepted for any local part and discarded by the
# discard transport, so the queue drains without needing local users.
local_transport = discard:
local_recipient_maps =
alias_maps =
alias_database =
biff = no
$restrictions
maillog_file = $PF/maillog
maillog_file_prefixes = $PF
EOF
    # Debian's defaults without chroot, without the pipe/uucp examples.
    cat >"$PF/etc/master.cf" <<EOF
127.0.0.1:$POSTFIX_PORT inet n - n - - smtpd
pickup     unix  n  -  n  60     1  pickup
cleanup    unix  n  -  n  -      0  cleanup
qmgr       unix  n  -  n  300    1  qmgr
rewrite    unix  -  -  n  -      -  trivial-rewrite
bounce     unix  -  -  n  -      0  bounce
defer      unix  -  -  n  -      0  bounce
trace      unix  -  -  n  -      0  bounce
verify     unix  -  -  n  -      1  verify
flush      unix  n  -  n  1000?  0  flush
proxymap   unix  -  -  n  -      -  proxymap
proxywrite unix  -  -  n  -      1  proxymap
showq      unix  n  -  n  -      -  showq
error      unix  -  -  n  -      -  error
retry      unix  -  -  n  -      -  error
discard    unix  -  -  n  -      -  discard
anvil      unix  -  -  n  -      1  anvil
scache     unix  -  -  n  -      1  scache
postlog    unix-dgram n - n - 1     postlogd
EOF
    # `postfix check` creates the queue directories with the right owners.
    if ! postfix -c "$PF/etc" check >&2; then exit 1; fi
    if ! timeout 60 postfix -c "$PF/etc" start >&2; then
        cat "$PF/maillog" >&2 2>/dev/null
        exit 1
    fi
    PF_MASTER=$(tr -d ' \n' <"$PF/spool/pid/master.pid")
    wait_listening "$POSTFIX_PORT" "$PF_MASTER" "Postfix master" || { tail -20 "$PF/maillog" >&2; exit 1; }
}

# Every process of this instance: master passes MAIL_CONFIG to its children.
postfix_pids() {
    local environ pid
    for environ in /proc/[0-9]*/environ; do
        pid=${environ#/proc/}
        pid=${pid%/environ}
        tr '\0' '\n' 2>/dev/null <"$environ" | grep -qx "MAIL_CONFIG=$PF/etc" && echo "$pid"
    done
    return 0
}

stop_postfix() {
    [ -n "$PF_MASTER" ] || return 0
    local leftovers
    timeout 60 postfix -c "$PF/etc" stop >/dev/null 2>&1
    local deadline=$((SECONDS + 10))
    while kill -0 "$PF_MASTER" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    leftovers=$(postfix_pids)
    if [ -n "$leftovers" ]; then
        log "killing leftover Postfix processes: $(echo "$leftovers" | tr '\n' ' ')"
        # shellcheck disable=SC2086
        kill -KILL $leftovers 2>/dev/null
    fi
    PF_MASTER=""
}

# CPU of the whole instance: master (with the children it has reaped) plus its live children.
postfix_cpu() {
    local total child
    total=$(CHILDREN=1 cpu_ticks "$PF_MASTER")
    for child in $(ps -o pid= --ppid "$PF_MASTER"); do
        total=$((total + $(CHILDREN=0 cpu_ticks "$child")))
    done
    echo "$total"
}

postfix_queued() {
    find "$PF/spool/incoming" "$PF/spool/active" "$PF/spool/deferred" "$PF/spool/maildrop" -type f 2>/dev/null | wc -l
}

# Waits (120 s at most) until Postfix's queue has drained; nothing to wait for in hold mode.
postfix_drain() {
    [ "$POSTFIX_QUEUE" = hold ] && return 0
    local deadline=$((SECONDS + 120))
    while [ "$(postfix_queued)" -gt 0 ]; do
        if [ $SECONDS -ge $deadline ]; then
            log "Postfix's queue did not drain within 120 s ($(postfix_queued) files left)"
            return 1
        fi
        sleep 0.1
    done
}

# --------------------------------------------------------------------------
# smtp-sink
# --------------------------------------------------------------------------
free_port SINK_PORT
start_sink() {
    smtp-sink -u postfix -c "127.0.0.1:$SINK_PORT" 1000 >"$WORK/sink.out" 2>"$WORK/sink.err" &
    SINK_PID=$!
    wait_listening "$SINK_PORT" "$SINK_PID" smtp-sink || { cat "$WORK/sink.err" >&2; exit 1; }
}

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
server_port() {
    case "$1" in
        tern) echo "$TERN_PORT" ;;
        postfix) echo "$POSTFIX_PORT" ;;
        sink) echo "$SINK_PORT" ;;
    esac
}

# run TARGET SIZE SESSIONS MESSAGES: sets RUN_RATE (msgs/s) and RUN_CPU (server CPU seconds); returns 1 on failure.
run() {
    local target=$1 size=$2 sessions=$3 messages=$4
    local port cpu0 cpu1 t0 t1 rc=0 before after limit
    port=$(server_port "$target")
    limit=$(awk -v s="$RUN_SECONDS" 'BEGIN { printf "%d", 60 + 20 * s }')
    [ "$target" = postfix ] && { postfix_drain || return 1; }
    [ "$target" = tern ] && before=$(tern_accepted)
    cpu0=$(server_cpu "$target")
    t0=$EPOCHREALTIME
    timeout "$limit" smtp-source -c -l "$size" -m "$messages" -s "$sessions" \
        -f from@bench.test -t to@bench.test "127.0.0.1:$port" >/dev/null 2>"$WORK/client.err" &
    CLIENT_PID=$!
    wait "$CLIENT_PID" || rc=$?
    CLIENT_PID=""
    t1=$EPOCHREALTIME
    [ "$target" = postfix ] && { postfix_drain || return 1; }
    cpu1=$(server_cpu "$target")
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

size_label() { if [ $(($1 % 1024)) -eq 0 ]; then echo "$(($1 / 1024)) KB"; else echo "$1 B"; fi; }
last_word() { echo "${1% }" | awk '{ print $NF }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# messages_for RATE SECONDS SESSIONS MINIMUM: RATE × SECONDS messages, at least MINIMUM,
# at most 200,000, a multiple of SESSIONS.
messages_for() {
    local rate=$1 seconds=$2 sessions=$3 minimum=$4
    awk -v r="$rate" -v s="$seconds" -v k="$sessions" -v lo="$minimum" 'BEGIN {
        n = r * s; if (n < lo) n = lo; if (n > 200000) n = 200000
        n = int((n + k - 1) / k) * k; print n }'
}

# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
start_sink
start_postfix
log "ternd port $TERN_PORT, Postfix port $POSTFIX_PORT (queue: $POSTFIX_QUEUE), smtp-sink port $SINK_PORT, work dir $WORK"

ROWS=()
DETAILS=()
TERN_CPU_ALL=0 POSTFIX_CPU_ALL=0
IFS=, read -r -a SIZE_LIST <<<"$SIZES"
IFS=, read -r -a SESSION_LIST <<<"$SESSIONS"
for size in "${SIZE_LIST[@]}"; do
    start_tern
    for sessions in "${SESSION_LIST[@]}"; do
        declare -A N=() RATES=() CPU=() SENT=()
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
            RATES[$target]="" CPU[$target]=0 SENT[$target]=0
        done
        for round in $(seq "$ROUNDS"); do
            line="size $size, $sessions sessions, round $round:"
            for target in tern postfix sink; do
                run "$target" "$size" "$sessions" "${N[$target]}" || exit 1
                RATES[$target]+="$RUN_RATE "
                CPU[$target]=$(awk -v a="${CPU[$target]}" -v b="$RUN_CPU" 'BEGIN { print a + b }')
                SENT[$target]=$((SENT[$target] + N[$target]))
                line+=" $target ${RUN_RATE}/s (${N[$target]} in ${RUN_SECONDS_TAKEN} s, cpu ${RUN_CPU} s)"
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
            -v tc="${CPU[tern]}" -v tn="${SENT[tern]}" -v pc="${CPU[postfix]}" -v pn="${SENT[postfix]}" 'BEGIN {
            printf "| %s | %d | %.0f | %.0f | %.2f× | %.0f | %.2f | %.2f |", label, s, t, p, t / p, k, 1000 * tc / tn, 1000 * pc / pn }')")
        unset N RATES CPU SENT
    done
    stop_tern
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

echo "SMTP ingress, $STARTED, $(nproc) cores, load average $LOAD_BEFORE before and $LOAD_AFTER after"
echo "smtp-source -c -l SIZE -m N -s SESSIONS (one message per connection), N sized for ~${RUN_SECONDS} s, median of $ROUNDS rounds;"
echo "Postfix $(postconf -d -h mail_version 2>/dev/null || echo '?'), queue: $POSTFIX_QUEUE."
echo
echo "| size | sessions | Tern msgs/s | Postfix msgs/s | Tern/Postfix | sink msgs/s | Tern CPU ms/msg | Postfix CPU ms/msg |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
echo
echo "CPU seconds during the measured rounds: ternd $TERN_CPU_ALL s, Postfix $POSTFIX_CPU_ALL s (master and all its children$([ "$POSTFIX_QUEUE" = discard ] && echo ", until its queue drained"))."
echo
echo "| size | sessions | round | Tern msgs/s | Postfix msgs/s | sink msgs/s |"
echo "|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${DETAILS[@]}"
