"""The cluster.yaml validator: every valid example passes, every invalid one fails with its precise line."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops import config
from gitops.errors import ConfigError
from gitops.paths import Repo

HERE = Path(__file__).parent / "config"
VALID = sorted((HERE / "valid").glob("*.yaml"))
INVALID = sorted((HERE / "invalid").glob("*.yaml"))


def expected_message(path: Path) -> str:
    first = path.read_text().splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: <message part>'"
    return first.removeprefix("# expect: ")


def test_the_example_folders_are_substantial():
    assert len(VALID) >= 3
    assert len(INVALID) >= 12


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_example_configs_pass(path):
    cluster = config.load_cluster_file(path, f"valid/{path.name}")
    assert cluster.flavour in {"flux", "argocd"}
    assert not cluster.version.startswith("v")


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_example_configs_fail_with_one_precise_line(path):
    source = f"clusters/x/{path.name}"
    with pytest.raises(ConfigError) as caught:
        config.load_cluster_file(path, source)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(source), message
    assert expected_message(path) in message, message


def test_leading_v_and_trailing_slash_are_normalised():
    cluster = config.load_cluster_file(HERE / "valid" / "full-argocd.yaml")
    assert cluster.version == "3.3.17"
    assert cluster.public_url == "https://trigger.prod.example.com"


def test_folder_and_name_must_match(tmp_path):
    path = tmp_path / "cluster.yaml"
    path.write_text((HERE / "valid" / "minimal.yaml").read_text())
    with pytest.raises(ConfigError, match="name: is 'minimal' but the folder is 'other'"):
        config.load_cluster_file(path, "clusters/other/cluster.yaml", expected_name="other")


def _fleet(tmp_path: Path, specs: dict[str, str]) -> Repo:
    (tmp_path / "tasks.py").write_text("")
    (tmp_path / "apps" / "trigger-dev").mkdir(parents=True)
    for name, url in specs.items():
        folder = tmp_path / "clusters" / name
        folder.mkdir(parents=True)
        text = (HERE / "valid" / "minimal.yaml").read_text().replace("name: minimal", f"name: {name}")
        (folder / "cluster.yaml").write_text(text.replace("https://trigger.example.com", url))
    return Repo(tmp_path)


def test_two_clusters_sharing_a_public_host_are_refused(tmp_path):
    repo = _fleet(tmp_path, {"a": "https://trigger.example.com", "b": "https://trigger.example.com/"})
    with pytest.raises(ConfigError, match=r"clusters/b/cluster.yaml: publicUrl: host 'trigger.example.com' is already"):
        config.load_fleet(repo)


def test_unknown_cluster_names_the_known_ones(tmp_path):
    repo = _fleet(tmp_path, {"a": "https://a.example.com"})
    with pytest.raises(ConfigError, match=r"cluster 'nope' not found: .*known clusters: a"):
        config.load_fleet(repo, ["nope"])


def test_selecting_an_empty_ring_lists_the_rings(tmp_path):
    repo = _fleet(tmp_path, {"a": "https://a.example.com"})
    with pytest.raises(ConfigError, match=r"rings in the fleet: \['default'\]"):
        config.select(config.load_fleet(repo), ring="canary")


def test_the_example_fleet_is_valid(repo):
    names = [c.name for c in config.load_fleet(repo)]
    assert {"staging", "production"} <= set(names)
