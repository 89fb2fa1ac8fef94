#!/usr/bin/env bash
# End-to-end throughput benchmark (issue 4): builds every product in release mode, then runs
# `consumer-benchmark run`, which starts a mock broker, produces 800k EnrichedEvents on 48 partitions and
# measures a raw librdkafka loop and the service, each in its own process. Arguments are passed on, e.g.
#   scripts/benchmark.sh --rounds 3 --json benchmark.json
# See `.build-release/release/consumer-benchmark run --help` for every option.
#
# Sink mode (issue 14): `scripts/benchmark.sh --sink postgres|sqlite|files [--end-to-end] [--events N]
# [--rounds N]` measures, in one run, the store's own ingest limit on this machine (psql \copy, the sqlite3
# shell's .import, a plain durable file loop), the service's sink writing the same events in batches, and
# with --end-to-end the whole service, mock-kafka → processing-service → store; see
# `.build-release/release/sink-benchmark --help`.
set -euo pipefail

cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--sink" ]]; then
    # The service end to end (--end-to-end) runs the release processing-service, mock-kafka and event-producer.
    for product in sink-benchmark processing-service mock-kafka event-producer; do
        swift build -c release --scratch-path .build-release --product "$product"
    done
    exec .build-release/release/sink-benchmark "$@"
fi
# A scratch path of its own, so a debug `swift build` in .build is neither reused nor disturbed.
swift build -c release --scratch-path .build-release
exec .build-release/release/consumer-benchmark run "$@"
