"""What Trigger.dev needs besides itself, for backends whose pods really run (kind): Postgres and Redis.

    deps = Dependencies(kubectl, timeout=600)
    deps.start()                       # e2e-deps namespace: Postgres (wal_level=logical) and Redis, Available
    deps.inputs                        # TRIGGER_DATABASE_URL / TRIGGER_REDIS_URL for `invoke secrets.init`
    webapp_healthy(kubectl, "trigger", timeout=900)   # GET /healthcheck through the webapp's Service

On the local backend (kwok) no container runs, so none of this is needed there. Passwords are TEST
values, labelled as such; both servers live only inside the throwaway cluster.
"""

from __future__ import annotations

from typing import Any

import yaml

from gitops.e2e.kube import Kubectl
from gitops.e2e.wait import E2EError, until

NAMESPACE = "e2e-deps"
POSTGRES_IMAGE = "postgres:16.4-bookworm"
REDIS_IMAGE = "redis:7.4.1-bookworm"
TEST_PASSWORD = "TEST-e2e-only"  # noqa: S105 - a labelled test value for a throwaway in-cluster database


def _deployment(name: str, image: str, args: list[str], env: dict[str, str], port: int) -> list[dict[str, Any]]:
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "trigger-e2e"}
    container = {
        "name": name,
        "image": image,
        "args": args,
        "env": [{"name": k, "value": v} for k, v in env.items()],
        "ports": [{"containerPort": port}],
        "readinessProbe": {"tcpSocket": {"port": port}, "periodSeconds": 2},
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
    }
    return [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": NAMESPACE, "labels": labels},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name, "namespace": NAMESPACE},
            "spec": {"selector": labels, "ports": [{"port": port, "targetPort": port}]},
        },
    ]


def manifests() -> str:
    objects: list[dict[str, Any]] = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}]
    objects += _deployment(
        "postgres",
        POSTGRES_IMAGE,
        ["-c", "wal_level=logical"],  # Electric needs logical replication
        {"POSTGRES_USER": "trigger", "POSTGRES_PASSWORD": TEST_PASSWORD, "POSTGRES_DB": "trigger"},
        5432,
    )
    objects += _deployment("redis", REDIS_IMAGE, ["--requirepass", TEST_PASSWORD], {}, 6379)
    return yaml.safe_dump_all(objects, sort_keys=False)


class Dependencies:
    def __init__(self, kubectl: Kubectl, timeout: float = 600) -> None:
        self.kubectl = kubectl
        self.timeout = timeout

    @property
    def inputs(self) -> dict[str, str]:
        host = "svc.cluster.local"
        return {
            "TRIGGER_DATABASE_URL": (
                f"postgresql://trigger:{TEST_PASSWORD}@postgres.{NAMESPACE}.{host}:5432/trigger"
                "?schema=public&sslmode=disable"
            ),
            "TRIGGER_REDIS_URL": f"redis://:{TEST_PASSWORD}@redis.{NAMESPACE}.{host}:6379",
        }

    def start(self) -> None:
        self.kubectl.apply_text(manifests())

        def ready() -> bool:
            items = self.kubectl.get("deployments", namespace=NAMESPACE)["items"]
            return len(items) == 2 and all((d.get("status") or {}).get("availableReplicas", 0) >= 1 for d in items)

        until(ready, what="Postgres and Redis in namespace e2e-deps to become Available", timeout=self.timeout)


def webapp_healthy(kubectl: Kubectl, namespace: str, timeout: float = 900) -> str:
    """Poll the webapp's `/healthcheck` through its Service (the API server's service proxy) until it answers."""
    services = kubectl.get("services", namespace=namespace)["items"]
    app = [s for s in services if (s["metadata"].get("labels") or {}).get("app.kubernetes.io/component") == "app"]
    if not app:
        raise E2EError(f"no Service labelled app.kubernetes.io/component=app in namespace {namespace}")
    name, port = app[0]["metadata"]["name"], app[0]["spec"]["ports"][0]["port"]
    path = f"/api/v1/namespaces/{namespace}/services/{name}:{port}/proxy/healthcheck"

    def answer() -> str | None:
        result = kubectl.run("get", "--raw", path, ok_codes=tuple(range(256)))
        return result.stdout.strip() if result.returncode == 0 else None

    return until(
        answer, what=f"the webapp to answer GET /healthcheck through Service {namespace}/{name}", timeout=timeout
    )
