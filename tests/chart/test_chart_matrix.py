"""Every values file in apps/trigger-dev/ci (seed README examples included) renders with helm 3 and helm 4 into
valid, admissible, consistently wired objects."""

from __future__ import annotations

import kubernetes_validate
import pytest

from tests.chart.chartrender import (
    CI_FILES,
    HELMS,
    KUBE_VERSION,
    component,
    env_list,
    env_of,
    lint,
    of_kind,
    pod_spec,
    render,
    workloads,
)

MATRIX = [(helm, name) for name in CI_FILES for helm in HELMS]
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding"}
SAFE_VOLUMES = {"emptyDir", "secret", "configMap", "projected", "downwardAPI", "persistentVolumeClaim", "ephemeral"}


def test_ci_matrix_holds_the_seed_examples_and_the_gitops_values() -> None:
    assert "gitops-values.yaml" in CI_FILES
    assert len([n for n in CI_FILES if n.startswith("seed-")]) >= 9


@pytest.mark.parametrize("helm", HELMS)
def test_lint_strict_passes_with_default_values(helm: str) -> None:
    assert "0 chart(s) failed" in lint(helm)


@pytest.mark.parametrize(("helm", "values"), MATRIX)
def test_lint_strict_passes(helm: str, values: str) -> None:
    assert "0 chart(s) failed" in lint(helm, f"ci/{values}")


@pytest.mark.parametrize("values", CI_FILES)
def test_objects_validate_against_kubernetes_schemas(values: str) -> None:
    for obj in render("helm4", f"ci/{values}"):
        kubernetes_validate.validate(obj, KUBE_VERSION, strict=True)


@pytest.mark.parametrize("values", CI_FILES)
def test_helm3_and_helm4_render_the_same_objects(values: str) -> None:
    def comparable(objs: list[dict]) -> list[dict]:
        # quickstart secrets are random per render; everything else must match exactly
        return [o for o in objs if not (o["kind"] == "Secret" and o["metadata"]["name"].endswith("-secrets"))]

    assert comparable(render("helm3", f"ci/{values}")) == comparable(render("helm4", f"ci/{values}"))


@pytest.mark.parametrize(("helm", "values"), MATRIX)
def test_every_namespaced_object_names_its_namespace(helm: str, values: str) -> None:
    for obj in render(helm, f"ci/{values}"):
        if obj["kind"] not in CLUSTER_SCOPED:
            assert obj["metadata"].get("namespace"), f"{obj['kind']} {obj['metadata']['name']} has no namespace"


@pytest.mark.parametrize("values", CI_FILES)
def test_every_pod_meets_pod_security_restricted(values: str) -> None:
    for obj in workloads(render("helm4", f"ci/{values}")):
        spec = pod_spec(obj)
        where = f"{obj['kind']} {obj['metadata']['name']}"
        pod_sc = spec.get("securityContext", {})
        assert not (spec.get("hostNetwork") or spec.get("hostPID") or spec.get("hostIPC")), where
        for volume in spec.get("volumes", []):
            assert set(volume) - {"name"} <= SAFE_VOLUMES, f"{where}: volume {volume}"
        for container in spec.get("initContainers", []) + spec["containers"]:
            sc = container.get("securityContext", {})
            merged = {**pod_sc, **sc}
            assert merged.get("runAsNonRoot") is True, where
            assert merged.get("runAsUser", 1) != 0, where
            assert sc.get("allowPrivilegeEscalation") is False, where
            assert sc.get("privileged") is not True, where
            assert sc.get("capabilities", {}).get("drop") == ["ALL"], where
            assert not sc.get("capabilities", {}).get("add"), where
            assert merged.get("seccompProfile", {}).get("type") == "RuntimeDefault", where


@pytest.mark.parametrize("values", CI_FILES)
def test_selectors_never_carry_the_version(values: str) -> None:
    objs = render("helm4", f"ci/{values}")
    for obj in of_kind(objs, "Deployment"):
        selector = obj["spec"]["selector"]["matchLabels"]
        assert "app.kubernetes.io/version" not in selector and "helm.sh/chart" not in selector
        assert selector.items() <= obj["spec"]["template"]["metadata"]["labels"].items()
        assert obj["metadata"]["labels"]["app.kubernetes.io/version"]
    for obj in of_kind(objs, "Service"):
        assert "app.kubernetes.io/version" not in obj["spec"]["selector"]


@pytest.mark.parametrize("values", CI_FILES)
def test_probes_are_http_or_tcp_and_env_names_unique(values: str) -> None:
    for obj in workloads(render("helm4", f"ci/{values}")):
        for container in pod_spec(obj)["containers"]:
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                if probe in container:
                    assert "exec" not in container[probe], f"{obj['metadata']['name']}: exec {probe}"
            names = [e["name"] for e in container.get("env", [])]
            assert len(names) == len(set(names)), f"{obj['metadata']['name']}: duplicate env {names}"


@pytest.mark.parametrize("values", CI_FILES)
def test_webapp_program_always_runs_v3_with_the_shared_secrets(values: str) -> None:
    objs = render("helm4", f"ci/{values}")
    app = env_of(component(objs, "Deployment", "app"))
    assert app["V3_ENABLED"] == "true"
    assert app["REDIS_TLS_DISABLED"] in ("true", "false")
    for key in ("SESSION_SECRET", "MAGIC_LINK_SECRET", "ENCRYPTION_KEY", "PROVIDER_SECRET", "COORDINATOR_SECRET"):
        assert app[key][0] == "secret", key
    for name, key in (("coordinator", "COORDINATOR_SECRET"), ("provider", "PROVIDER_SECRET")):
        deployments = [
            d for d in of_kind(objs, "Deployment") if d["metadata"]["labels"]["app.kubernetes.io/component"] == name
        ]
        for deployment in deployments:
            assert env_of(deployment)["PLATFORM_SECRET"] == app[key], (
                f"{name} PLATFORM_SECRET differs from webapp {key}"
            )


@pytest.mark.parametrize("values", CI_FILES)
def test_no_plain_credentials_in_pod_specs(values: str) -> None:
    for obj in workloads(render("helm4", f"ci/{values}")):
        for entry in env_list(obj):
            secretish = any(w in entry["name"] for w in ("SECRET", "PASSWORD", "TOKEN", "KEY"))
            if "value" in entry and secretish and entry["name"] != "ADDITIONAL_PULL_SECRETS":  # names, not values
                raise AssertionError(f"{obj['metadata']['name']}: {entry['name']} is a literal in the pod spec")
            assert "TEST-" not in str(entry.get("value", "")), f"{obj['metadata']['name']}: {entry['name']} leaks"
