#!/usr/bin/env python3
"""Validates deploy/ (Kubernetes manifests, Prometheus rules and config, Grafana provisioning) and the
compose `monitoring` profile without a cluster or a Docker engine.

1. Every manifest in deploy/kubernetes against the Kubernetes 1.30 OpenAPI schemas, offline, with PyPI's
   `kubernetes-validate` ($KUBERNETES_VALIDATE or on PATH; scripts/install-deps.sh installs it). A missing
   validator is an error, never a skip.
2. Wiring the schemas cannot see: the Deployment's probes hit /healthz and /readyz on the container's HTTP
   port, terminationGracePeriodSeconds exceeds SHUTDOWN_TIMEOUT, the scrape annotations name that port and
   /metrics, HTTP_PORT agrees; the compose monitoring services are pinned (no `latest`), in the
   `monitoring` profile, Prometheus scrapes the service's port and Grafana gets the provisioning and the
   dashboard folders the provisioning names; the dashboard is valid JSON with queries.

`promtool check rules/config` run from the Swift tests (Tests/PackagingTests/DeployManifestTests.swift).
Exit status: 0 valid, 1 problems (printed on stderr), 2 cannot run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
KUBERNETES_VERSION = "1.30.0"


class CannotRun(Exception):
    pass


def seconds(text: str) -> float:
    text = str(text).strip()
    for suffix, factor in (("ms", 0.001), ("s", 1), ("m", 60)):
        if text.endswith(suffix) and text[: -len(suffix)].replace(".", "", 1).isdigit():
            return float(text[: -len(suffix)]) * factor
    return float(text)


def validator_command() -> list[str]:
    explicit = os.environ.get("KUBERNETES_VALIDATE")
    if explicit:
        return [explicit]
    found = shutil.which("kubernetes-validate")
    if not found:
        raise CannotRun("kubernetes-validate not found: run scripts/install-deps.sh (pip install kubernetes-validate)")
    return [found]


class Checker:
    def __init__(self, root: Path, compose: Path):
        self.root = root
        self.compose = compose
        self.problems: list[str] = []

    def expect(self, condition: bool, message: str) -> bool:
        if not condition:
            self.problems.append(message)
        return condition

    def run(self) -> list[str]:
        self.check_schemas()
        self.check_kubernetes_wiring()
        self.check_monitoring_profile()
        self.check_dashboard()
        return self.problems

    # -- Kubernetes -----------------------------------------------------------------------------------

    def manifests(self) -> list[Path]:
        return sorted((self.root / "deploy" / "kubernetes").glob("*.yaml"))

    def check_schemas(self) -> None:
        command = validator_command()
        files = self.manifests()
        self.expect(bool(files), "deploy/kubernetes has no manifests")
        for path in files:
            result = subprocess.run(command + ["-k", KUBERNETES_VERSION, str(path)], capture_output=True, text=True)
            self.expect(result.returncode == 0, f"{path.name}: {(result.stdout + result.stderr).strip()}")

    def documents(self) -> list[dict]:
        documents = []
        for path in self.manifests():
            documents += [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
        return documents

    def check_kubernetes_wiring(self) -> None:
        documents = self.documents()
        deployments = [d for d in documents if d.get("kind") == "Deployment"]
        configmaps = {d["metadata"]["name"]: d.get("data", {}) for d in documents if d.get("kind") == "ConfigMap"}
        if not self.expect(len(deployments) == 1, "deploy/kubernetes needs exactly one Deployment"):
            return
        pod = deployments[0]["spec"]["template"]
        spec = pod["spec"]
        container = spec["containers"][0]
        environment: dict[str, str] = {}
        for source in container.get("envFrom", []):
            name = source.get("configMapRef", {}).get("name")
            self.expect(name in configmaps, f"envFrom names ConfigMap '{name}', which deploy/kubernetes does not define")
            environment.update(configmaps.get(name, {}))
        for variable in container.get("env", []):
            if "value" in variable:
                environment[variable["name"]] = variable["value"]
        http_port = int(environment.get("HTTP_PORT", 8080))
        ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
        self.expect(ports.get("http") == http_port, f"the container's 'http' port is {ports.get('http')}, HTTP_PORT is {http_port}")

        def probe(kind: str, path: str) -> None:
            get = container.get(kind, {}).get("httpGet")
            if not self.expect(get is not None, f"the container has no {kind} with httpGet"):
                return
            self.expect(get.get("path") == path, f"{kind} probes {get.get('path')}, expected {path}")
            port = get.get("port")
            self.expect(port in ("http", http_port), f"{kind} probes port {port}, expected the HTTP port {http_port}")

        probe("livenessProbe", "/healthz")
        probe("readinessProbe", "/readyz")
        shutdown = seconds(environment.get("SHUTDOWN_TIMEOUT", "30"))
        grace = spec.get("terminationGracePeriodSeconds", 30)
        self.expect(grace > shutdown, f"terminationGracePeriodSeconds ({grace}) must exceed SHUTDOWN_TIMEOUT ({shutdown:g} s)")
        annotations = pod.get("metadata", {}).get("annotations", {})
        self.expect(annotations.get("prometheus.io/scrape") == "true", "the pod template lacks prometheus.io/scrape: \"true\"")
        self.expect(annotations.get("prometheus.io/port") == str(http_port), f"prometheus.io/port is {annotations.get('prometheus.io/port')}, HTTP_PORT is {http_port}")
        self.expect(annotations.get("prometheus.io/path") == "/metrics", "prometheus.io/path must be /metrics")

    # -- compose monitoring profile ---------------------------------------------------------------------

    def check_monitoring_profile(self) -> None:
        document = yaml.safe_load(self.compose.read_text(encoding="utf-8"))
        services = document.get("services", {})
        service = services.get("processing-service", {})
        published = [str(p) for p in service.get("ports", [])]
        self.expect(any(p.endswith(":8080") for p in published), "processing-service must publish its HTTP port 8080")
        test = service.get("healthcheck", {}).get("test", [])
        self.expect(test[-2:] == ["processing-service", "healthcheck"] if isinstance(test, list) else False,
                    "processing-service's healthcheck must run 'processing-service healthcheck'")
        for name in ("prometheus", "grafana"):
            monitor = services.get(name)
            if not self.expect(monitor is not None, f"compose has no '{name}' service"):
                continue
            self.expect("monitoring" in monitor.get("profiles", []), f"'{name}' must be in the 'monitoring' profile")
            image = str(monitor.get("image", ""))
            tag = image.rsplit(":", 1)[1] if ":" in image else ""
            self.expect(tag not in ("", "latest"), f"'{name}' image '{image}' must be pinned to a version")
        prometheus_config = yaml.safe_load((self.root / "deploy/prometheus/prometheus.yml").read_text(encoding="utf-8"))
        targets = [t for job in prometheus_config.get("scrape_configs", []) for s in job.get("static_configs", []) for t in s.get("targets", [])]
        self.expect("processing-service:8080" in targets, f"Prometheus must scrape processing-service:8080, scrapes {targets}")
        mounts = [str(v) for v in services.get("prometheus", {}).get("volumes", [])]
        self.expect(any(v.startswith("./deploy/prometheus:/etc/prometheus") for v in mounts), "Prometheus must mount ./deploy/prometheus at /etc/prometheus")
        grafana_mounts = [str(v) for v in services.get("grafana", {}).get("volumes", [])]
        provisioning = yaml.safe_load((self.root / "deploy/grafana/provisioning/dashboards/dashboards.yml").read_text(encoding="utf-8"))
        dashboard_path = provisioning["providers"][0]["options"]["path"]
        self.expect(any(v.startswith("./deploy/grafana/dashboards:" + dashboard_path) for v in grafana_mounts),
                    f"Grafana must mount ./deploy/grafana/dashboards at {dashboard_path} (the provisioning's path)")
        self.expect(any(v.startswith("./deploy/grafana/provisioning:/etc/grafana/provisioning") for v in grafana_mounts),
                    "Grafana must mount ./deploy/grafana/provisioning at /etc/grafana/provisioning")

    def check_dashboard(self) -> None:
        dashboards = sorted((self.root / "deploy/grafana/dashboards").glob("*.json"))
        if not self.expect(bool(dashboards), "deploy/grafana/dashboards has no dashboard"):
            return
        for path in dashboards:
            try:
                dashboard = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as error:
                self.problems.append(f"{path.name}: not JSON: {error}")
                continue
            expressions = [t.get("expr", "") for p in dashboard.get("panels", []) for t in p.get("targets", [])]
            self.expect(all(expressions) and expressions, f"{path.name}: every panel needs a query")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO_ROOT)
    parser.add_argument("--compose", type=Path)
    arguments = parser.parse_args(argv)
    try:
        problems = Checker(arguments.root, arguments.compose or arguments.root / "docker-compose.yml").run()
    except CannotRun as error:
        print(f"validate_deploy: cannot run: {error}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"validate_deploy: {problem}", file=sys.stderr)
    if problems:
        return 1
    print("validate_deploy: deploy/ and the compose monitoring profile are valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
