"""invoke render: deterministic, incremental, parallel, --check, and all-or-nothing, with the real helm."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from gitops import fleet
from gitops.errors import ConfigError, StaleError, ToolError
from gitops.render import header
from tests.conftest import copy_repo, tree_snapshot


def git_status(root) -> str:
    return subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True).stdout


def commit_all(root) -> None:
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "x", "--allow-empty"],
        cwd=root,
        check=True,
    )


def set_in_cluster(repo, name, old, new):
    path = repo.cluster_file(name)
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_committed_example_fleet_is_fresh(repo):
    result = fleet.render(repo, check=True)
    assert len(result.plans) >= 2


def test_same_inputs_give_byte_identical_output(tmp_path):
    one = copy_repo(tmp_path / "one")
    two = copy_repo(tmp_path / "two")
    fleet.render(one, force=True)
    fleet.render(two, force=True, jobs=1)
    snap_one = {k: v for k, v in tree_snapshot(one.root).items() if k.startswith("clusters/")}
    snap_two = {k: v for k, v in tree_snapshot(two.root).items() if k.startswith("clusters/")}
    assert snap_one == snap_two
    assert any(k.endswith("lock.yaml") for k in snap_one)


def test_rerendering_an_unchanged_repo_leaves_git_status_clean(repo_copy):
    fleet.render(repo_copy, force=True)
    commit_all(repo_copy.root)
    result = fleet.render(repo_copy, force=True)
    assert result.changed == []
    assert git_status(repo_copy.root) == ""


def test_every_generated_file_starts_with_the_command_that_made_it(repo_copy):
    fleet.render(repo_copy, force=True)
    generated = [p for p in repo_copy.clusters.rglob("*.yaml") if p.name != "cluster.yaml"]
    assert len(generated) > 10
    for path in generated:
        name = path.relative_to(repo_copy.clusters).parts[0]
        assert path.read_text().startswith(header(name)), path


def test_check_writes_nothing_and_lists_every_stale_or_missing_file(repo_copy):
    fleet.render(repo_copy, force=True)
    manifests = repo_copy.cluster_dir("staging") / "manifests"
    edited = manifests / "app.yaml"
    edited.write_text(edited.read_text() + "# hand edit\n")
    deleted = manifests / "kustomization.yaml"
    deleted.unlink()
    before = tree_snapshot(repo_copy.root)
    with pytest.raises(StaleError) as caught:
        fleet.render(repo_copy, check=True)
    message = str(caught.value)
    assert repo_copy.rel(edited) in message
    assert repo_copy.rel(deleted) in message
    assert "production" not in message
    assert tree_snapshot(repo_copy.root) == before


def test_check_notices_a_changed_cluster_yaml(repo_copy):
    set_in_cluster(repo_copy, "staging", "replicas: 1", "replicas: 3")
    with pytest.raises(StaleError, match=r"clusters/staging/manifests/worker.yaml"):
        fleet.render(repo_copy, check=True)


def test_a_failing_second_cluster_changes_no_file_of_any_cluster(repo_copy):
    # staging (rendered second, alphabetically after production) fails inside helm: an unknown chart value.
    set_in_cluster(repo_copy, "production", 'version: "3.3.18"', 'version: "3.3.17"')
    set_in_cluster(repo_copy, "staging", "values: {}", "values: {notAChartValue: true}")
    before = tree_snapshot(repo_copy.root)
    with pytest.raises(ToolError, match=r"helm template for cluster staging failed"):
        fleet.render(repo_copy)
    assert tree_snapshot(repo_copy.root) == before


def test_a_broken_cluster_yaml_fails_before_anything_is_written(repo_copy):
    set_in_cluster(repo_copy, "production", 'version: "3.3.18"', 'version: "3.3.17"')
    set_in_cluster(repo_copy, "staging", "flavour: flux", "flavour: helmfile")
    before = tree_snapshot(repo_copy.root)
    with pytest.raises(ConfigError, match=r"^clusters/staging/cluster.yaml: flavour: expected one of"):
        fleet.render(repo_copy)
    assert tree_snapshot(repo_copy.root) == before


def test_an_interrupted_write_restores_the_tree(repo_copy):
    set_in_cluster(repo_copy, "production", 'version: "3.3.18"', 'version: "3.3.17"')
    set_in_cluster(repo_copy, "staging", 'version: "3.3.18"', 'version: "3.3.17"')
    before = tree_snapshot(repo_copy.root)
    with pytest.raises(OSError, match="injected failure"):
        fleet.render(repo_copy, fail_after=3)
    assert tree_snapshot(repo_copy.root) == before


def test_unchanged_clusters_are_not_rendered_again(repo_copy):
    fleet.render(repo_copy, force=True)
    noop = fleet.render(repo_copy)
    assert [p.fresh for p in noop.plans] == [True] * len(noop.plans)
    set_in_cluster(repo_copy, "staging", "replicas: 1", "replicas: 2")
    one = fleet.render(repo_copy)
    assert {p.name: p.fresh for p in one.plans} == {"production": True, "staging": False}
    assert one.written and all(p.startswith("clusters/staging/") for p in one.written)


def test_a_chart_change_rerenders_every_cluster(repo_copy):
    fleet.render(repo_copy, force=True)
    values = repo_copy.chart / "values.yaml"
    values.write_text(values.read_text() + "\n# a comment changes the chart's input hash\n")
    result = fleet.render(repo_copy)
    assert [p.fresh for p in result.plans] == [False] * len(result.plans)


def test_a_change_to_the_generator_code_rerenders_every_cluster(repo_copy, monkeypatch):
    from gitops import render

    fleet.render(repo_copy, force=True)
    monkeypatch.setattr(render, "generator_hash", lambda: "0" * 12)  # as if render.py had changed
    assert not any(p.fresh for p in fleet.render(repo_copy, dry_run=True).plans)


def test_a_pinned_helm_version_is_part_of_the_input_hash(repo_copy):
    fleet.render(repo_copy, force=True)
    pins = repo_copy.root / "tools.toml"
    pins.write_text(pins.read_text().replace('version = "4.2.4"', 'version = "4.2.3"', 1))
    plans = fleet.render(repo_copy, dry_run=True).plans
    assert not any(p.fresh for p in plans)


def test_parallel_output_equals_serial_output(tmp_path):
    serial = copy_repo(tmp_path / "serial")
    parallel = copy_repo(tmp_path / "parallel")
    fleet.render(serial, force=True, jobs=1)
    fleet.render(parallel, force=True, jobs=4)
    assert tree_snapshot(serial.root) == tree_snapshot(parallel.root)


def _objects(repo, cluster, folder):
    docs = []
    for path in sorted((repo.cluster_dir(cluster) / folder).glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def test_flux_cluster_gets_gitrepository_and_decrypting_kustomization(repo):
    objs = {o["kind"]: o for o in _objects(repo, "staging", "sync")}
    assert objs["GitRepository"]["spec"]["ref"] == {"branch": "main"}
    spec = objs["Kustomization"]["spec"]
    assert spec["path"] == "./clusters/staging/manifests"
    assert spec["decryption"] == {"provider": "sops", "secretRef": {"name": "sops-age"}}
    assert spec["prune"] is True


def test_argocd_cluster_gets_an_application(repo):
    (app,) = _objects(repo, "production", "sync")
    assert app["kind"] == "Application"
    assert app["spec"]["source"]["path"] == "clusters/production/manifests"
    assert app["spec"]["destination"]["namespace"] == "trigger"


def test_manifests_are_grouped_one_file_per_component(repo):
    manifests = repo.cluster_dir("production") / "manifests"
    names = sorted(p.name for p in manifests.glob("*.yaml"))
    assert names == [
        "app.yaml", "common.yaml", "coordinator.yaml", "electric.yaml", "kustomization.yaml",
        "migrations.yaml", "provider.yaml", "worker.yaml",
    ]  # fmt: skip
    for name in names:
        if name in {"kustomization.yaml", "common.yaml"}:
            continue
        docs = [d for d in yaml.safe_load_all((manifests / name).read_text()) if d]
        labels = {d["metadata"]["labels"]["app.kubernetes.io/component"] for d in docs}
        assert labels == {name.removesuffix(".yaml")}


def test_manifests_reference_secrets_and_contain_none(repo):
    for cluster in ("staging", "production"):
        objs = _objects(repo, cluster, "manifests")
        assert not [o for o in objs if o.get("kind") == "Secret"]
        kustomization = next(o for o in objs if o.get("kind") == "Kustomization")
        assert kustomization["resources"][-1] == f"../../../secrets/{cluster}"


def test_image_tags_follow_the_cluster_version(repo):
    for obj in _objects(repo, "staging", "manifests"):
        if obj.get("kind") != "Deployment":
            continue
        for container in obj["spec"]["template"]["spec"]["containers"]:
            if "triggerdotdev" in container["image"]:
                assert container["image"].endswith(":v3.3.18"), container["image"]


def test_re_encrypted_secrets_roll_every_workload(repo_copy):
    fleet.render(repo_copy, force=True)
    before = {
        o["metadata"]["name"]: o["spec"]["template"]["metadata"]["annotations"]["trigger-gitops.dev/secrets"]
        for o in _objects(repo_copy, "staging", "manifests")
        if o.get("kind") == "Deployment"
    }
    assert len(set(before.values())) == 1
    # a re-encryption (rotate, re-key) gives the file a new sops MAC; no key is needed to see it
    path = sorted(repo_copy.secrets_dir("staging").glob("*.sops.yaml"))[0]
    text = path.read_text()
    mac_line = next(line for line in text.splitlines() if line.strip().startswith("mac:"))
    path.write_text(text.replace(mac_line, mac_line.replace("ENC[", "ENC[x")))
    result = fleet.render(repo_copy)
    assert {p.name: p.fresh for p in result.plans} == {"production": True, "staging": False}
    after = {
        o["metadata"]["name"]: o["spec"]["template"]["metadata"]["annotations"]["trigger-gitops.dev/secrets"]
        for o in _objects(repo_copy, "staging", "manifests")
        if o.get("kind") == "Deployment"
    }
    assert before.keys() == after.keys()
    assert all(before[name] != after[name] for name in before)


def test_a_cluster_without_secrets_is_rendered_with_a_warning(repo_copy):
    import shutil

    shutil.rmtree(repo_copy.secrets_dir("staging"))
    result = fleet.render(repo_copy, force=True)
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith("secrets/staging/ does not exist")
    assert "invoke secrets.init --cluster staging" in result.warnings[0]


def test_progress_is_quiet_off_a_terminal_and_in_ci(monkeypatch, capsys):
    from gitops.fleet import Progress
    from gitops.render import ClusterPlan

    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    monkeypatch.delenv("CI", raising=False)
    shown = Progress(2)
    shown(ClusterPlan("a", True, {}, ()))
    shown.close()
    assert "rendering 1/2 (a)" in capsys.readouterr().err
    monkeypatch.setenv("CI", "true")
    quiet = Progress(2)
    quiet(ClusterPlan("a", True, {}, ()))
    quiet.close()
    assert capsys.readouterr().err == ""
    monkeypatch.delenv("CI")
    monkeypatch.setattr("sys.stderr.isatty", lambda: False)
    assert not Progress(2).enabled


def test_a_chart_schema_error_names_the_value(repo_copy):
    set_in_cluster(repo_copy, "staging", "values: {}", 'values: {app: {replicas: "x"}}')
    with pytest.raises(ToolError) as caught:
        fleet.render(repo_copy, ["staging"])
    message = str(caught.value)
    assert "\n" not in message
    assert "helm template for cluster staging failed (exit 1): values don't meet the specifications" in message
    assert "at '/app/replicas': got string, want integer" in message
