# Shared parts of the tools/bench scripts that run real servers on 127.0.0.1:
# the work directory and the exit trap that stops every process started here,
# ports, ternd, a private Postfix instance, smtp-sink, CPU accounting and a
# few numeric helpers. Sourced (after tools/deps.sh) by tools/bench-ingress.sh,
# tools/bench-relay.sh and tools/bench-queue-scale.sh.
#
# The sourcing script sets BENCH_NAME (the prefix of messages, e.g. "bench
# relay") and KEEP (1 keeps the work directory) before calling bench_begin.

log() { echo "$BENCH_NAME: $*" >&2; }

# positive_list VALUE OPTION: exits 64 unless VALUE is a comma-separated list of positive integers.
positive_list() { [[ $1 =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || { log "$2 takes positive integers, comma-separated"; exit 64; }; }

# require_root WHY: exits 77 unless running as root.
require_root() { [ "$(id -u)" -eq 0 ] || { log "run as root ($1)"; exit 77; }; }

# find_tern_bench BUILD: builds tern-bench in release mode when BUILD is 1; sets TERN_BENCH.
find_tern_bench() {
    if [ "$1" -eq 1 ]; then
        swift build -c release --product tern-bench >&2
    fi
    TERN_BENCH="$(swift build -c release --show-bin-path)/tern-bench"
    [ -x "$TERN_BENCH" ] || { log "$TERN_BENCH is missing (build it, or drop --no-build)"; exit 1; }
}

# find_ternd BUILD: builds ternd in release mode when BUILD is 1; sets TERND.
find_ternd() {
    if [ "$1" -eq 1 ]; then
        swift build -c release --product ternd >&2
    fi
    TERND="$(swift build -c release --show-bin-path)/ternd"
    [ -x "$TERND" ] || { log "$TERND is missing (build it, or drop --no-build)"; exit 1; }
}

# --------------------------------------------------------------------------
# Work directory, processes and cleanup
# --------------------------------------------------------------------------
WORK="" TERN_PID="" CLIENT_PID="" SAMPLER_PID="" PF="" PF_MASTER="" OSD="" OSD_PID=""
SINK_PIDS=()

# The sourcing script may define bench_extra_cleanup (run first, errors ignored).
cleanup() {
    local status=$?
    set +e
    trap - EXIT INT TERM
    declare -F bench_extra_cleanup >/dev/null && bench_extra_cleanup
    [ -n "$CLIENT_PID" ] && kill -TERM "$CLIENT_PID" 2>/dev/null && wait "$CLIENT_PID" 2>/dev/null
    stop_memory_sampler >/dev/null
    stop_tern
    stop_postfix
    stop_opensmtpd
    stop_sinks
    if [ -n "$WORK" ]; then
        if [ "${KEEP:-0}" -eq 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
    fi
    exit "$status"
}

# bench_begin NAME: installs the exit trap and creates WORK, /tmp/tern-bench-NAME.XXXXXX.
bench_begin() {
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    WORK=$(mktemp -d "/tmp/tern-bench-$1.XXXXXX")
    chmod 755 "$WORK" # Postfix's daemons run as postfix and must reach their queue below it
}

# free_port VAR: sets VAR to a port on 127.0.0.1 that nothing listens on and no other VAR got,
# below the kernel's range of ephemeral ports (where an outgoing connection's local port
# would make a later bind fail).
USED_PORTS=" "
EPHEMERAL_LOW=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
free_port() {
    local port
    for _ in $(seq 200); do
        port=$((10000 + RANDOM % (EPHEMERAL_LOW > 11000 ? EPHEMERAL_LOW - 10000 : 1000)))
        [[ $USED_PORTS == *" $port "* ]] && continue
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            USED_PORTS+="$port "
            printf -v "$1" '%s' "$port"
            return
        fi
    done
    log "no free port found"
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

# wait_greeting PORT PID NAME TIMEOUT: until a connection to PORT gets a 220 greeting
# (TIMEOUT seconds at most) while PID lives; polls every 10 ms.
wait_greeting() {
    local deadline=$((SECONDS + $4)) line
    while [ $SECONDS -lt $deadline ]; do
        kill -0 "$2" 2>/dev/null || { log "$3 exited before greeting"; return 1; }
        line=$({ exec 3<>"/dev/tcp/127.0.0.1/$1" && read -r -t 5 line <&3 && printf 'QUIT\r\n' >&3 && echo "$line"; } 2>/dev/null) || true
        [[ $line == 220* ]] && return 0
        sleep 0.01
    done
    log "$3 did not greet on port $1 within $4 s"
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

# pss_kib PID...: the sum of the processes' proportional set sizes (smaps_rollup Pss, KiB):
# resident memory with each shared page divided among the processes that map it, so a
# sum over a multi-process server counts shared libraries once. Gone processes count 0.
pss_kib() {
    local pid files=()
    for pid in "$@"; do files+=("/proc/$pid/smaps_rollup"); done
    [ ${#files[@]} -gt 0 ] || { echo 0; return; }
    awk '/^Pss:/ { s += $2 } END { print s + 0 }' "${files[@]}" 2>/dev/null || true
}

# start_memory_sampler PIDS_COMMAND OUT: every 0.2 s, sums pss_kib over the pids that
# PIDS_COMMAND prints and keeps the largest sum so far in OUT; stop_memory_sampler ends
# it and prints that peak (KiB).
start_memory_sampler() {
    local pids_command=$1 out=$2
    echo 0 >"$out"
    (
        trap 'exit 0' TERM
        peak=0
        while :; do
            # shellcheck disable=SC2046
            now=$(pss_kib $($pids_command))
            if [ "${now:-0}" -gt "$peak" ]; then peak=$now; echo "$peak" >"$out"; fi
            sleep 0.2
        done
    ) &
    SAMPLER_PID=$!
    SAMPLER_OUT=$out
}
stop_memory_sampler() {
    [ -n "$SAMPLER_PID" ] || return 0
    kill -TERM "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=""
    cat "$SAMPLER_OUT"
}

# --------------------------------------------------------------------------
# ternd: the caller sets TERN_DIR and TERN_PORT and writes $TERN_DIR/tern.conf
# --------------------------------------------------------------------------

# launch_tern: checks the configuration (ternd -n), then starts ternd in TERN_DIR with
# its log in $TERN_DIR/ternd.log; sets TERN_PID and TERN_LAUNCHED ($EPOCHREALTIME).
launch_tern() {
    "$TERND" -n -f "$TERN_DIR/tern.conf" >/dev/null 2>"$TERN_DIR/check.log" || {
        cat "$TERN_DIR/check.log" >&2
        exit 1
    }
    TERN_LAUNCHED=$EPOCHREALTIME
    (cd "$TERN_DIR" && exec "$TERND" -f "$TERN_DIR/tern.conf") >"$TERN_DIR/ternd.log" 2>&1 &
    TERN_PID=$!
}

# start_tern: launch_tern, then waits until ternd listens on TERN_PORT.
start_tern() {
    launch_tern
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
tern_pids() { echo "$TERN_PID"; }

# --------------------------------------------------------------------------
# Postfix, a private instance in PF (set by the caller, below WORK)
# --------------------------------------------------------------------------

# start_postfix PORT MAIN_EXTRA: a private Postfix with its smtpd on 127.0.0.1:PORT.
# MAIN_EXTRA is appended to main.cf: how it routes mail (mydestination,
# relay_domains, transports) and any tuning. Default durability, no chroot,
# default_process_limit 200, its log in $PF/maillog.
start_postfix() {
    local port=$1 extra=$2
    mkdir -p "$PF/etc" "$PF/spool" "$PF/data"
    chown postfix "$PF/data"
    cat >"$PF/etc/main.cf" <<EOF
# Private Postfix for tools/bench ($BENCH_NAME).
compatibility_level = 3.6
config_directory = $PF/etc
queue_directory = $PF/spool
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.bench.test
mydomain = bench.test
myorigin = bench.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
default_process_limit = 200
alias_maps =
alias_database =
biff = no
maillog_file = $PF/maillog
maillog_file_prefixes = $PF
$extra
EOF
    # Debian's defaults without chroot, without the pipe/uucp examples.
    cat >"$PF/etc/master.cf" <<EOF
127.0.0.1:$port inet n - n - - smtpd
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
smtp       unix  -  -  n  -      -  smtp
relay      unix  -  -  n  -      -  smtp
showq      unix  n  -  n  -      -  showq
error      unix  -  -  n  -      -  error
retry      unix  -  -  n  -      -  error
discard    unix  -  -  n  -      -  discard
virtual    unix  -  n  n  -      -  virtual
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
    wait_listening "$port" "$PF_MASTER" "Postfix master" || { tail -20 "$PF/maillog" >&2; exit 1; }
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

# CPU of a process tree: PID (with the children it has reaped) plus its live children.
tree_cpu() {
    local total child
    total=$(CHILDREN=1 cpu_ticks "$1")
    for child in $(ps -o pid= --ppid "$1"); do
        total=$((total + $(CHILDREN=0 cpu_ticks "$child")))
    done
    echo "$total"
}

# CPU of the whole Postfix instance: its master and children.
postfix_cpu() { tree_cpu "$PF_MASTER"; }

# The master and its live children (smtpd, cleanup, qmgr, smtp, trivial-rewrite …).
postfix_live_pids() {
    echo "$PF_MASTER"
    ps -o pid= --ppid "$PF_MASTER"
}

postfix_queued() {
    find "$PF/spool/incoming" "$PF/spool/active" "$PF/spool/deferred" "$PF/spool/maildrop" -type f 2>/dev/null | wc -l
}

# Waits (120 s at most) until Postfix's queue has drained.
postfix_drain() {
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
# OpenSMTPD, a private instance in OSD (set by the caller, below WORK)
# --------------------------------------------------------------------------
# Debian's opensmtpd package conflicts with postfix, so its .deb is unpacked
# (apt-get download, dpkg -x) under WORK. Its queue (/var/spool/smtpd), chroot
# (/var/lib/opensmtpd/empty) and control socket (/run/smtpd.sock) are compiled
# in, so smtpd runs in a private mount namespace (unshare -m, private
# propagation) with OSD's directories bind-mounted over /var/spool, /var/lib
# and /run, and over /etc/resolv.conf one that keeps its resolver (libasr) to
# /etc/hosts: this machine's name server does not answer, and a lookup made
# per session would wait 5 s for it. It runs as the users opensmtpd and
# opensmtpq, created as system users when missing. Default durability (its
# queue fsyncs each message before 250), no tuning.

# fetch_opensmtpd: sets OSMTPD to the unpacked smtpd; returns 1 (with the reason logged) if it cannot.
fetch_opensmtpd() {
    local dir="$WORK/opensmtpd-package" user
    mkdir -p "$dir"
    (cd "$dir" && apt-get download opensmtpd >"$dir/download.log" 2>&1) || {
        log "apt-get download opensmtpd failed: $(tail -1 "$dir/download.log")"
        return 1
    }
    dpkg -x "$dir"/opensmtpd_*.deb "$dir/root" || { log "dpkg -x of the opensmtpd package failed"; return 1; }
    OSMTPD="$dir/root/usr/sbin/smtpd"
    for user in opensmtpd opensmtpq; do
        id "$user" >/dev/null 2>&1 && continue
        useradd --system --no-create-home --home-dir /var/lib/opensmtpd/empty --shell /usr/sbin/nologin "$user" ||
            { log "cannot create the user $user"; return 1; }
    done
    # smtpctl talks to smtpd only as installed: setgid opensmtpq (dpkg -x keeps no such mode).
    chgrp opensmtpq "$dir/root/usr/sbin/smtpctl" && chmod 2555 "$dir/root/usr/sbin/smtpctl" ||
        { log "cannot make smtpctl setgid opensmtpq"; return 1; }
}

# start_opensmtpd PORT CONFIG: smtpd -d (see above) on 127.0.0.1:PORT with the routing
# lines CONFIG; its log in $OSD/smtpd.log; sets OSD_PID (smtpd's parent process).
start_opensmtpd() {
    local port=$1 config=$2
    mkdir -p "$OSD/spool" "$OSD/run" "$OSD/lib/opensmtpd/empty"
    printf 'nameserver 127.0.0.1\nlookup file\n' >"$OSD/resolv.conf"
    printf '# Private OpenSMTPD for tools/bench (%s).\nlisten on 127.0.0.1 port %s hostname mx.bench.test\n%s\n' \
        "$BENCH_NAME" "$port" "$config" >"$OSD/smtpd.conf"
    # shellcheck disable=SC2016
    unshare --mount --propagation private bash -c 'mount --bind "$1/resolv.conf" /etc/resolv.conf &&
        mount --bind "$1/spool" /var/spool && mount --bind "$1/lib" /var/lib && mount --bind "$1/run" /run &&
        exec "$2" -d -f "$1/smtpd.conf"' bash "$OSD" "$OSMTPD" >"$OSD/smtpd.log" 2>&1 &
    OSD_PID=$!
    wait_listening "$port" "$OSD_PID" OpenSMTPD || { tail -20 "$OSD/smtpd.log" >&2; exit 1; }
}

# smtpd's parent and its live children (the smtp, lka, queue, scheduler, control and pony processes).
opensmtpd_pids() {
    echo "$OSD_PID"
    ps -o pid= --ppid "$OSD_PID"
}

# CPU of OpenSMTPD: its parent and children.
opensmtpd_cpu() { tree_cpu "$OSD_PID"; }

# Deliveries OpenSMTPD has logged as done (one line per recipient).
opensmtpd_delivered() { grep -c 'mta delivery.*result="Ok"' "$OSD/smtpd.log" || true; }

# opensmtpd_clear_queue: drops what OpenSMTPD still holds (`smtpctl remove all`, run in
# its mount namespace to reach its control socket). It relays ~15 msgs/s here, so the
# backlog of a latency run would otherwise go on relaying, and syncing its queue files,
# through the other servers' runs; ternd and Postfix are drained instead.
opensmtpd_clear_queue() {
    nsenter --target "$OSD_PID" --mount "${OSMTPD%/smtpd}/smtpctl" remove all >"$OSD/smtpctl.log" 2>&1 ||
        log "smtpctl remove all failed: $(tail -1 "$OSD/smtpctl.log")"
}

stop_opensmtpd() {
    [ -n "$OSD_PID" ] || return 0
    local children
    children=$(ps -o pid= --ppid "$OSD_PID" | tr '\n' ' ')
    kill -TERM "$OSD_PID" 2>/dev/null
    local deadline=$((SECONDS + 10))
    while kill -0 "$OSD_PID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
    # shellcheck disable=SC2086
    kill -KILL "$OSD_PID" $children 2>/dev/null
    wait "$OSD_PID" 2>/dev/null
    OSD_PID=""
}

# --------------------------------------------------------------------------
# smtp-sink
# --------------------------------------------------------------------------

# start_sink PIDVAR PORT OUT: smtp-sink -c on 127.0.0.1:PORT, its running counters in OUT
# (sink_messages reads them); sets PIDVAR to its pid.
start_sink() {
    local pid user=()
    [ "$(id -u)" -eq 0 ] && user=(-u postfix) # smtp-sink refuses to run as root without -u
    smtp-sink "${user[@]}" -c "127.0.0.1:$2" 1000 >"$3" 2>"$3.err" &
    pid=$!
    SINK_PIDS+=("$pid")
    printf -v "$1" '%s' "$pid"
    wait_listening "$2" "$pid" smtp-sink || { cat "$3.err" >&2; exit 1; }
}

# sink_counter OUT NAME: the last value of the sink's running counter NAME (sess, quit or
# mesg) in OUT; its `sess=… quit=… mesg=…` lines end with carriage returns.
sink_counter() {
    local last
    last=$(tail -c 120 "$1" 2>/dev/null | tr '\r' '\n' | grep -o "$2=[0-9]*" | tail -1)
    last=${last#"$2="}
    echo "${last:-0}"
}

# sink_messages OUT: the messages the sink writing OUT has received so far.
sink_messages() { sink_counter "$1" mesg; }

stop_sinks() {
    local pid
    for pid in "${SINK_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    SINK_PIDS=()
}

# --------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------
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
