"""Schema sources: CRDs become strict JSON schemas; the Kubernetes range comes from the chart."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from gitops import schemas, validate
from gitops.errors import ToolError

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "spec": {
        "group": "example.test",
        "names": {"kind": "Widget"},
        "versions": [
            {"name": "v1alpha1", "served": False},
            {
                "name": "v1",
                "served": True,
                "deprecated": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "properties": {
                                    "port": {"x-kubernetes-int-or-string": True},
                                    "note": {"type": "string", "nullable": True},
                                    "values": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                                    "nullable": {"type": "boolean"},
                                },
                            }
                        },
                    }
                },
            },
        ],
    },
}


def widget(**spec: object) -> dict:
    return {"apiVersion": "example.test/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": spec}


def test_crd_schema_rejects_unknown_fields_but_keeps_preserved_ones() -> None:
    (entry,) = schemas.crd_to_schemas(CRD, source="test")
    assert (entry["apiVersion"], entry["deprecated"]) == ("example.test/v1", True)
    validator = jsonschema.Draft202012Validator(entry["schema"])
    assert validator.is_valid(widget(port=80, note=None, values={"any": {"thing": 1}}, nullable=True))
    assert validator.is_valid(widget(port="http"))
    assert not validator.is_valid(widget(prot=80))
    assert not validator.is_valid(widget(port=[80]))
    assert not validator.is_valid({**widget(), "kind": "Gadget"})


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        (">=1.27.0-0", ("1.27", "1.37")),
        (">= 1.29.0", ("1.29", "1.37")),
        (">=1.20.0-0", ("1.25", "1.37")),  # older than the oldest schema set: clamped
        (">=1.27.0-0 <1.34.0-0", ("1.27", "1.34")),
        (None, ("1.25", "1.37")),
    ],
)
def test_kube_range_follows_the_chart(tmp_path: Path, constraint: str | None, expected: tuple[str, str]) -> None:
    chart = tmp_path / "chart"
    chart.mkdir()
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: c\nversion: 1.0.0\n" + (f"kubeVersion: '{constraint}'\n" if constraint else "")
    )
    assert schemas.kube_range(chart) == expected


def test_pinned_crds_cover_every_sync_kind(store: schemas.SchemaStore) -> None:
    for api, kind in [
        ("source.toolkit.fluxcd.io/v1", "GitRepository"),
        ("kustomize.toolkit.fluxcd.io/v1", "Kustomization"),
        ("argoproj.io/v1alpha1", "Application"),
    ]:
        schema = store.schema("1.37", api, kind)
        assert schema is not None and not schema.deprecated, (api, kind)


def test_missing_cache_without_fetch_says_how_to_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(ToolError, match=r"run `invoke validate.prefetch`"):
        schemas.SchemaStore.load(fetch=False)


def test_kubernetes_schema_lookup_distinguishes_groups() -> None:
    assert schemas.SchemaStore().schema("1.37", "rbac.authorization.k8s.io/v1", "Role") is not None
    assert schemas.SchemaStore().schema("1.37", "rbac.example.test/v1", "Role") is None
    assert schemas.SchemaStore().schema("1.37", "v1", "ConfigMap") is not None


def test_deprecated_crd_version_is_a_finding(tmp_path: Path) -> None:
    store = schemas.SchemaStore(crds={(e["apiVersion"], e["kind"]): e for e in schemas.crd_to_schemas(CRD, source="t")})
    path = tmp_path / "widget.yaml"
    path.write_text("apiVersion: example.test/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  prot: 1\n")
    findings = validate.validate_files([path], root=tmp_path, kube=("1.27", "1.37"), store=store)
    assert [str(f) for f in findings] == [
        "widget.yaml:1: Widget/w: deprecated-api: example.test/v1 Widget is deprecated in t; "
        "move to the controller's current API version",
        "widget.yaml:6: Widget/w: schema: unknown field spec.prot",
    ]
