#!/usr/bin/env bash
# Queue-scale benchmark: a million queued recipients. Run it as
# `tools/bench queue-scale [options]` (as root or not; --deliver starts an
# smtp-sink, which as root runs as the postfix user).
#
#   1. `tern-bench populate` fills a fresh journal through the Queue module's
#      Journal API with many concurrent producers: --messages messages of
#      --size bytes with --recipients recipients each (default 100,000 × 10 =
#      1,000,000), every recipient due a day from now, so that ternd leaves
#      them alone.
#   2. The journal's size on disk (du -sh).
#   3. ternd (release) on that journal: the time from exec until a connection
#      to its SMTP port gets the 220 greeting, and its memory (VmRSS, split
#      into anonymous and file-backed pages, from /proc/PID/status) right then
#      and --settle seconds (10) later.
#   4. `ternctl verify --queue DIR` (ternd stopped): time and peak RSS.
#   5. With --deliver: a second fresh journal populated with every recipient
#      due at once, ternd relaying bench.test to an smtp-sink as a smarthost
#      (limit default connections 50 messages-per-connection 1000): the time
#      from exec until the due index is empty (every outcome journalled), and
#      the messages the sink received.
#
# Everything runs on 127.0.0.1 from one temporary directory that is removed at
# the end (it needs a few GB of disk under /tmp); every process started here is
# stopped on exit (also on Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_NAME="bench queue-scale"
source tools/bench-lib.sh

usage() {
    cat <<'EOF'
usage: tools/bench queue-scale [options]
  --messages N          messages to queue (default 100000)
  --recipients N        recipients per message (default 10)
  --size BYTES          message size (default 1024)
  --producers N         concurrent producers of tern-bench populate (default 64)
  --batch N             messages per commit submission of one producer (default 4)
  --settle S            seconds between the two memory readings of ternd (default 10)
  --deliver             also measure delivering every recipient to an smtp-sink
  --deliver-timeout S   give up the delivery after S seconds (default 1800)
  --connections C       `limit default connections` for --deliver (default 50)
  --no-build            use the existing release binaries
  --keep                keep the temporary directory (journals, logs) and print its path
EOF
}

MESSAGES=100000 RECIPIENTS=10 SIZE=1024 PRODUCERS=64 BATCH=4 SETTLE=10 DELIVER=0 DELIVER_TIMEOUT=1800 CONNECTIONS=50 BUILD=1 KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --messages) MESSAGES=$2; shift 2 ;;
        --recipients) RECIPIENTS=$2; shift 2 ;;
        --size) SIZE=$2; shift 2 ;;
        --producers) PRODUCERS=$2; shift 2 ;;
        --batch) BATCH=$2; shift 2 ;;
        --settle) SETTLE=$2; shift 2 ;;
        --deliver) DELIVER=1; shift ;;
        --deliver-timeout) DELIVER_TIMEOUT=$2; shift 2 ;;
        --connections) CONNECTIONS=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        --keep) KEEP=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) log "unknown argument $1"; usage >&2; exit 64 ;;
    esac
done
for option in MESSAGES RECIPIENTS SIZE PRODUCERS BATCH SETTLE DELIVER_TIMEOUT CONNECTIONS; do
    [[ ${!option} =~ ^[1-9][0-9]*$ ]] || { log "--$(echo "$option" | tr A-Z_ a-z-) takes a positive integer"; exit 64; }
done

source tools/deps.sh
packages=(liblmdb-dev)
[ "$DELIVER" -eq 1 ] && packages+=(postfix) # smtp-sink
ensure_packages "${packages[@]}"
if [ "$BUILD" -eq 1 ]; then
    swift build -c release --product tern-bench >&2
    swift build -c release --product ternctl >&2
fi
find_ternd "$BUILD"
BIN=$(dirname "$TERND")
for tool in tern-bench ternctl; do
    [ -x "$BIN/$tool" ] || { log "$BIN/$tool is missing (build it, or drop --no-build)"; exit 1; }
done

bench_begin queue-scale
free_port TERN_PORT
free_port SINK_PORT

# seconds_since START: wall seconds since an $EPOCHREALTIME reading, 2 decimals.
seconds_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }

# memory PID: "VmRSS (anon A + file F)" in MiB, from /proc/PID/status.
memory() {
    awk '/^(VmRSS|RssAnon|RssFile|RssShmem):/ { v[$1] = $2 / 1024 }
        END { printf "%.0f MiB (anon %.0f + file %.0f + shmem %.0f)", v["VmRSS:"], v["RssAnon:"], v["RssFile:"], v["RssShmem:"] }' "/proc/$1/status"
}
peak_memory() { awk '/^VmHWM:/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$1/status"; }

# populate DIR DUE_IN: fills a fresh journal in DIR; sets POPULATE_LINE and POPULATE_SECONDS.
populate() {
    local t0
    t0=$EPOCHREALTIME
    POPULATE_LINE=$("$BIN/tern-bench" populate --directory "$1" --messages "$MESSAGES" --recipients "$RECIPIENTS" \
        --size "$SIZE" --producers "$PRODUCERS" --batch "$BATCH" --due-in "$2")
    POPULATE_SECONDS=$(seconds_since "$t0")
    log "$POPULATE_LINE"
}

# write_config DIR: the ternd configuration for a journal in DIR/var/queue.
write_config() {
    cat >"$1/tern.conf" <<EOF
hostname mx.bench.test
queue path "$1/var/queue"
listen on 127.0.0.1 port $TERN_PORT
action "out" relay host smtp://127.0.0.1:$SINK_PORT
match from any for domain "bench.test" action "out"
limit default connections $CONNECTIONS messages-per-connection 1000
EOF
}

# fmt N: N with thousands separators.
fmt() { echo "$1" | sed -e ':a' -e 's/\B[0-9]\{3\}\>/,&/' -e 'ta'; }
# per_second N SECONDS: N / SECONDS, rounded, with thousands separators.
per_second() { fmt "$(awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }')"; }
RECIPIENT_TOTAL=$((MESSAGES * RECIPIENTS))
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
ROWS=()

# --------------------------------------------------------------------------
# 1–4: a queue due tomorrow
# --------------------------------------------------------------------------
TERN_DIR="$WORK/future"
mkdir -p "$TERN_DIR/var"
QUEUE="$TERN_DIR/var/queue"
log "populating $QUEUE: $(fmt "$MESSAGES") messages × $RECIPIENTS recipients, due in a day"
populate "$QUEUE" 86400
ROWS+=("| populate $(fmt "$MESSAGES") messages, $(fmt "$RECIPIENT_TOTAL") recipients ($PRODUCERS producers, $BATCH messages per submission) | $POPULATE_SECONDS s ($(per_second "$RECIPIENT_TOTAL" "$POPULATE_SECONDS") recipients/s) | – |")
sync
DISK=$(du -sh "$QUEUE" | cut -f1)
ROWS+=("| journal on disk (du -sh) | $DISK ($(du -sh --apparent-size "$QUEUE" | cut -f1) apparent) | – |")
log "journal on disk: $DISK"

write_config "$TERN_DIR"
launch_tern
wait_greeting "$TERN_PORT" "$TERN_PID" ternd 120 || { tail -20 "$TERN_DIR/ternd.log" >&2; exit 1; }
STARTUP=$(seconds_since "$TERN_LAUNCHED")
MEMORY_START=$(memory "$TERN_PID")
log "ternd greeted after $STARTUP s; $MEMORY_START; waiting $SETTLE s"
sleep "$SETTLE"
kill -0 "$TERN_PID" 2>/dev/null || { log "ternd exited"; tail -20 "$TERN_DIR/ternd.log" >&2; exit 1; }
MEMORY_SETTLED=$(memory "$TERN_PID")
PEAK=$(peak_memory "$TERN_PID")
grep -q 'status=' "$TERN_DIR/ternd.log" && log "ternd attempted deliveries of recipients due tomorrow: $(grep -c 'status=' "$TERN_DIR/ternd.log")"
JOURNAL_LINE=$(grep -o 'journal .*scheduled' "$TERN_DIR/ternd.log" | head -1 || true)
t0=$EPOCHREALTIME
stop_tern
STOP=$(seconds_since "$t0")
ROWS+=("| ternd start → 220 greeting | $STARTUP s | < 10 s |")
ROWS+=("| ternd VmRSS at the greeting | $MEMORY_START | < 1 GiB |")
ROWS+=("| ternd VmRSS $SETTLE s later (peak VmHWM) | $MEMORY_SETTLED ($PEAK) | < 1 GiB |")
ROWS+=("| ternd SIGTERM → exit | $STOP s | – |")

t0=$EPOCHREALTIME
/usr/bin/time -f '%M' -o "$WORK/verify.time" "$BIN/ternctl" verify --queue "$QUEUE" >"$WORK/verify.out" 2>&1 || {
    log "ternctl verify failed:"
    head -20 "$WORK/verify.out" >&2
    exit 1
}
VERIFY=$(seconds_since "$t0")
VERIFY_PEAK=$(awk '{ v = $1 } END { printf "%.0f MiB", v / 1024 }' "$WORK/verify.time")
ROWS+=("| ternctl verify --queue DIR | $VERIFY s (peak RSS $VERIFY_PEAK) | – |")
log "ternctl verify: $VERIFY s, $(tail -1 "$WORK/verify.out")"
rm -rf "$TERN_DIR" # free the disk before the next journal

# --------------------------------------------------------------------------
# 5: a queue due now, delivered to smtp-sink
# --------------------------------------------------------------------------
if [ "$DELIVER" -eq 1 ]; then
    TERN_DIR="$WORK/due"
    mkdir -p "$TERN_DIR/var"
    QUEUE="$TERN_DIR/var/queue"
    log "populating $QUEUE: every recipient due at once"
    populate "$QUEUE" 0
    start_sink SINK_PID "$SINK_PORT" "$WORK/sink.out"
    write_config "$TERN_DIR"
    launch_tern
    wait_greeting "$TERN_PORT" "$TERN_PID" ternd 120 || { tail -20 "$TERN_DIR/ternd.log" >&2; exit 1; }
    DUE_STARTUP=$(seconds_since "$TERN_LAUNCHED")
    log "ternd greeted after $DUE_STARTUP s; delivering"
    deadline=$((SECONDS + DELIVER_TIMEOUT))
    next_report=$((SECONDS + 30))
    while :; do
        counts=$("$BIN/tern-bench" counts --queue "$QUEUE")
        scheduled=${counts##*scheduled=}
        scheduled=${scheduled%% *}
        [ "$scheduled" -eq 0 ] && break
        kill -0 "$TERN_PID" 2>/dev/null || { log "ternd exited"; tail -20 "$TERN_DIR/ternd.log" >&2; exit 1; }
        if [ $SECONDS -ge $deadline ]; then
            log "gave up after $DELIVER_TIMEOUT s: $scheduled recipients still scheduled"
            break
        fi
        if [ $SECONDS -ge $next_report ]; then
            log "$(seconds_since "$TERN_LAUNCHED") s: $scheduled recipients still scheduled, sink has $(sink_messages "$WORK/sink.out") messages, ternd $(memory "$TERN_PID")"
            next_report=$((SECONDS + 30))
        fi
        sleep 0.5
    done
    DELIVER_SECONDS=$(seconds_since "$TERN_LAUNCHED")
    DELIVER_MEMORY=$(memory "$TERN_PID")
    DELIVER_PEAK=$(peak_memory "$TERN_PID")
    DELIVER_CPU=$(awk -v t="$(tern_cpu)" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", t / hz }')
    stop_tern
    SINK_MESSAGES=$(sink_messages "$WORK/sink.out")
    SENT=$(grep -c ' status=sent ' "$TERN_DIR/ternd.log" || true)
    NOT_SENT=$(grep -cE ' status=(deferred|bounced) ' "$TERN_DIR/ternd.log" || true)
    if [ "$scheduled" -eq 0 ]; then
        ROWS+=("| ternd start → 220 greeting, everything due | $DUE_STARTUP s | < 10 s |")
        ROWS+=("| deliver all to smtp-sink (start → due index empty) | $DELIVER_SECONDS s ($(per_second "$RECIPIENT_TOTAL" "$DELIVER_SECONDS") recipients/s, $(per_second "$SINK_MESSAGES" "$DELIVER_SECONDS") transactions/s; ternd CPU $DELIVER_CPU s) | – |")
    else
        ROWS+=("| deliver all to smtp-sink | not finished in $DELIVER_TIMEOUT s: $(fmt "$scheduled") still scheduled | – |")
    fi
    ROWS+=("| … sink transactions; ternd sent / deferred or bounced lines | $(fmt "$SINK_MESSAGES"); $(fmt "$SENT") / $(fmt "$NOT_SENT") | – |")
    ROWS+=("| … ternd VmRSS at the end (peak VmHWM) | $DELIVER_MEMORY ($DELIVER_PEAK) | < 1 GiB |")
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

echo "Queue scale, $STARTED, $(nproc) cores, load average $LOAD_BEFORE before and $LOAD_AFTER after"
echo "$(fmt "$MESSAGES") messages of $SIZE bytes × $RECIPIENTS recipients = $(fmt "$RECIPIENT_TOTAL") queued recipients; ${JOURNAL_LINE:-}"
echo
echo "| measure | result | target |"
echo "|---|---:|---:|"
printf '%s\n' "${ROWS[@]}"
