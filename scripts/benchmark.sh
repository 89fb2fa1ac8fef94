#!/usr/bin/env bash
# End-to-end throughput benchmark (issue 4): builds every product in release mode, then runs
# `consumer-benchmark run`, which starts a mock broker, produces 800k EnrichedEvents on 48 partitions and
# measures a raw librdkafka loop and the service, each in its own process. Arguments are passed on, e.g.
#   scripts/benchmark.sh --rounds 3 --json benchmark.json
# See `.build-release/release/consumer-benchmark run --help` for every option.
set -euo pipefail

cd "$(dirname "$0")/.."
# A scratch path of its own, so a debug `swift build` in .build is neither reused nor disturbed.
swift build -c release --scratch-path .build-release
exec .build-release/release/consumer-benchmark run "$@"
