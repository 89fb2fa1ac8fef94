#!/usr/bin/env python3
"""Validates docker-compose.yml without a Docker engine.

Two layers:

1. The Compose Specification's JSON schema (misspelled keys, wrong types, bad depends_on conditions).
   The schema is read from $COMPOSE_SCHEMA, or else from the copy in scripts/schemas/compose-spec.json
   (see its README), so a fresh clone needs nothing beside it. A missing schema is an error, never a
   skip: a check that silently does not run is worse than none.
2. Wiring that the schema cannot see: the service waits for its topics, talks to a listener Kafka really
   advertises, reads from the beginning, gets its configuration from env.example, topic names agree with
   env.example, and Docker gives it longer to stop than SHUTDOWN_TIMEOUT; with SINK=postgres, DATABASE_URL
   names a PostgreSQL service of the file (pinned image, healthcheck, a volume) that the service waits for.

Exit status: 0 valid, 1 problems found (each printed on stderr), 2 cannot run (missing schema, file or
Python module). Used by Tests/PackagingTests; run it by hand with `python3 scripts/validate_compose.py`.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCHEMA = REPO_ROOT / "scripts" / "schemas" / "compose-spec.json"

KAFKA_IMAGE = "apache/kafka:3.9.1"
SERVICE = "processing-service"
TOPIC_INIT = "kafka-init"
PRODUCER = "event-producer"


class CannotRun(Exception):
    """Raised when validation cannot even start; maps to exit status 2."""


# ---------------------------------------------------------------------------------------------------------
# Small parsers


def parse_env_file(path: Path) -> dict[str, str]:
    """Parses an env file the way Compose's env_file does for the simple forms we use.

    `NAME=value`, optional single or double quotes, `#` comment lines, and ` #` inline comments after
    unquoted values.
    """
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        name, sep, value = line.partition("=")
        if not sep:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        else:
            value = re.split(r"\s+#", value, maxsplit=1)[0].strip()
        values[name.strip()] = value
    return values


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)?")
_UNIT_SECONDS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_duration_seconds(text: str) -> float | None:
    """Parses `30`, `30s`, `1m30s`, `500ms` (Compose's duration format; a bare number means seconds)."""
    text = str(text).strip()
    if not text:
        return None
    total, position = 0.0, 0
    while position < len(text):
        match = _DURATION_PART.match(text, position)
        if not match or match.end() == position:
            return None
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        position = match.end()
    return total


def environment_of(service: dict) -> dict[str, str]:
    """A service's `environment`, which Compose allows as a mapping or as a list of NAME=value."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.partition("=") for item in env)
        return {name: value for name, _, value in pairs}
    return {str(name): "" if value is None else str(value) for name, value in env.items()}


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def command_words(service: dict, key: str = "command") -> list[str]:
    """`command`/`entrypoint` as words (a string form is split on whitespace; good enough for our files)."""
    value = service.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    return [str(word) for word in value]


def flag_value(words: list[str], flag: str) -> str | None:
    """The value of `--flag value` or `--flag=value` in a list of words."""
    for index, word in enumerate(words):
        if word == flag and index + 1 < len(words):
            return words[index + 1]
        if word.startswith(flag + "="):
            return word[len(flag) + 1:]
    return None


def listeners(text: str) -> dict[str, tuple[str, int]]:
    """`NAME://host:port,...` → {NAME: (host, port)} (an empty host means all interfaces)."""
    result: dict[str, tuple[str, int]] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        match = re.fullmatch(r"([A-Za-z0-9_]+)://([^:,]*):(\d+)", item)
        if match:
            result[match.group(1)] = (match.group(2), int(match.group(3)))
        else:
            result[item] = ("", -1)  # reported by the caller as malformed
    return result


# ---------------------------------------------------------------------------------------------------------
# Checks


def validate_schema(document: dict, schema_path: Path) -> list[str]:
    import json

    import jsonschema

    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    # The Compose schema declares "https://json-schema.org/draft-07/schema" (no trailing '#'), which
    # jsonschema's lookup does not recognise; pick draft 7 explicitly rather than "latest" with a warning.
    if "draft-07" in str(schema.get("$schema", "")):
        validator_class = jsonschema.Draft7Validator
    else:
        validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema)
    problems = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
        problems.append(f"schema: {where}: {error.message}")
    return problems


class WiringCheck:
    """Cross-service checks; each failed expectation is collected as one readable line."""

    def __init__(self, document: dict, compose_path: Path):
        self.services: dict = document.get("services") or {}
        self.compose_dir = compose_path.parent
        self.problems: list[str] = []

    def expect(self, condition: bool, message: str) -> bool:
        if not condition:
            self.problems.append(f"wiring: {message}")
        return condition

    def service(self, name: str) -> dict | None:
        service = self.services.get(name)
        self.expect(isinstance(service, dict), f"service '{name}' is missing")
        return service if isinstance(service, dict) else None

    def waits_for(self, service_name: str, service: dict, dependency: str, condition: str) -> None:
        depends_on = service.get("depends_on")
        actual = None
        if isinstance(depends_on, dict) and isinstance(depends_on.get(dependency), dict):
            actual = depends_on[dependency].get("condition")
        elif isinstance(depends_on, list) and dependency in depends_on:
            actual = "service_started"  # the short list form
        self.expect(
            actual == condition,
            f"'{service_name}' must depend on '{dependency}' with condition {condition} (found {actual})",
        )

    def run(self) -> list[str]:
        kafka_name, kafka = self.find_kafka()
        advertised = self.check_kafka(kafka_name, kafka) if kafka else {}
        topics = self.check_topic_init(kafka_name) if kafka_name else set()
        env_example = self.check_service(kafka_name, advertised)
        self.check_producer(kafka_name, advertised, env_example)
        self.check_topics(topics, env_example)
        self.check_sink(env_example)
        return self.problems

    def find_kafka(self) -> tuple[str | None, dict | None]:
        for name, service in self.services.items():
            if isinstance(service, dict) and str(service.get("image", "")).startswith("apache/kafka"):
                if "KAFKA_PROCESS_ROLES" in environment_of(service):
                    return name, service
        self.expect(False, f"no Kafka broker service ({KAFKA_IMAGE} with KAFKA_PROCESS_ROLES)")
        return None, None

    def check_kafka(self, name: str, kafka: dict) -> dict[str, tuple[str, int]]:
        env = environment_of(kafka)
        self.expect(kafka.get("image") == KAFKA_IMAGE, f"'{name}' must run {KAFKA_IMAGE}")
        roles = {role.strip() for role in env.get("KAFKA_PROCESS_ROLES", "").split(",")}
        self.expect(roles == {"broker", "controller"}, f"'{name}' must be a combined KRaft broker,controller")
        node_id = env.get("KAFKA_NODE_ID", "")
        self.expect(node_id.isdigit(), f"'{name}' needs a numeric KAFKA_NODE_ID")
        self.expect("healthcheck" in kafka, f"'{name}' needs a healthcheck (kafka-init waits for it)")
        self.expect(
            env.get("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR") == "1",
            f"'{name}' is a single node: KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR must be 1",
        )

        defined = listeners(env.get("KAFKA_LISTENERS", ""))
        advertised = listeners(env.get("KAFKA_ADVERTISED_LISTENERS", ""))
        protocol_map = {
            entry.partition(":")[0].strip()
            for entry in env.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "").split(",")
            if entry.strip()
        }
        for listener, (_, port) in defined.items():
            self.expect(port > 0, f"'{name}' KAFKA_LISTENERS entry '{listener}' is malformed")
            self.expect(listener in protocol_map, f"listener {listener} has no security protocol mapped")
        for listener, (host, port) in advertised.items():
            self.expect(
                listener in defined and defined[listener][1] == port,
                f"advertised listener {listener}://{host}:{port} is not a listener kafka binds",
            )
        controllers = [c.strip() for c in env.get("KAFKA_CONTROLLER_LISTENER_NAMES", "").split(",") if c.strip()]
        self.expect(bool(controllers), f"'{name}' needs KAFKA_CONTROLLER_LISTENER_NAMES")
        for controller in controllers:
            self.expect(controller in defined, f"controller listener {controller} is not in KAFKA_LISTENERS")
            self.expect(controller not in advertised, f"controller listener {controller} must not be advertised")
            voters = env.get("KAFKA_CONTROLLER_QUORUM_VOTERS", "")
            if controller in defined:
                expected = f"{node_id}@{name}:{defined[controller][1]}"
                self.expect(
                    expected in voters.split(","),
                    f"KAFKA_CONTROLLER_QUORUM_VOTERS '{voters}' must name {expected}",
                )
        return advertised

    def check_topic_init(self, kafka_name: str) -> set[str]:
        init = self.service(TOPIC_INIT)
        if init is None:
            return set()
        self.waits_for(TOPIC_INIT, init, kafka_name, "service_healthy")
        self.expect(init.get("image") == KAFKA_IMAGE, f"'{TOPIC_INIT}' should use {KAFKA_IMAGE} for its tools")
        script = " ".join(command_words(init, "entrypoint") + command_words(init))
        self.expect("kafka-topics.sh" in script, f"'{TOPIC_INIT}' must create topics with kafka-topics.sh")
        return set(re.findall(r"--topic[ =]+([A-Za-z0-9._-]+)", script))

    def expect_advertised_brokers(self, who: str, brokers: str | None, kafka_name: str | None,
                                  advertised: dict[str, tuple[str, int]]) -> None:
        if not self.expect(bool(brokers), f"'{who}' does not say which brokers to use"):
            return
        reachable = {f"{host}:{port}" for host, port in advertised.values() if host == kafka_name}
        for broker in brokers.split(","):
            self.expect(
                broker.strip() in reachable,
                f"'{who}' uses broker {broker.strip()}, but kafka advertises {sorted(reachable)} "
                "to other containers",
            )

    def check_service(self, kafka_name: str | None, advertised) -> dict[str, str]:
        service = self.service(SERVICE)
        if service is None:
            return {}
        self.waits_for(SERVICE, service, TOPIC_INIT, "service_completed_successfully")
        self.expect("build" in service, f"'{SERVICE}' must be built from this repository's Dockerfile")
        self.expect(
            "--read-from-beginning" in command_words(service),
            f"'{SERVICE}' must run with --read-from-beginning",
        )
        self.expect(service.get("restart") not in (None, "no"), f"'{SERVICE}' needs a restart policy")

        env_files = [entry if isinstance(entry, str) else entry.get("path") for entry in as_list(service.get("env_file"))]
        env_example: dict[str, str] = {}
        if self.expect("env.example" in env_files, f"'{SERVICE}' must read env_file env.example"):
            path = self.compose_dir / "env.example"
            if self.expect(path.is_file(), f"env_file {path} does not exist"):
                env_example = parse_env_file(path)

        environment = environment_of(service)
        effective = {**env_example, **environment}
        self.expect_advertised_brokers(SERVICE, effective.get("KAFKA_BROKERS"), kafka_name, advertised)

        # Docker sends SIGTERM, waits stop_grace_period (default 10 s), then SIGKILLs: the service must get
        # longer than its own shutdown budget, or every redeploy is a crash.
        shutdown = parse_duration_seconds(effective.get("SHUTDOWN_TIMEOUT", ""))
        grace = parse_duration_seconds(service.get("stop_grace_period", "10s"))
        if self.expect(shutdown is not None, "SHUTDOWN_TIMEOUT is not set in env.example or environment"):
            self.expect(
                grace is not None and grace > shutdown,
                f"stop_grace_period ({service.get('stop_grace_period', '10s')}) must exceed "
                f"SHUTDOWN_TIMEOUT ({effective.get('SHUTDOWN_TIMEOUT')})",
            )
        return effective

    def check_producer(self, kafka_name: str | None, advertised, service_env: dict[str, str]) -> None:
        producer = self.service(PRODUCER)
        if producer is None:
            return
        self.waits_for(PRODUCER, producer, TOPIC_INIT, "service_completed_successfully")
        words = command_words(producer, "entrypoint") + command_words(producer)
        self.expect("event-producer" in words, f"'{PRODUCER}' must run the event-producer executable")
        self.expect_advertised_brokers(PRODUCER, flag_value(words, "--brokers"), kafka_name, advertised)
        topic = flag_value(words, "--topic")
        self.expect(
            topic is not None and topic == service_env.get("KAFKA_TOPIC"),
            f"'{PRODUCER}' publishes to {topic}, the service reads KAFKA_TOPIC={service_env.get('KAFKA_TOPIC')}",
        )

    def check_topics(self, created: set[str], service_env: dict[str, str]) -> None:
        topic = service_env.get("KAFKA_TOPIC")
        if not self.expect(bool(topic), "KAFKA_TOPIC is not set in env.example"):
            return
        self.expect(topic in created, f"'{TOPIC_INIT}' does not create the service's topic {topic} ({sorted(created)})")
        if service_env.get("DLQ_ENABLED", "true").lower() != "false":
            dlq = service_env.get("DLQ_TOPIC") or f"{topic}.dlq"
            self.expect(dlq in created, f"'{TOPIC_INIT}' does not create the dead-letter topic {dlq} ({sorted(created)})")

    def check_sink(self, service_env: dict[str, str]) -> None:
        """SINK=postgres: the database is a service here, pinned, healthy before the service starts, with its
        data in a volume (a `docker compose down` must not lose the stored events)."""
        if service_env.get("SINK", "log") != "postgres":
            return
        from urllib.parse import urlsplit

        url = service_env.get("DATABASE_URL", "")
        host = urlsplit(url).hostname if url else None
        if not self.expect(bool(host), f"SINK=postgres but '{SERVICE}' has no DATABASE_URL with a host"):
            return
        database = self.services.get(host)
        if not self.expect(isinstance(database, dict), f"DATABASE_URL names host '{host}', which is no service here"):
            return
        image = str(database.get("image", ""))
        self.expect(
            image.startswith("postgres:") and image.split(":", 1)[1] not in ("", "latest"),
            f"'{host}' must run a pinned postgres image (found '{image}')",
        )
        self.expect("healthcheck" in database, f"'{host}' needs a healthcheck ('{SERVICE}' waits for it)")
        self.expect(
            any(str(volume).endswith("/var/lib/postgresql/data") for volume in as_list(database.get("volumes"))),
            f"'{host}' must keep /var/lib/postgresql/data in a volume",
        )
        self.waits_for(SERVICE, self.services.get(SERVICE) or {}, host, "service_healthy")


# ---------------------------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compose", type=Path, default=REPO_ROOT / "docker-compose.yml")
    parser.add_argument(
        "--schema",
        type=Path,
        default=Path(os.environ["COMPOSE_SCHEMA"]) if os.environ.get("COMPOSE_SCHEMA") else DEFAULT_SCHEMA,
        help="Compose Specification JSON schema (default: $COMPOSE_SCHEMA or scripts/schemas/compose-spec.json)",
    )
    arguments = parser.parse_args(argv)

    try:
        try:
            import jsonschema  # noqa: F401
            import yaml
        except ImportError as error:
            raise CannotRun(
                f"{error}; install python3-jsonschema and python3-yaml (scripts/install-deps.sh) "
                f"for {sys.executable}"
            ) from error
        if not arguments.schema.is_file():
            raise CannotRun(
                f"Compose schema not found at {arguments.schema}: expected the repository's copy "
                "(scripts/schemas/compose-spec.json) or a path in $COMPOSE_SCHEMA"
            )
        if not arguments.compose.is_file():
            raise CannotRun(f"compose file not found: {arguments.compose}")
        document = yaml.safe_load(arguments.compose.read_text(encoding="utf-8"))
        if not isinstance(document, dict):
            raise CannotRun(f"{arguments.compose} is not a YAML mapping")
    except CannotRun as error:
        print(f"validate_compose: cannot validate: {error}", file=sys.stderr)
        return 2

    problems = validate_schema(document, arguments.schema)
    problems += WiringCheck(document, arguments.compose).run()
    for problem in problems:
        print(f"validate_compose: {problem}", file=sys.stderr)
    if problems:
        print(f"validate_compose: {arguments.compose}: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"validate_compose: {arguments.compose}: valid against {arguments.schema.name}, wiring OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
