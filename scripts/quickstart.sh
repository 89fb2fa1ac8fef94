#!/usr/bin/env bash
# Quick start without Docker or a Kafka installation: installs what is missing, builds, starts the
# project's embedded test broker (librdkafka's mock cluster, `mock-kafka`), publishes sample events with
# `event-producer`, then runs `processing-service --read-from-beginning` in the foreground.
#
# Ctrl-C stops the service gracefully (it commits what it finished); the broker is stopped on exit.
#
# Options (environment variables):
#   EVENTS=1000              how many sample events to publish
#   INVALID_EVERY=50         make every Nth event invalid, to show dead-lettering (0 = none)
#   PARTITIONS=6             partitions of the topic
#   TOPIC=user-activity-events
#   CONFIGURATION=debug      swift build configuration: debug (faster to build) or release (faster to run)
#   SKIP_INSTALL=1           do not check/install system packages
#   SINK=sqlite              store the events in $WORK_DIR/events.sqlite (SINK=files: $WORK_DIR/events/) and
#                            print how many were stored when the service stops (SINK=postgres needs DATABASE_URL)
#   LOG_FORMAT, LOG_LEVEL, ENVIRONMENT, ... any service variable (see README.md) is passed through.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

EVENTS="${EVENTS:-1000}"
INVALID_EVERY="${INVALID_EVERY:-50}"
PARTITIONS="${PARTITIONS:-6}"
TOPIC="${TOPIC:-user-activity-events}"
CONFIGURATION="${CONFIGURATION:-debug}"

say() { printf '\033[1mquickstart:\033[0m %s\n' "$*" >&2; }

if ! command -v swift >/dev/null 2>&1 && [[ -x /opt/swift/usr/bin/swift ]]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

if [[ "${SKIP_INSTALL:-0}" != 1 ]]; then
    say "checking system packages"
    scripts/install-deps.sh
fi

say "building (swift build -c $CONFIGURATION)"
swift build -c "$CONFIGURATION" --product processing-service
swift build -c "$CONFIGURATION" --product mock-kafka
swift build -c "$CONFIGURATION" --product event-producer
BIN="$(swift build -c "$CONFIGURATION" --show-bin-path)"

WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/processing-service-quickstart.XXXXXX")"
MOCK_PID=""

stop_broker() {
    if [[ -n "${WATCHER_PID:-}" ]]; then kill "$WATCHER_PID" 2>/dev/null || true; fi
    if [[ -n "$MOCK_PID" ]] && kill -0 "$MOCK_PID" 2>/dev/null; then
        say "stopping the broker"
        # Closing its stdin is mock-kafka's normal way out; SIGTERM if it does not go within 5 s.
        exec 3>&- || true
        for _ in $(seq 50); do
            kill -0 "$MOCK_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -TERM "$MOCK_PID" 2>/dev/null || true
        wait "$MOCK_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK_DIR"
}
trap stop_broker EXIT

# mock-kafka serves until its stdin reaches EOF. A fifo whose write end this script holds open (fd 3)
# keeps it running exactly as long as this script, and needs no leftover `sleep` process.
# It runs in its own session (setsid, where available): Ctrl-C signals the terminal's whole foreground
# process group, and mock-kafka handles SIGINT by stopping, so without this the broker would vanish while
# the service is still committing its final offsets.
mkfifo "$WORK_DIR/broker-stdin"
own_session=()
if command -v setsid >/dev/null 2>&1; then own_session=(setsid); fi
"${own_session[@]}" "$BIN/mock-kafka" --brokers 1 --topic "$TOPIC:$PARTITIONS" --topic "$TOPIC.dlq:$PARTITIONS" \
    <"$WORK_DIR/broker-stdin" >"$WORK_DIR/broker-stdout" 2>"$WORK_DIR/broker.log" &
MOCK_PID=$!
exec 3>"$WORK_DIR/broker-stdin"

say "starting the embedded broker (mock-kafka)"
BOOTSTRAP=""
for _ in $(seq 300); do
    BOOTSTRAP="$(sed -n 's/^BOOTSTRAP //p' "$WORK_DIR/broker-stdout" | head -n 1)"
    [[ -n "$BOOTSTRAP" ]] && break
    if ! kill -0 "$MOCK_PID" 2>/dev/null; then
        say "mock-kafka exited before it was ready:"
        cat "$WORK_DIR/broker.log" >&2
        exit 1
    fi
    sleep 0.1
done
if [[ -z "$BOOTSTRAP" ]]; then
    say "mock-kafka did not print its BOOTSTRAP line within 30 s:"
    cat "$WORK_DIR/broker.log" >&2
    exit 1
fi
say "broker at $BOOTSTRAP, topics $TOPIC ($PARTITIONS partitions) and $TOPIC.dlq"

producer_args=(--brokers "$BOOTSTRAP" --topic "$TOPIC" --count "$EVENTS")
if [[ "$INVALID_EVERY" != 0 ]] && "$BIN/event-producer" --help 2>&1 | grep -q -- '--invalid-every'; then
    producer_args+=(--invalid-every "$INVALID_EVERY")
fi
say "publishing $EVENTS sample events: event-producer ${producer_args[*]}"
"$BIN/event-producer" "${producer_args[@]}"

export KAFKA_BROKERS="$BOOTSTRAP"
export KAFKA_TOPIC="$TOPIC"
# The stores default into the temporary directory, so the quick start writes nothing outside it.
case "${SINK:-log}" in
    sqlite) export SQLITE_PATH="${SQLITE_PATH:-$WORK_DIR/events.sqlite}"; say "storing events in $SQLITE_PATH" ;;
    files) export FILES_DIR="${FILES_DIR:-$WORK_DIR/events}"; say "storing events under $FILES_DIR" ;;
esac

# The HTTP server (status page, /metrics): port 8080 unless it is taken or HTTP_PORT says otherwise.
port_in_use() { (exec 9<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
WATCHER_PID=""
if [[ "${HTTP_ENABLED:-true}" != false ]]; then
    if [[ -z "${HTTP_PORT:-}" ]]; then
        HTTP_PORT=8080
        if port_in_use 8080; then
            HTTP_PORT="$(free_port)"
            say "port 8080 is taken: the HTTP server uses $HTTP_PORT"
        fi
    fi
    export HTTP_PORT
    if [[ "$HTTP_PORT" != 0 ]]; then
        # Prints the URLs once /readyz answers 200 (the service's own probe: no curl needed).
        (
            for _ in $(seq 600); do
                if "$BIN/processing-service" healthcheck --path /readyz --port "$HTTP_PORT" >/dev/null 2>&1; then
                    say "ready — status page: http://localhost:$HTTP_PORT/   metrics: http://localhost:$HTTP_PORT/metrics"
                    exit 0
                fi
                sleep 0.5
            done
        ) &
        WATCHER_PID=$!
    fi
fi

say "running processing-service --read-from-beginning (Ctrl-C to stop)"
# In the foreground on purpose: Ctrl-C reaches the service directly, it shuts down gracefully, and this
# script then continues to the EXIT trap, which stops the broker. Its exit status becomes ours.
status=0
"$BIN/processing-service" --read-from-beginning || status=$?
say "processing-service exited with status $status"
case "${SINK:-log}" in
    sqlite)
        if command -v sqlite3 >/dev/null 2>&1 && [[ -f "$SQLITE_PATH" ]]; then
            say "$SQLITE_PATH holds $(sqlite3 "$SQLITE_PATH" "SELECT count(*) FROM ${SINK_TABLE:-events}") events"
        fi
        ;;
    files)
        say "$FILES_DIR holds $(find "$FILES_DIR" -name '*.json' -not -path '*/.incoming/*' 2>/dev/null | wc -l) event files"
        ;;
esac
exit "$status"
