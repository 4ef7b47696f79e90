"""House policy for every generated Kubernetes object: what a reviewer would otherwise have to catch.

    for v in check(obj, kube=("1.27", "1.37")):
        print(v.rule, v.message, v.path)   # psa-restricted, container "app": privileged is true, (spec, ...)

Rules (the ``rule`` of each :class:`Violation`):

- ``psa-restricted``: every pod template meets the Pod Security Standard "restricted"
  (https://kubernetes.io/docs/concepts/security/pod-security-standards/), unless the object carries a
  documented exception: the annotation ``trigger-gitops.dev/psa-exception: "<check>=<reason>; ..."``
  where ``<check>`` is one of :data:`PSA_CHECKS` and ``<reason>`` says why (it must not be empty).
- ``psa-exception``: an exception that names an unknown check, has no reason, or is no longer needed.
- ``image-tag``: no ``:latest`` and no tag-less image (a ``@sha256:`` digest is fine).
- ``resource-requests``: every container and init container requests ``cpu`` and ``memory``.
- ``rbac-wildcard``: no ``*`` in a Role's or ClusterRole's ``apiGroups``, ``resources`` or ``verbs``.
- ``plaintext-secret``: no ``Secret`` with ``data``/``stringData`` unless it is SOPS-encrypted.
- ``deprecated-api``: no apiVersion that the claimed Kubernetes range has removed or deprecated.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

PSA_EXCEPTION_ANNOTATION = "trigger-gitops.dev/psa-exception"

# Pod Security "restricted" controls (names follow the controls of the Pod Security Standards page).
PSA_CHECKS: dict[str, str] = {
    "host-namespaces": "hostNetwork, hostPID and hostIPC must be unset or false",
    "privileged": "securityContext.privileged must be unset or false",
    "capabilities": "capabilities must drop ALL and add nothing but NET_BIND_SERVICE",
    "host-path-volumes": "hostPath volumes are forbidden",
    "host-ports": "hostPort must be unset or 0",
    "apparmor": "AppArmor profile must be RuntimeDefault or Localhost",
    "selinux": "SELinux options may only set an allowed type",
    "proc-mount": "procMount must be Default",
    "seccomp": "seccompProfile.type must be RuntimeDefault or Localhost (pod or every container)",
    "sysctls": "only safe sysctls",
    "volume-types": "only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, "
    "projected and secret volumes",
    "privilege-escalation": "allowPrivilegeEscalation must be false",
    "run-as-non-root": "runAsNonRoot must be true (pod or every container)",
    "run-as-user": "runAsUser must not be 0",
    "host-process": "windowsOptions.hostProcess must not be true",
}

_ALLOWED_VOLUMES = {
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
}
_SAFE_SYSCTLS = {
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
}
_SELINUX_TYPES = {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}

# apiVersion (kind None = every kind) -> (deprecated in, removed in, use instead). Kubernetes deprecation guide.
DEPRECATED_APIS: dict[tuple[str, str | None], tuple[str, str, str]] = {
    ("extensions/v1beta1", None): ("1.8", "1.16", "apps/v1 or networking.k8s.io/v1"),
    ("apps/v1beta1", None): ("1.9", "1.16", "apps/v1"),
    ("apps/v1beta2", None): ("1.9", "1.16", "apps/v1"),
    ("networking.k8s.io/v1beta1", None): ("1.19", "1.22", "networking.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1beta1", None): ("1.17", "1.22", "rbac.authorization.k8s.io/v1"),
    ("admissionregistration.k8s.io/v1beta1", None): ("1.16", "1.22", "admissionregistration.k8s.io/v1"),
    ("apiextensions.k8s.io/v1beta1", None): ("1.16", "1.22", "apiextensions.k8s.io/v1"),
    ("apiregistration.k8s.io/v1beta1", None): ("1.19", "1.22", "apiregistration.k8s.io/v1"),
    ("certificates.k8s.io/v1beta1", None): ("1.19", "1.22", "certificates.k8s.io/v1"),
    ("coordination.k8s.io/v1beta1", None): ("1.19", "1.22", "coordination.k8s.io/v1"),
    ("scheduling.k8s.io/v1beta1", None): ("1.14", "1.22", "scheduling.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", None): ("1.19", "1.27", "storage.k8s.io/v1"),
    ("batch/v1beta1", None): ("1.21", "1.25", "batch/v1"),
    ("policy/v1beta1", "PodSecurityPolicy"): ("1.21", "1.25", "Pod Security Admission (namespace labels)"),
    ("policy/v1beta1", None): ("1.21", "1.25", "policy/v1"),
    ("autoscaling/v2beta1", None): ("1.12", "1.25", "autoscaling/v2"),
    ("autoscaling/v2beta2", None): ("1.23", "1.26", "autoscaling/v2"),
    ("discovery.k8s.io/v1beta1", None): ("1.21", "1.25", "discovery.k8s.io/v1"),
    ("events.k8s.io/v1beta1", None): ("1.19", "1.25", "events.k8s.io/v1"),
    ("node.k8s.io/v1beta1", None): ("1.20", "1.25", "node.k8s.io/v1"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", None): ("1.23", "1.26", "flowcontrol.apiserver.k8s.io/v1"),
    ("flowcontrol.apiserver.k8s.io/v1beta2", None): ("1.26", "1.29", "flowcontrol.apiserver.k8s.io/v1"),
    ("flowcontrol.apiserver.k8s.io/v1beta3", None): ("1.29", "1.32", "flowcontrol.apiserver.k8s.io/v1"),
    ("v1", "Endpoints"): ("1.33", "", "discovery.k8s.io/v1 EndpointSlice"),
}

_POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    path: Path = ()


def check(obj: dict[str, Any], *, kube: tuple[str, str] = ("1.25", "1.37")) -> list[Violation]:
    """Every policy violation of one object, in a stable order."""
    found: list[Violation] = []
    found += deprecated_api(obj, kube)
    spec_path = _POD_SPEC_PATHS.get(str(obj.get("kind")))
    if spec_path is not None:
        pod_spec = _dig(obj, spec_path)
        if isinstance(pod_spec, dict):
            template_meta = _dig(obj, spec_path[:-1] + ("metadata",)) if len(spec_path) > 1 else obj.get("metadata")
            found += pod_security(obj, pod_spec, spec_path, template_meta if isinstance(template_meta, dict) else {})
            found += images(pod_spec, spec_path)
            found += requests(pod_spec, spec_path)
    if obj.get("kind") in ("Role", "ClusterRole"):
        found += rbac_wildcards(obj)
    if obj.get("kind") == "Secret":
        found += plaintext_secret(obj)
    return found


# --- Pod Security "restricted" ---------------------------------------------------------------------


def exceptions_of(obj: dict[str, Any]) -> tuple[dict[str, str], list[Violation]]:
    """The documented PSA exceptions an object claims, and any problem with how they are written."""
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    raw = annotations.get(PSA_EXCEPTION_ANNOTATION)
    where: Path = ("metadata", "annotations", PSA_EXCEPTION_ANNOTATION)
    if raw is None:
        return {}, []
    granted: dict[str, str] = {}
    problems: list[Violation] = []
    for part in str(raw).split(";"):
        if not part.strip():
            continue
        name, _, reason = part.partition("=")
        name, reason = name.strip(), reason.strip()
        if name not in PSA_CHECKS:
            problems.append(
                Violation("psa-exception", f"unknown check {name!r}; use one of: {', '.join(PSA_CHECKS)}", where)
            )
        elif not reason:
            problems.append(Violation("psa-exception", f"exception {name!r} has no reason; write {name}=<why>", where))
        else:
            granted[name] = reason
    return granted, problems


def pod_security(obj: dict[str, Any], spec: dict[str, Any], at: Path, template_meta: dict[str, Any]) -> list[Violation]:
    """Pod Security "restricted" for one pod spec, minus the object's documented exceptions."""
    granted, problems = exceptions_of(obj)
    raw = list(_restricted(spec, at, template_meta))
    used = set()
    out = list(problems)
    for check_name, message, path in raw:
        if check_name in granted:
            used.add(check_name)
            continue
        out.append(Violation("psa-restricted", f"{message} (check {check_name})", path))
    where: Path = ("metadata", "annotations", PSA_EXCEPTION_ANNOTATION)
    for name in sorted(set(granted) - used):
        out.append(Violation("psa-exception", f"exception {name!r} is not needed any more; remove it", where))
    return out


_CONTAINER_WORD = {
    "initContainers": "init container",
    "containers": "container",
    "ephemeralContainers": "ephemeral container",
}


def _containers(spec: dict[str, Any], at: Path) -> Iterator[tuple[str, dict[str, Any], Path]]:
    for field in ("initContainers", "containers", "ephemeralContainers"):
        for index, container in enumerate(spec.get(field) or []):
            if isinstance(container, dict):
                yield field, container, (*at, field, index)


def _restricted(spec: dict[str, Any], at: Path, template_meta: dict[str, Any]) -> Iterator[tuple[str, str, Path]]:
    pod_sc = spec.get("securityContext") or {}
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(key):
            yield "host-namespaces", f"pod sets {key}: true", (*at, key)
    for index, volume in enumerate(spec.get("volumes") or []):
        kinds = [k for k in volume if k != "name"]
        for kind in kinds:
            if kind == "hostPath":
                yield ("host-path-volumes", f"volume {volume.get('name')!r} is a hostPath", (*at, "volumes", index))
            elif kind not in _ALLOWED_VOLUMES:
                yield ("volume-types", f"volume {volume.get('name')!r} has type {kind}", (*at, "volumes", index))
    for index, sysctl in enumerate(pod_sc.get("sysctls") or []):
        if sysctl.get("name") not in _SAFE_SYSCTLS:
            path = (*at, "securityContext", "sysctls", index)
            yield "sysctls", f"pod sets unsafe sysctl {sysctl.get('name')!r}", path
    yield from _selinux_apparmor_windows("pod", pod_sc, (*at, "securityContext"))
    for key, value in (template_meta.get("annotations") or {}).items():
        if not key.startswith("container.apparmor.security.beta.kubernetes.io/"):
            continue
        if value != "runtime/default" and not str(value).startswith("localhost/"):
            yield "apparmor", f"annotation {key} is {value!r}", ()
    pod_seccomp = (pod_sc.get("seccompProfile") or {}).get("type")
    pod_non_root = pod_sc.get("runAsNonRoot")
    if pod_sc.get("runAsUser") == 0:
        yield ("run-as-user", "pod sets runAsUser: 0", (*at, "securityContext", "runAsUser"))
    if pod_seccomp is not None and pod_seccomp not in ("RuntimeDefault", "Localhost"):
        yield ("seccomp", f"pod sets seccompProfile.type {pod_seccomp}", (*at, "securityContext", "seccompProfile"))
    for field, container, path in _containers(spec, at):
        label = f'{_CONTAINER_WORD[field]} "{container.get("name")}"'
        sc = container.get("securityContext") or {}
        sc_path = (*path, "securityContext")
        if sc.get("privileged"):
            yield ("privileged", f"{label} sets privileged: true", (*sc_path, "privileged"))
        if sc.get("allowPrivilegeEscalation") is not False:
            yield ("privilege-escalation", f"{label} does not set allowPrivilegeEscalation: false", sc_path)
        caps = sc.get("capabilities") or {}
        if "ALL" not in (caps.get("drop") or []):
            yield "capabilities", f"{label} does not drop ALL capabilities", sc_path
        extra = [c for c in caps.get("add") or [] if c != "NET_BIND_SERVICE"]
        if extra:
            yield (
                "capabilities",
                f"{label} adds capabilities {', '.join(map(str, extra))}",
                (*sc_path, "capabilities"),
            )
        if sc.get("procMount") not in (None, "Default"):
            yield ("proc-mount", f"{label} sets procMount {sc.get('procMount')}", (*sc_path, "procMount"))
        for index, port in enumerate(container.get("ports") or []):
            if port.get("hostPort"):
                yield ("host-ports", f"{label} uses hostPort {port['hostPort']}", (*path, "ports", index))
        yield from _selinux_apparmor_windows(label, sc, sc_path)
        if sc.get("runAsUser") == 0:
            yield "run-as-user", f"{label} sets runAsUser: 0", (*sc_path, "runAsUser")
        non_root = sc.get("runAsNonRoot", pod_non_root)
        if non_root is not True:
            yield ("run-as-non-root", f"{label} does not run with runAsNonRoot: true", sc_path)
        seccomp = (sc.get("seccompProfile") or {}).get("type", pod_seccomp)
        if seccomp not in ("RuntimeDefault", "Localhost"):
            yield ("seccomp", f"{label} has no seccompProfile RuntimeDefault or Localhost", sc_path)


def _selinux_apparmor_windows(label: str, sc: dict[str, Any], at: Path) -> Iterator[tuple[str, str, Path]]:
    se = sc.get("seLinuxOptions") or {}
    if se.get("type", "") not in _SELINUX_TYPES or se.get("user") or se.get("role"):
        yield "selinux", f"{label} sets seLinuxOptions {se}", (*at, "seLinuxOptions")
    apparmor = (sc.get("appArmorProfile") or {}).get("type")
    if apparmor is not None and apparmor not in ("RuntimeDefault", "Localhost"):
        yield ("apparmor", f"{label} sets appArmorProfile.type {apparmor}", (*at, "appArmorProfile"))
    if (sc.get("windowsOptions") or {}).get("hostProcess"):
        yield ("host-process", f"{label} sets windowsOptions.hostProcess: true", (*at, "windowsOptions"))


# --- images, requests, RBAC, Secrets, APIs --------------------------------------------------------------


def image_problem(image: str) -> str | None:
    """Why an image reference is not pinned, or None when it is."""
    if "@sha256:" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return f"image {image!r} has no tag; pin a version tag or a digest"
    if last.rsplit(":", 1)[1] == "latest":
        return f"image {image!r} uses the tag latest; pin a version tag or a digest"
    return None


def images(spec: dict[str, Any], at: Path) -> list[Violation]:
    out = []
    for _, container, path in _containers(spec, at):
        problem = image_problem(str(container.get("image") or ""))
        if problem:
            out.append(Violation("image-tag", f'container "{container.get("name")}": {problem}', (*path, "image")))
    return out


def requests(spec: dict[str, Any], at: Path) -> list[Violation]:
    out = []
    for field, container, path in _containers(spec, at):
        if field == "ephemeralContainers":
            continue
        have = ((container.get("resources") or {}).get("requests")) or {}
        missing = [r for r in ("cpu", "memory") if r not in have]
        if missing:
            message = f'container "{container.get("name")}" sets no {" or ".join(missing)} request'
            out.append(Violation("resource-requests", message, (*path, "resources")))
    return out


def rbac_wildcards(obj: dict[str, Any]) -> list[Violation]:
    out = []
    for index, rule in enumerate(obj.get("rules") or []):
        for key in ("apiGroups", "resources", "verbs"):
            if "*" in (rule.get(key) or []):
                message = f"rule {index} has '*' in {key}; list exactly what is needed"
                out.append(Violation("rbac-wildcard", message, ("rules", index, key)))
    return out


def plaintext_secret(obj: dict[str, Any]) -> list[Violation]:
    if "sops" in obj:
        return []
    keys = sorted({*(obj.get("data") or {}), *(obj.get("stringData") or {})})
    if not keys:
        return []
    message = (
        f"Secret holds {len(keys)} unencrypted key(s) ({', '.join(keys)}); "
        "keep secrets SOPS-encrypted under secrets/<cluster>/ (invoke secrets.edit)"
    )
    return [Violation("plaintext-secret", message, ("data",) if obj.get("data") else ("stringData",))]


def deprecated_api(obj: dict[str, Any], kube: tuple[str, str]) -> list[Violation]:
    """A finding when the newest claimed Kubernetes has removed (or deprecated) this object's apiVersion."""
    api, kind = str(obj.get("apiVersion")), str(obj.get("kind"))
    entry = DEPRECATED_APIS.get((api, kind)) or DEPRECATED_APIS.get((api, None))
    if entry is None:
        return []
    deprecated_in, removed_in, instead = entry
    newest = _minor(kube[1])
    if removed_in and _minor(removed_in) <= newest:
        message = f"{api} {kind} was removed in Kubernetes {removed_in} (range {kube[0]}-{kube[1]}); use {instead}"
        return [Violation("deprecated-api", message, ("apiVersion",))]
    if _minor(deprecated_in) <= newest:
        removal = f", removed in {removed_in}" if removed_in else ""
        message = f"{api} {kind} is deprecated since Kubernetes {deprecated_in}{removal}; use {instead}"
        return [Violation("deprecated-api", message, ("apiVersion",))]
    return []


def _minor(version: str) -> tuple[int, int]:
    major, minor = version.lstrip("v").split(".")[:2]
    return int(major), int(minor)


def _dig(obj: Any, path: Path) -> Any:
    for key in path:
        if isinstance(obj, dict) and isinstance(key, str):
            obj = obj.get(key)
        elif isinstance(obj, list) and isinstance(key, int) and key < len(obj):
            obj = obj[key]
        else:
            return None
    return obj
