#!/usr/bin/env bash
# Installs the system packages this project needs to build and test, if any are missing.
#
# Used by both `.ci/run` and `scripts/quickstart.sh`, so a fresh machine and CI install exactly the same
# things. Idempotent: when everything is present it touches nothing and never runs `apt-get update`.
#
#   librdkafka-dev      librdkafka headers (rdkafka.h, rdkafka_mock.h) and the library (pkg-config "rdkafka")
#   libsnappy-dev       snappy, the compression the event producer uses
#   pkg-config          how SwiftPM finds librdkafka (the CRdKafka system-library target)
#   libsimdjson-dev     simdjson, for the fast EnrichedEvent decoder
#   python3-jsonschema  + python3-yaml: validating docker-compose.yml (scripts/validate_compose.py)
#   postgresql          PostgreSQL server binaries (initdb, postgres, psql) for the tests' throwaway servers
#                       and the sink benchmark; no service is started (the tests start their own)
#   libsqlite3-dev      the system SQLite that GRDB links (SINK=sqlite)
#   sqlite3             the sqlite3 shell: the tests' checks of SQLite files, the sink benchmark's limit
#   prometheus          a real Prometheus server and promtool, for the metrics tests (starts no service)
#   chromium            a real headless browser, for the status page test
#   python3-pip         pip, for kubernetes-validate
#   kubernetes-validate (PyPI, with pip) the Kubernetes schemas, offline, for scripts/validate_deploy.py
#
# Swift itself is not installed here: it is a toolchain download, not a distribution package. The script
# only checks that one is on PATH (or at /opt/swift) and says what to do if not.
set -euo pipefail

readonly DEBIAN_PACKAGES=(
    librdkafka-dev
    libsnappy-dev
    pkg-config
    libsimdjson-dev
    python3-jsonschema
    python3-yaml
    postgresql
    libsqlite3-dev
    sqlite3
    prometheus
    chromium
    python3-pip
)

log() { printf 'install-deps: %s\n' "$*" >&2; }

check_swift() {
    if command -v swift >/dev/null 2>&1; then
        return 0
    fi
    if [[ -x /opt/swift/usr/bin/swift ]]; then
        log "swift is not on PATH, but /opt/swift/usr/bin/swift exists: add it with"
        log "  export PATH=/opt/swift/usr/bin:\$PATH"
        return 0
    fi
    log "no Swift toolchain found: install Swift 6.2 or later from swift.org and put it on PATH"
    return 1
}

# Prints the packages from DEBIAN_PACKAGES that dpkg does not report as installed.
missing_debian_packages() {
    local package
    for package in "${DEBIAN_PACKAGES[@]}"; do
        # `dpkg -s` succeeds for packages that were removed but not purged, so check the status line.
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
            printf '%s\n' "$package"
        fi
    done
}

install_debian_packages() {
    local -a missing
    mapfile -t missing < <(missing_debian_packages)
    if ((${#missing[@]} == 0)); then
        log "all system packages present (${DEBIAN_PACKAGES[*]})"
        return 0
    fi

    local -a sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        if ! command -v sudo >/dev/null 2>&1; then
            log "missing packages: ${missing[*]}; run as root or install them with apt-get"
            return 1
        fi
        sudo=(sudo)
    fi

    log "installing missing packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # `apt-get update` once, and only because something is missing: package lists on a fresh machine may
    # be empty or stale, and an install from them fails.
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# kubernetes-validate is not packaged by Debian: install it from PyPI with pip when it is missing.
install_kubernetes_validate() {
    if command -v kubernetes-validate >/dev/null 2>&1; then
        return 0
    fi
    log "installing kubernetes-validate (PyPI)"
    # Debian's own python refuses pip installs into the system (PEP 668) without the override.
    python3 -m pip install --quiet kubernetes-validate 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages kubernetes-validate
}

main() {
    if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
        install_debian_packages
    else
        # Not Debian/Ubuntu (e.g. macOS with Homebrew): we cannot install for you, but we can tell whether
        # the build will find librdkafka.
        if pkg-config --exists rdkafka 2>/dev/null; then
            log "not a Debian system; librdkafka found through pkg-config"
        else
            log "not a Debian system and pkg-config cannot find librdkafka:"
            log "install librdkafka, snappy, simdjson and pkg-config with your package manager"
            log "(Homebrew: brew install librdkafka snappy simdjson pkg-config)"
            return 1
        fi
    fi
    install_kubernetes_validate
    check_swift
}

main "$@"
