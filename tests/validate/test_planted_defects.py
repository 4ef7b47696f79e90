"""Issue 6 "done when": each planted defect fails with one precise line; the clean set passes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gitops import validate
from gitops.schemas import SchemaStore
from tests.validate.conftest import FIXTURES, KUBE

DEFECTS = FIXTURES / "defects"

EXPECTED = {
    "invalid-field.yaml": [
        "invalid-field.yaml:7: Deployment/web: schema: unknown field spec.replica",
        "invalid-field.yaml:24: Deployment/web: schema: "
        "spec.template.spec.containers[0].ports[0].containerPort: must be an integer, not a string",
    ],
    "privileged-pod.yaml": [
        'privileged-pod.yaml:19: Pod/debug: psa-restricted: container "shell" sets privileged: true (check privileged)',
    ],
    "latest-image.yaml": [
        'latest-image.yaml:16: Job/migrate: image-tag: container "migrate": '
        "image 'ghcr.io/triggerdotdev/trigger.dev:latest' uses the tag latest; pin a version tag or a digest",
    ],
    "wildcard-role.yaml": [
        "wildcard-role.yaml:9: Role/provider: rbac-wildcard: rule 0 has '*' in verbs; list exactly what is needed",
    ],
    "outdated-api.yaml": [
        "outdated-api.yaml:2: PodDisruptionBudget/web: deprecated-api: policy/v1beta1 PodDisruptionBudget "
        "was removed in Kubernetes 1.25 (range 1.27-1.37); use policy/v1",
    ],
    "plaintext-secret.yaml": [
        "plaintext-secret.yaml:6: Secret/app: plaintext-secret: Secret holds 1 unencrypted key(s) (SESSION_SECRET); "
        "keep secrets SOPS-encrypted under secrets/<cluster>/ (invoke secrets.edit)",
    ],
    "no-requests.yaml": [
        'no-requests.yaml:21: StatefulSet/redis: resource-requests: container "redis" sets no cpu or memory request',
        'no-requests.yaml:22: StatefulSet/redis: image-tag: container "redis": '
        "image 'docker.io/library/redis' has no tag; pin a version tag or a digest",
    ],
    "flux-typo.yaml": [
        "flux-typo.yaml:11: Kustomization/trigger-dev: schema: unknown field spec.pruneAll",
    ],
    "stale-exception.yaml": [
        "stale-exception.yaml:7: Deployment/electric: psa-exception: exception 'seccomp' is not needed any more; "
        "remove it",
        "stale-exception.yaml:7: Deployment/electric: psa-exception: unknown check 'run-as-root'; use one of: "
        "host-namespaces, privileged, capabilities, host-path-volumes, host-ports, apparmor, selinux, proc-mount, "
        "seccomp, sysctls, volume-types, privilege-escalation, run-as-non-root, run-as-user, host-process",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_planted_defect_fails_with_precise_line(name: str, store: SchemaStore) -> None:
    findings = validate.validate_files([DEFECTS / name], root=DEFECTS, kube=KUBE, store=store)
    assert [str(f) for f in findings] == EXPECTED[name]


def test_every_planted_manifest_has_an_expectation() -> None:
    assert sorted(p.name for p in DEFECTS.glob("*.yaml")) == sorted(EXPECTED)


def test_broken_workflow_fails_with_precise_line(repo) -> None:
    findings = validate.lint_workflows(
        [DEFECTS / "broken-workflow.yml"], root=DEFECTS, actionlint=repo.tools_bin / "actionlint"
    )
    assert [str(f) for f in findings] == [
        'broken-workflow.yml:11: workflow: actionlint: property "python" is not defined in object type {} (expression)'
    ]


def test_clean_manifests_pass(store: SchemaStore) -> None:
    clean = FIXTURES / "clean"
    paths = sorted(clean.glob("*.yaml"))
    stats = validate.Stats()
    assert validate.validate_files(paths, root=clean, kube=KUBE, store=store, stats=stats) == []
    assert stats.objects == 11  # every document was looked at, none skipped unread


def test_findings_are_relative_to_a_staging_root(tmp_path: Path, store: SchemaStore) -> None:
    target = tmp_path / "stage" / "clusters" / "staging" / "manifests" / "app.yaml"
    target.parent.mkdir(parents=True)
    shutil.copy(DEFECTS / "privileged-pod.yaml", target)
    findings = validate.validate_files([target], root=tmp_path / "stage", kube=KUBE, store=store)
    assert [f.file for f in findings] == ["clusters/staging/manifests/app.yaml"]


def test_secret_values_never_appear_in_findings(tmp_path: Path, store: SchemaStore) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"
        "data:\n  TOKEN: 12345678\nstringData:\n  OTHER: TEST-NOT-A-REAL-SECRET\n"
    )
    findings = validate.validate_files([path], root=tmp_path, kube=KUBE, store=store)
    text = "\n".join(map(str, findings))
    assert {f.rule for f in findings} == {"plaintext-secret", "schema"}
    assert "12345678" not in text and "TEST-NOT-A-REAL-SECRET" not in text
    assert "data.TOKEN: must be a string, not an integer" in text


def test_field_newer_than_the_oldest_supported_kubernetes_is_reported(tmp_path: Path, store: SchemaStore) -> None:
    text = (FIXTURES / "clean" / "workloads.yaml").read_text().split("---")[0]
    path = tmp_path / "app.yaml"
    # Pod-level resources exist in the 1.37 schema, not in 1.27's.
    path.write_text(
        text.replace(
            "      containers:\n", "      resources:\n        requests:\n          cpu: 1\n      containers:\n", 1
        )
    )
    findings = validate.validate_files([path], root=tmp_path, kube=KUBE, store=store)
    assert [str(f) for f in findings] == [
        "app.yaml:22: Deployment/web: schema: unknown field spec.template.spec.resources (Kubernetes 1.27 only)"
    ]


def test_unknown_kind_and_broken_yaml_are_findings(tmp_path: Path, store: SchemaStore) -> None:
    (tmp_path / "monitor.yaml").write_text(
        "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: web\n"
    )
    (tmp_path / "broken.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata: [unclosed\n")
    (tmp_path / "plain.yaml").write_text("name: not-an-object\n")
    paths = sorted(tmp_path.glob("*.yaml"))
    findings = [str(f) for f in validate.validate_files(paths, root=tmp_path, kube=KUBE, store=store)]
    assert findings[0].startswith("broken.yaml:4: -: yaml: not valid YAML:")
    assert findings[1:] == [
        "monitor.yaml:1: ServiceMonitor/web: schema: no schema for monitoring.coreos.com/v1 ServiceMonitor in "
        "Kubernetes 1.27, 1.37 nor in the pinned CRDs (wrong apiVersion?)",
        "plain.yaml:1: -: schema: not a Kubernetes object (apiVersion and kind are required)",
    ]


def test_staged_contents_are_validated_like_the_repository() -> None:
    staged = {"clusters/staging/manifests/role.yaml": (DEFECTS / "wildcard-role.yaml").read_text()}
    assert [str(f) for f in validate.validate_texts(staged, kube=KUBE)] == [
        "clusters/staging/manifests/role.yaml:9: Role/provider: rbac-wildcard: rule 0 has '*' in verbs; "
        "list exactly what is needed"
    ]
