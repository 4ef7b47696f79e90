"""Bad values fail the render with one sentence that names the value and what to set instead."""

from __future__ import annotations

import pytest

from tests.chart.chartrender import HELMS, render, render_error

DB = ("database.externalHost=db.example.com", "database.externalPassword=TEST-pw")
REDIS = ("redis.url=redis://redis.example.com:6379",)
BASE = DB + REDIS
GITOPS = "ci/gitops-values.yaml"


@pytest.mark.parametrize("helm", HELMS)
def test_schema_rejects_an_unknown_key(helm: str) -> None:
    error = render_error(helm, sets=BASE + ("app.replicaz=2",))
    assert "replicaz" in error and "not allowed" in error


@pytest.mark.parametrize("helm", HELMS)
def test_schema_rejects_a_wrong_type(helm: str) -> None:
    error = render_error(helm, sets=BASE + ("worker.enabled=maybe",))
    assert "/worker/enabled" in error and "boolean" in error


def test_schema_rejects_an_unknown_supervisor_mode() -> None:
    assert "/supervisor/mode" in render_error("helm4", sets=BASE + ("supervisor.mode=supervisor",))


@pytest.mark.parametrize("helm", HELMS)
def test_quickstart_off_and_a_missing_secret_fails_naming_it(helm: str) -> None:
    error = render_error(helm, sets=BASE + ("quickstart.enabled=false", "secrets.sessionSecret=TEST-session"))
    assert "quickstart.enabled=false and no value for secrets.coordinatorSecret, secrets.encryptionKey" in error
    assert "secrets.existingSecret" in error


def test_quickstart_off_without_existing_secrets_in_gitops_values_fails() -> None:
    error = render_error("helm4", GITOPS, sets=("secrets.existingSecret=",))
    assert "no value for secrets.coordinatorSecret" in error


def test_missing_database_fails_naming_the_values() -> None:
    error = render_error("helm4", sets=REDIS)
    assert "set database.externalHost" in error and "database.connectionStringSecret" in error


def test_missing_database_password_fails() -> None:
    error = render_error("helm4", sets=REDIS + ("database.externalHost=db.example.com",))
    assert "database.externalPassword is empty" in error


def test_missing_redis_fails_naming_the_values() -> None:
    assert "set redis.url" in render_error("helm4", sets=DB)


def test_redis_url_with_a_word_for_port_fails() -> None:
    error = render_error("helm4", sets=DB + ("redis.url=redis://user:pw@your-redis-host:port",))
    assert 'port "port" is not a number' in error


@pytest.mark.parametrize("key", ["ENCRYPTION_KEY"])
def test_wrong_length_encryption_key_is_rejected(key: str) -> None:
    error = render_error("helm4", sets=BASE + (f"app.env.{key}=generate-a-16-character-hex-secret",))
    assert "exactly 32" in error and "openssl rand -hex 16" in error
    error = render_error("helm4", sets=BASE + ("secrets.encryptionKey=" + "a" * 64,))
    assert "/secrets/encryptionKey" in error or "exactly 32" in error


def test_an_unpublished_3x_tag_renders_as_given() -> None:
    # the chart cannot know every future release; `invoke bump` warns about tags outside its catalogue
    objects = render("helm4", sets=BASE + ("image.tag=3.3.19",))
    images = {
        c["image"]
        for o in objects
        if o["kind"] == "Deployment"
        for c in o["spec"]["template"]["spec"]["containers"]
        if "triggerdotdev/trigger.dev" in c["image"]
    }
    assert images == {"ghcr.io/triggerdotdev/trigger.dev:v3.3.19"}


def test_v4_tags_are_refused_with_what_would_be_needed() -> None:
    assert "4.x needs a different topology" in render_error("helm4", sets=BASE + ("image.tag=v4.0.0",))


def test_provider_mode_without_a_coordinator_host_fails() -> None:
    error = render_error("helm4", sets=BASE + ("supervisor.mode=provider",))
    assert "set supervisor.coordinator.host" in error


def test_trigger_protocol_without_domain_fails() -> None:
    error = render_error("helm4", sets=BASE + ("app.env.TRIGGER_PROTOCOL=https",))
    assert "TRIGGER_PROTOCOL and app.env.TRIGGER_DOMAIN go together" in error


def test_localhost_api_url_is_rejected() -> None:
    error = render_error("helm4", sets=BASE + ("app.apiUrl=http://localhost:3030",))
    assert "task pods cannot reach" in error


def test_smtp_without_sender_fails() -> None:
    error = render_error("helm4", sets=BASE + ("app.env.SMTP_HOST=smtp.example.com",))
    assert "set app.env.FROM_EMAIL" in error


def test_existing_secret_conflicting_with_app_env_secret_fails() -> None:
    error = render_error("helm4", GITOPS, sets=("app.env.PROVIDER_SECRET=TEST-provider",))
    assert "app.env.PROVIDER_SECRET conflicts with secrets.existingSecret=trigger-secrets" in error


def test_nonzero_pool_min_is_rejected() -> None:
    assert "database.poolMin" in render_error("helm4", sets=BASE + ("database.poolMin=2",))


def test_errors_never_print_secret_values() -> None:
    error = render_error("helm4", sets=BASE + ("secrets.encryptionKey=TEST-short-key",))
    assert "TEST-short-key" not in error


def test_a_bad_redis_url_fails_without_printing_the_password() -> None:
    error = render_error("helm4", sets=DB + ("redis.url=TEST-secret-pass@redis.example.com",))
    assert "does not start with redis://" in error and "TEST-secret-pass" not in error
