"""NOTES.txt tells the next steps, including the nodetype=worker label, and explains translated values."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from gitops.command import run
from tests.chart.chartrender import CHART, NAMESPACE, RELEASE, helm_bin

SETS = ["database.externalHost=db.example.com", "database.externalPassword=TEST-pw"]


@pytest.fixture(scope="module")
def notes_chart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the chart whose NOTES.txt is also rendered into a ConfigMap (helm template prints no notes)."""
    chart = tmp_path_factory.mktemp("notes") / "trigger-dev"
    shutil.copytree(CHART, chart)
    shutil.copy(chart / "templates" / "NOTES.txt", chart / "notes.txt")
    wrapper = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: notes}\ndata:\n"
        '  notes: {{ tpl (.Files.Get "notes.txt") . | quote }}\n'
    )
    (chart / "templates" / "zz-notes.yaml").write_text(wrapper)
    return chart


def notes(chart: Path, *sets: str) -> str:
    argv = [str(helm_bin("helm4")), "template", RELEASE, str(chart), "-n", NAMESPACE, "--show-only"]
    argv += ["templates/zz-notes.yaml"]
    for item in [*SETS, *sets]:
        argv += ["--set", item]
    return yaml.safe_load(run(argv, what="helm template").stdout)["data"]["notes"]


def test_notes_say_to_label_a_node_and_create_the_pull_secret(notes_chart: Path) -> None:
    text = notes(notes_chart, "redis.url=redis://redis.example.com:6379")
    assert "kubectl label node <node-name> nodetype=worker" in text
    assert "registry-trigger" in text
    assert "port-forward svc/trigger-trigger-dev-app 3000:3000" in text
    assert "API URL given to task pods (TRIGGER_API_URL): http://trigger-trigger-dev-app.trigger.svc:3000" in text
    assert "magic link is printed in the webapp log" in text


def test_notes_explain_translated_seed_values(notes_chart: Path) -> None:
    text = notes(
        notes_chart,
        "redis.url=redis://redis.example.com:6379",
        "app.env.SMTP_HOST=smtp.example.com",
        "app.env.SMTP_PORT=587",
        "app.env.SMTP_SECURE=true",
        "app.env.SMTP_FROM_ADDRESS=no-reply@example.com",
        "app.env.REALTIME_WEBSOCKET_ENABLED=true",
    )
    assert "SMTP_FROM_ADDRESS was passed as FROM_EMAIL" in text
    assert "port 587 uses STARTTLS with SMTP_SECURE=false" in text
    assert "REALTIME_WEBSOCKET_ENABLED is not read" in text
    assert "magic link is printed" not in text
