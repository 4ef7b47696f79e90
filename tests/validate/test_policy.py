"""Policy rules on single objects: Pod Security "restricted", exceptions, images, requests, RBAC, APIs."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from gitops import policy

RESTRICTED_POD: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web"},
    "spec": {
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
                "initContainers": [
                    {
                        "name": "wait",
                        "image": "busybox:1.37.0",
                        "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
                    }
                ],
                "containers": [
                    {
                        "name": "app",
                        "image": "ghcr.io/triggerdotdev/trigger.dev:v3.3.18",
                        "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}},
                        "securityContext": {
                            "allowPrivilegeEscalation": False,
                            "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
                        },
                    }
                ],
                "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "c"}}],
            },
        }
    },
}


def mutate(path: str, value: Any) -> dict[str, Any]:
    obj = copy.deepcopy(RESTRICTED_POD)
    node: Any = obj["spec"]["template"]["spec"]
    keys = path.split(".")
    for key in keys[:-1]:
        node = node[int(key)] if key.isdigit() else node.setdefault(key, {})
    node[keys[-1]] = value
    return obj


def rules(obj: dict[str, Any]) -> list[tuple[str, str]]:
    return [(v.rule, v.message) for v in policy.check(obj, kube=("1.27", "1.37"))]


def test_restricted_pod_passes() -> None:
    assert rules(RESTRICTED_POD) == []


@pytest.mark.parametrize(
    ("path", "value", "check"),
    [
        ("hostNetwork", True, "host-namespaces"),
        ("hostPID", True, "host-namespaces"),
        ("volumes", [{"name": "root", "hostPath": {"path": "/"}}], "host-path-volumes"),
        ("volumes", [{"name": "nfs", "nfs": {"server": "x", "path": "/"}}], "volume-types"),
        ("securityContext.sysctls", [{"name": "kernel.msgmax", "value": "1"}], "sysctls"),
        ("securityContext.runAsNonRoot", False, "run-as-non-root"),
        ("securityContext.runAsUser", 0, "run-as-user"),
        ("securityContext.seccompProfile", {"type": "Unconfined"}, "seccomp"),
        ("containers.0.securityContext.privileged", True, "privileged"),
        ("containers.0.securityContext.allowPrivilegeEscalation", True, "privilege-escalation"),
        ("containers.0.securityContext.capabilities", {"drop": ["ALL"], "add": ["SYS_ADMIN"]}, "capabilities"),
        ("containers.0.securityContext.capabilities", {}, "capabilities"),
        ("containers.0.securityContext.procMount", "Unmasked", "proc-mount"),
        ("containers.0.securityContext.seLinuxOptions", {"type": "spc_t"}, "selinux"),
        ("containers.0.securityContext.appArmorProfile", {"type": "Unconfined"}, "apparmor"),
        ("containers.0.securityContext.windowsOptions", {"hostProcess": True}, "host-process"),
        ("containers.0.ports", [{"containerPort": 80, "hostPort": 80}], "host-ports"),
        ("initContainers.0.securityContext", {}, "privilege-escalation"),
    ],
)
def test_each_restricted_control_is_enforced(path: str, value: Any, check: str) -> None:
    found = rules(mutate(path, value))
    assert found, f"{path}={value!r} was not reported"
    assert all(rule == "psa-restricted" for rule, _ in found)
    assert any(message.endswith(f"(check {check})") for _, message in found), found


def test_documented_exception_waives_only_the_named_check() -> None:
    obj = mutate("securityContext.runAsNonRoot", False)
    obj["spec"]["template"]["spec"]["hostNetwork"] = True
    obj["metadata"]["annotations"] = {policy.PSA_EXCEPTION_ANNOTATION: "run-as-non-root=image has no USER"}
    assert rules(obj) == [("psa-restricted", "pod sets hostNetwork: true (check host-namespaces)")]


def test_exception_without_a_reason_is_refused() -> None:
    obj = mutate("securityContext.runAsNonRoot", False)
    obj["metadata"]["annotations"] = {policy.PSA_EXCEPTION_ANNOTATION: "run-as-non-root="}
    found = rules(obj)
    assert ("psa-exception", "exception 'run-as-non-root' has no reason; write run-as-non-root=<why>") in found
    assert any(rule == "psa-restricted" for rule, _ in found)


def test_cronjob_and_pod_templates_are_checked() -> None:
    pod_spec = copy.deepcopy(RESTRICTED_POD["spec"]["template"]["spec"])
    pod_spec["containers"][0]["securityContext"]["privileged"] = True
    cronjob = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "c"},
        "spec": {"jobTemplate": {"spec": {"template": {"spec": pod_spec}}}},
    }
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": pod_spec}
    for obj in (cronjob, pod):
        assert rules(obj) == [("psa-restricted", 'container "app" sets privileged: true (check privileged)')]


@pytest.mark.parametrize(
    ("image", "problem"),
    [
        ("ghcr.io/triggerdotdev/trigger.dev:v3.3.18", None),
        ("ghcr.io/triggerdotdev/trigger.dev@sha256:" + "0" * 64, None),
        ("localhost:5000/trigger.dev:v3.3.18", None),
        ("localhost:5000/trigger.dev", "has no tag"),
        ("redis", "has no tag"),
        ("redis:latest", "uses the tag latest"),
    ],
)
def test_images_must_be_pinned(image: str, problem: str | None) -> None:
    found = policy.image_problem(image)
    assert (found is None) if problem is None else (problem in (found or ""))


def test_init_containers_need_requests_too() -> None:
    found = rules(mutate("initContainers.0.resources", {"requests": {"cpu": "10m"}}))
    assert found == [("resource-requests", 'container "wait" sets no memory request')]


def test_rbac_wildcards_in_any_field_are_reported() -> None:
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "r"},
        "rules": [
            {"apiGroups": ["*"], "resources": ["pods"], "verbs": ["get"]},
            {"apiGroups": [""], "resources": ["*"], "verbs": ["get"]},
        ],
    }
    assert [v.path for v in policy.check(role)] == [("rules", 0, "apiGroups"), ("rules", 1, "resources")]


@pytest.mark.parametrize(
    ("api", "kind", "newest", "expected"),
    [
        ("autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.37", "was removed in Kubernetes 1.26"),
        ("autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.25", "is deprecated since Kubernetes 1.23"),
        ("batch/v1beta1", "CronJob", "1.37", "use batch/v1"),
        ("networking.k8s.io/v1beta1", "Ingress", "1.37", "was removed in Kubernetes 1.22"),
        ("v1", "Endpoints", "1.37", "is deprecated since Kubernetes 1.33"),
        ("v1", "Endpoints", "1.32", None),
        ("apps/v1", "Deployment", "1.37", None),
    ],
)
def test_removed_and_deprecated_apis(api: str, kind: str, newest: str, expected: str | None) -> None:
    found = policy.deprecated_api({"apiVersion": api, "kind": kind}, ("1.25", newest))
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and expected in found[0].message


def test_sops_encrypted_secret_is_accepted() -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "data": {"K": "ENC[TEST]"}, "sops": {"version": "3.11.0"}}
    assert policy.check(secret) == []
