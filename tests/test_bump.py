"""invoke bump / promote: atomic, idempotent, byte-preserving version moves, and every refusal case."""

from __future__ import annotations

import http.server
import subprocess
import threading

import pytest
import yaml

from gitops import bump, fleet
from gitops.errors import ConfigError, GitopsError, VersionError
from tests.conftest import tree_snapshot


def deployments(repo, cluster):
    out = []
    for path in sorted((repo.cluster_dir(cluster) / "manifests").glob("*.yaml")):
        out += [d for d in yaml.safe_load_all(path.read_text()) if d and d.get("kind") == "Deployment"]
    return out


def trigger_images(repo, cluster):
    return {
        c["image"]
        for d in deployments(repo, cluster)
        for c in d["spec"]["template"]["spec"]["containers"]
        if "triggerdotdev" in c["image"]
    }


def test_bump_moves_every_image_and_keeps_render_check_green(repo_copy):
    before = {n: repo_copy.cluster_file(n).read_text() for n in ("staging", "production")}
    result = bump.bump(repo_copy, "3.3.19")
    assert [(m.cluster, m.before, m.after) for m in result.moves] == [
        ("production", "3.3.18", "3.3.19"),
        ("staging", "3.3.18", "3.3.19"),
    ]
    assert any("not in the catalogue" in w for w in result.warnings)
    for name in ("staging", "production"):
        images = trigger_images(repo_copy, name)
        assert images and all(i.endswith(":v3.3.19") for i in images), images
        # only the version line changed, byte for byte
        old, new = before[name].splitlines(keepends=True), repo_copy.cluster_file(name).read_text().splitlines(True)
        diff = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
        assert len(diff) == 1 and diff[0][0].replace("3.3.18", "3.3.19") == diff[0][1]
    fleet.render(repo_copy, check=True)
    changelog = (repo_copy.root / "CHANGELOG.md").read_text()
    assert "## Trigger.dev 3.3.19" in changelog and "- staging: 3.3.18 → 3.3.19" in changelog
    assert result.chart is not None and result.chart.after == "3.3.19"
    chart = yaml.safe_load((repo_copy.chart / "Chart.yaml").read_text())
    assert (chart["version"], chart["appVersion"]) == ("3.3.19", "3.3.19")


def test_a_second_identical_bump_changes_nothing(repo_copy):
    bump.bump(repo_copy, "v3.3.17", allow_downgrade=True)
    before = tree_snapshot(repo_copy.root)
    result = bump.bump(repo_copy, "3.3.17")
    assert result.moves == [] and result.changed_files == []
    assert tree_snapshot(repo_copy.root) == before


def test_ring_bump_moves_only_that_ring_and_leaves_the_chart(repo_copy):
    result = bump.bump(repo_copy, "3.3.19", ring="staging")
    assert [m.cluster for m in result.moves] == ["staging"]
    assert result.chart is None
    assert all(i.endswith(":v3.3.18") for i in trigger_images(repo_copy, "production"))
    assert all(p.startswith(("clusters/staging/", "CHANGELOG.md")) for p in result.changed_files), result.changed_files


def test_dry_run_reports_the_same_files_and_writes_nothing(repo_copy):
    before = tree_snapshot(repo_copy.root)
    dry = bump.bump(repo_copy, "3.3.19", dry_run=True)
    assert tree_snapshot(repo_copy.root) == before
    real = bump.bump(repo_copy, "3.3.19")
    assert dry.changed_files == real.changed_files


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("latest", "'latest' is not a full release version"),
        ("3.3", "'3.3' is not a full release version"),
        ("banana", "'banana' is not a full release version"),
        ("3.3.19; rm -rf /", "is not a full release version"),
        ("4.0.0", "4.0.0 is Trigger.dev 4.x"),
    ],
)
def test_bad_versions_are_refused_and_nothing_changes(repo_copy, version, message):
    before = tree_snapshot(repo_copy.root)
    with pytest.raises(VersionError, match=message):
        bump.bump(repo_copy, version)
    assert tree_snapshot(repo_copy.root) == before


def test_downgrade_needs_allow_downgrade(repo_copy):
    before = tree_snapshot(repo_copy.root)
    with pytest.raises(VersionError, match=r"production: 3.3.18 → 3.3.17 is a downgrade; pass --allow-downgrade"):
        bump.bump(repo_copy, "3.3.17")
    assert tree_snapshot(repo_copy.root) == before
    assert bump.bump(repo_copy, "3.3.17", allow_downgrade=True).moves


def test_strict_refuses_an_unpublished_version(repo_copy):
    before = tree_snapshot(repo_copy.root)
    with pytest.raises(VersionError, match=r"3.3.19 is not in the catalogue.*refused by --strict"):
        bump.bump(repo_copy, "3.3.19", strict=True)
    assert tree_snapshot(repo_copy.root) == before


def test_an_image_tag_pinned_in_values_is_refused(repo_copy):
    path = repo_copy.cluster_file("staging")
    path.write_text(path.read_text().replace("values: {}", "values: {image: {tag: v3.3.11}}"))
    before = tree_snapshot(repo_copy.root)
    with pytest.raises(ConfigError, match=r"clusters/staging/cluster.yaml: values.image.tag pins an image tag"):
        bump.bump(repo_copy, "3.3.19")
    assert tree_snapshot(repo_copy.root) == before


def test_a_late_failure_while_swapping_in_leaves_the_repository_as_it_was(repo_copy):
    before = tree_snapshot(repo_copy.root)
    with pytest.raises(OSError, match="injected failure"):
        bump.bump(repo_copy, "3.3.19", fail_after=7)
    assert tree_snapshot(repo_copy.root) == before


def test_a_validation_failure_after_render_writes_nothing(repo_copy, monkeypatch):
    def failing(*args):
        raise GitopsError("validation failed after re-render, nothing written: planted")

    monkeypatch.setattr(bump, "_validate_staged", failing)
    before = tree_snapshot(repo_copy.root)
    with pytest.raises(GitopsError, match="planted"):
        bump.bump(repo_copy, "3.3.19")
    assert tree_snapshot(repo_copy.root) == before


def test_commit_makes_one_conventional_commit(repo_copy):
    result = bump.bump(repo_copy, "3.3.19", ring="staging", commit=True)
    log = subprocess.run(["git", "log", "-1", "--format=%s"], cwd=repo_copy.root, capture_output=True, text=True)
    assert log.stdout.strip() == "chore(trigger-dev): bump staging to 3.3.19"
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo_copy.root, capture_output=True, text=True)
    assert status.stdout == ""
    assert result.commit


def test_promote_gives_the_target_the_source_version(repo_copy):
    bump.bump(repo_copy, "3.3.19", ring="staging")
    result = bump.promote(repo_copy, "staging", "production")
    assert [(m.cluster, m.after) for m in result.moves] == [("production", "3.3.19")]
    assert all(i.endswith(":v3.3.19") for i in trigger_images(repo_copy, "production"))
    assert bump.promote(repo_copy, "staging", "production").moves == []


def test_promote_from_an_unknown_name_lists_clusters_and_rings(repo_copy):
    with pytest.raises(
        ConfigError, match=r"--from canary: no cluster or ring of that name \(clusters: production, staging"
    ):
        bump.promote(repo_copy, "canary", "production")


class _Registry(http.server.BaseHTTPRequestHandler):
    tags: set[str] = set()

    def do_HEAD(self):  # noqa: N802 - http.server API
        name_tag = self.path.removeprefix("/v2/")
        name, _, tag = name_tag.partition("/manifests/")
        self.send_response(200 if f"{name}:{tag}" in self.tags else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def registry_stub():
    _Registry.tags = {
        "triggerdotdev/trigger.dev:v3.3.19",
        "triggerdotdev/coordinator:v3.3.19",
        "triggerdotdev/provider/kubernetes:v3.3.19",
        "triggerdotdev/trigger.dev:v3.3.17",
    }
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_verify_accepts_a_release_whose_images_all_exist(repo_copy, registry_stub):
    assert bump.bump(repo_copy, "3.3.19", verify=True, registry_url=registry_stub).moves


def test_verify_refuses_a_release_with_a_missing_image(repo_copy, registry_stub):
    before = tree_snapshot(repo_copy.root)
    with pytest.raises(VersionError, match=r"127.0.0.1:\d+/triggerdotdev/coordinator:v3.3.17 does not exist"):
        bump.bump(repo_copy, "3.3.17", verify=True, registry_url=registry_stub, allow_downgrade=True)
    assert tree_snapshot(repo_copy.root) == before


def test_promote_from_a_ring_whose_clusters_disagree_is_refused(repo_copy):
    import shutil

    shutil.copytree(repo_copy.cluster_dir("staging"), repo_copy.cluster_dir("staging-2"))
    second = repo_copy.cluster_file("staging-2")
    second.write_text(
        second.read_text()
        .replace("name: staging", "name: staging-2")
        .replace('version: "3.3.18"', 'version: "3.3.17"')
        .replace("trigger.staging.example.com", "trigger.staging-2.example.com")
        .replace("ring: staging", "ring: canary")
    )
    first = repo_copy.cluster_file("staging")
    first.write_text(first.read_text().replace("ring: staging", "ring: canary"))
    before = tree_snapshot(repo_copy.root)
    with pytest.raises(
        ConfigError, match=r"--from canary: its clusters run different versions \(staging=3.3.18, staging-2"
    ):
        bump.promote(repo_copy, "canary", "production")
    assert tree_snapshot(repo_copy.root) == before
