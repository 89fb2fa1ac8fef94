#!/usr/bin/env bash
# A `consumer-benchmark run --service-launcher` that runs a different service build each round, in turn, so
# that two builds are measured in one run against the same raw rounds (this host's speed changes from minute
# to minute, so runs made one after the other cannot tell a few per cent apart). The benchmark gives its
# children a clean environment, so the builds are named with --service-env. Example:
#   .build-release/release/consumer-benchmark run --rounds 16 --service-launcher scripts/alternate-service.sh \
#     --service-env ALTERNATE_SERVICES=/tmp/old/processing-service:/tmp/new/processing-service
# Round 1 runs the first build, round 2 the second, and so on; the benchmark's report lists the rounds.
# Each entry may carry NAME=VALUE settings after a space, e.g. "/tmp/new/processing-service KAFKA_CFG_X=1".
set -euo pipefail
IFS=':' read -r -a builds <<< "${ALTERNATE_SERVICES:?set ALTERNATE_SERVICES to build paths separated by ':'}"
# One counter per benchmark run: the parent's pid and start time (a pid alone may be reused by a later run).
started=$(awk '{print $22}' "/proc/$PPID/stat" 2>/dev/null || echo 0)
counter="${ALTERNATE_SERVICES_COUNTER:-${TMPDIR:-/tmp}/alternate-service.$PPID.$started}"
round=$(cat "$counter" 2>/dev/null || echo 0)
echo $((round + 1)) > "$counter"
read -r -a entry <<< "${builds[$((round % ${#builds[@]}))]}"
shift  # the benchmark's own processing-service path
echo "alternate-service: round $((round + 1)) runs ${entry[*]}" >&2
exec env -u ALTERNATE_SERVICES "${entry[@]:1}" "${entry[0]}" "$@"
