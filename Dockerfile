# syntax=docker/dockerfile:1
#
# processing-service image: build with the official Swift image, run on plain Ubuntu as a non-root user.
#
#   docker build -t processing-service .
#   docker run --rm -e KAFKA_BROKERS=broker:9092 processing-service --read-from-beginning
#
# The image also carries `event-producer` (docker-compose.yml uses it to publish sample events):
#   docker run --rm --entrypoint event-producer processing-service --brokers broker:9092 \
#       --topic user-activity-events --count 1000

# Package.swift needs tools version 6.2 or later. Both stages are Ubuntu 24.04 (noble), so the runtime
# package names computed in the build stage are valid in the runtime stage.
ARG SWIFT_VERSION=6.3
ARG UBUNTU_VERSION=noble

# ------------------------------------------------------------------------------------------------ build
FROM swift:${SWIFT_VERSION}-${UBUNTU_VERSION} AS build

# librdkafka (noble: 2.3.0; the code targets the 2.0.2 API, which 2.3.0 keeps), snappy, simdjson.
RUN apt-get update \
    && apt-get install -y --no-install-recommends librdkafka-dev libsnappy-dev libsimdjson-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src

COPY Package.swift ./
COPY Sources ./Sources
# The manifest declares the test and benchmark targets, so their folders must exist for SwiftPM to load it.
COPY Tests ./Tests
COPY Benchmarks ./Benchmarks

# Static Swift runtime: the runtime stage needs no Swift toolchain, only the C libraries linked below.
RUN swift build -c release --static-swift-stdlib --product processing-service \
    && swift build -c release --static-swift-stdlib --product event-producer \
    && mkdir -p /staging \
    && cp "$(swift build -c release --show-bin-path)/processing-service" \
          "$(swift build -c release --show-bin-path)/event-producer" /staging/

# The Ubuntu packages that own the shared libraries the binaries load (librdkafka1, libsimdjson*, their
# dependencies). Derived from the binaries rather than hard-coded, so a new native dependency cannot be
# forgotten in the runtime stage. Matched by file name: on merged-/usr systems the path ldd prints
# (/lib/...) and the one dpkg recorded (/usr/lib/...) can differ. A library no package owns is skipped
# here and caught by the `ldd` check in the runtime stage.
RUN ldd /staging/processing-service /staging/event-producer \
        | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u \
        | while read -r library; do dpkg -S "*/${library##*/}" 2>/dev/null || true; done \
        | cut -d: -f1 | sort -u > /staging/runtime-packages.txt \
    && cat /staging/runtime-packages.txt

# ---------------------------------------------------------------------------------------------- runtime
FROM ubuntu:${UBUNTU_VERSION} AS runtime

COPY --from=build /staging/runtime-packages.txt /tmp/runtime-packages.txt
# ca-certificates: for SASL_SSL/SSL brokers (KAFKA_CFG_SECURITY_PROTOCOL=SASL_SSL).
RUN apt-get update \
    && xargs -a /tmp/runtime-packages.txt apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages.txt

COPY --from=build /staging/processing-service /staging/event-producer /usr/local/bin/

# Fail the build, not the first deployment, if a shared library is missing.
RUN ! ldd /usr/local/bin/processing-service /usr/local/bin/event-producer | grep 'not found'

RUN useradd --system --no-create-home --uid 10001 --shell /usr/sbin/nologin processing
USER 10001:10001
WORKDIR /app

# Configuration comes from the environment (see env.example and README.md); a .env in /app is read too.
ENV ENVIRONMENT=production

# HTTP_PORT: health (/healthz, /readyz), Prometheus metrics (/metrics), /status and the status page (/).
EXPOSE 8080
# The service probes its own /healthz (no curl in the image). Its HTTP server answers from the process
# start on (200 during the start-up connection retries too), so the start period only covers the launch.
HEALTHCHECK --interval=10s --timeout=5s --start-period=15s --retries=3 CMD ["processing-service", "healthcheck"]
ENTRYPOINT ["processing-service"]
