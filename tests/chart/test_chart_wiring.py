"""The chart wires Trigger.dev 3.3 the way its runtime contract demands (shared/reference/trigger-dev-runtime.md)."""

from __future__ import annotations

import base64

import pytest
import yaml

from tests.chart.chartrender import (
    HELMS,
    component,
    env_of,
    of_kind,
    one,
    pod_spec,
    render,
    render_text,
)

DB = ("database.externalHost=db.example.com", "database.externalPassword=TEST-pw")
REDIS = ("redis.url=redis://redis.example.com:6379",)
BASE = DB + REDIS


def app_env(objs: list[dict]) -> dict:
    return env_of(component(objs, "Deployment", "app"))


def secret_data(objs: list[dict], name: str) -> dict[str, str]:
    return {k: base64.b64decode(v).decode() for k, v in one(objs, "Secret", name)["data"].items()}


@pytest.mark.parametrize("helm", HELMS)
def test_quickstart_generates_every_secret_with_a_32_char_encryption_key(helm: str) -> None:
    objs = render(helm, "ci/seed-quickstart-values.yaml")
    secret = one(objs, "Secret", "trigger-trigger-dev-secrets")
    data = secret_data(objs, "trigger-trigger-dev-secrets")
    assert sorted(data) == [
        "COORDINATOR_SECRET",
        "ENCRYPTION_KEY",
        "MAGIC_LINK_SECRET",
        "PROVIDER_SECRET",
        "SESSION_SECRET",
    ]
    assert len(data["ENCRYPTION_KEY"]) == 32
    assert all(len(v) >= 32 for v in data.values())
    assert secret["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"


def test_given_secrets_win_over_generation_and_app_env_secrets_are_lifted() -> None:
    objs = render("helm4", "ci/seed-additional-env-values.yaml")
    data = secret_data(objs, "trigger-trigger-dev-secrets")
    assert data["ENCRYPTION_KEY"] == "TEST0000000000000000000000000032"
    assert data["PROVIDER_SECRET"] == "TEST0000provider0000secret000000"
    assert "FORCE_CHECKPOINT_SIMULATION" in app_env(objs)
    assert "REALTIME_WEBSOCKET_ENABLED" not in app_env(objs)


def test_gitops_render_is_deterministic_and_uses_only_existing_secrets() -> None:
    first = render_text("helm4", "ci/gitops-values.yaml")
    second = render_text("helm4", "ci/gitops-values.yaml", sets=("app.replicas=2",))  # same values, second helm run
    assert first == second
    objs = render("helm4", "ci/gitops-values.yaml")
    assert not of_kind(objs, "Secret"), "GitOps mode must not render any Secret"
    env = app_env(objs)
    assert env["SESSION_SECRET"] == ("secret", "trigger-secrets", "SESSION_SECRET")
    assert env["DATABASE_URL"] == ("secret", "trigger-database", "DATABASE_URL")
    assert env["DIRECT_URL"] == ("secret", "trigger-database", "DIRECT_URL")
    assert env["REDIS_HOST"] == ("secret", "trigger-redis", "REDIS_HOST")
    assert env["REDIS_TLS_DISABLED"] == "true"
    electric = env_of(component(objs, "Deployment", "electric"))
    assert electric["DATABASE_URL"] == ("secret", "trigger-database", "DATABASE_URL")
    assert electric["ELECTRIC_INSECURE"] == "true"
    assert env["ELECTRIC_ORIGIN"] == "http://trigger-trigger-dev-electric.trigger.svc:3000"


def test_create_namespace_labels_it_restricted_and_everything_but_task_rbac_lives_in_it() -> None:
    objs = render("helm4", "ci/gitops-values.yaml")
    namespace = one(objs, "Namespace", "trigger")
    labels = namespace["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
    in_tasks = {o["kind"] for o in objs if o["metadata"].get("namespace") == "trigger-tasks"}
    assert in_tasks == {"Role", "RoleBinding"}  # registry-trigger comes from secrets/ in GitOps mode
    others = {o["metadata"].get("namespace") for o in objs if o["kind"] != "Namespace"} - {"trigger-tasks"}
    assert others == {"trigger"}


def test_a_restricted_namespace_the_chart_creates_sends_task_pods_to_a_baseline_one() -> None:
    objs = render("helm4", "ci/seed-production-values.yaml")  # createNamespace: true, no task namespace set
    tasks = one(objs, "Namespace", "trigger-dev-tasks")
    assert tasks["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "baseline"
    by_namespace = {(o["kind"], o["metadata"]["namespace"]) for o in objs if o["kind"] != "Namespace"}
    assert {("Role", "trigger-dev-tasks"), ("RoleBinding", "trigger-dev-tasks")} <= by_namespace
    assert {ns for kind, ns in by_namespace if kind not in {"Role", "RoleBinding"}} == {"trigger-dev"}
    provider = next(o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"].endswith("provider"))
    env = {e["name"]: e.get("value") for e in provider["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["KUBERNETES_NAMESPACE"] == "trigger-dev-tasks"


@pytest.mark.parametrize("helm", HELMS)
def test_redis_url_is_split_into_host_port_user_password(helm: str) -> None:
    objs = render(helm, *(), sets=DB + ("redis.url=redis://default:TEST%40pass@cache.example.com:6380",))
    env = app_env(objs)
    assert env["REDIS_HOST"] == "cache.example.com"
    assert env["REDIS_PORT"] == "6380"
    assert env["REDIS_USERNAME"][0] == env["REDIS_PASSWORD"][0] == "secret"
    assert env["REDIS_TLS_DISABLED"] == "true"
    data = secret_data(objs, "trigger-trigger-dev-env")
    assert (data["REDIS_USERNAME"], data["REDIS_PASSWORD"]) == ("default", "TEST@pass")
    assert "REDIS_URL" not in env


def test_rediss_scheme_turns_tls_on_and_the_tls_flag_overrides_the_scheme() -> None:
    rediss = app_env(render("helm4", sets=DB + ("redis.url=rediss://:TEST-pw@up.example.com:6379",)))
    assert rediss["REDIS_TLS_DISABLED"] == "false"
    upstash = app_env(render("helm4", "ci/seed-neon-values.yaml"))  # redis:// + tls: true
    assert upstash["REDIS_TLS_DISABLED"] == "false"
    forced_off = app_env(render("helm4", sets=DB + ("redis.url=rediss://up.example.com:6379", "redis.tls=false")))
    assert forced_off["REDIS_TLS_DISABLED"] == "true"


def test_database_url_carries_sslmode_and_pool_settings() -> None:
    objs = render("helm4", "ci/seed-neon-values.yaml")
    env = app_env(objs)
    url = secret_data(objs, "trigger-trigger-dev-env")["DATABASE_URL"]
    assert url.startswith("postgresql://postgres:TEST-neon-password@your-neon-db-host.neon.tech:5432/postgres?")
    assert "sslmode=require" in url and "statement_timeout" in url and "max_idle_connection_lifetime=10" in url
    assert env["DATABASE_CONNECTION_LIMIT"] == "10"
    assert env["DATABASE_CONNECTION_TIMEOUT"] == "60"
    assert env["DATABASE_HOST"] == "your-neon-db-host.neon.tech:5432"
    assert env["DATABASE_URL"] == ("secret", "trigger-trigger-dev-env", "DATABASE_URL")


def test_database_password_secret_is_expanded_into_the_url() -> None:
    env = app_env(render("helm4", "ci/full-features-values.yaml"))
    names = list(env)
    assert names.index("TRIGGER_DATABASE_PASSWORD") < names.index("DATABASE_URL")
    assert env["TRIGGER_DATABASE_PASSWORD"] == ("secret", "pg-credentials", "password")
    assert (
        env["DATABASE_URL"]
        == "postgresql://trigger:$(TRIGGER_DATABASE_PASSWORD)@postgres.data.svc:5432/trigger?sslmode=disable"
    )


def test_webapp_runs_no_workers_when_the_worker_deployment_does() -> None:
    objs = render("helm4", "ci/seed-quickstart-values.yaml")
    app, worker = app_env(objs), env_of(component(objs, "Deployment", "worker"))
    for switch in ("WORKER_ENABLED", "EXECUTION_WORKER_ENABLED", "TASK_OPERATION_WORKER_ENABLED"):
        assert (app[switch], worker[switch]) == ("false", "true")
    assert worker["HTTP_SERVER_DISABLED"] == "true"
    assert "HTTP_SERVER_DISABLED" not in app
    alone = app_env(render("helm4", "ci/provider-mode-values.yaml"))  # worker.enabled=false
    assert "WORKER_ENABLED" not in alone  # app default "true": the webapp runs them in-process


def test_coordinator_and_provider_reach_the_webapp_and_each_other() -> None:
    objs = render("helm4", "ci/seed-quickstart-values.yaml")
    coordinator = env_of(component(objs, "Deployment", "coordinator"))
    provider = env_of(component(objs, "Deployment", "provider"))
    for env in (coordinator, provider):
        assert env["PLATFORM_HOST"] == "trigger-trigger-dev-app.trigger.svc"
        assert env["PLATFORM_WS_PORT"] == "3000"
    assert coordinator["HTTP_SERVER_PORT"] == "8020"
    assert provider["COORDINATOR_HOST"] == "trigger-trigger-dev-coordinator.trigger.svc"
    assert provider["COORDINATOR_PORT"] == "8020"
    assert provider["KUBERNETES_NAMESPACE"] == "trigger"
    assert provider["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://trigger-trigger-dev-app.trigger.svc:3000/otel"
    service = one(objs, "Service", "trigger-trigger-dev-coordinator")
    assert service["spec"]["ports"][0]["port"] == 8020


def test_provider_http_server_port_is_fixed_and_probed() -> None:
    provider = component(render("helm4", "ci/seed-quickstart-values.yaml"), "Deployment", "provider")
    container = pod_spec(provider)["containers"][0]
    assert env_of(provider)["HTTP_SERVER_PORT"] == "8060"
    assert container["ports"] == [{"name": "http", "containerPort": 8060, "protocol": "TCP"}]
    for probe in ("livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"] == {"path": "/health", "port": "http"}
    assert pod_spec(provider)["automountServiceAccountToken"] is True


def test_provider_mode_runs_only_the_provider_against_an_external_coordinator() -> None:
    objs = render("helm4", "ci/provider-mode-values.yaml")
    components = {d["metadata"]["labels"]["app.kubernetes.io/component"] for d in of_kind(objs, "Deployment")}
    assert components == {"app", "provider"}
    provider = env_of(component(objs, "Deployment", "provider"))
    assert (provider["COORDINATOR_HOST"], provider["COORDINATOR_PORT"]) == ("coordinator.trigger-shared.svc", "9020")


def test_provider_role_has_exactly_what_the_provider_needs() -> None:
    role = one(render("helm4", "ci/seed-quickstart-values.yaml"), "Role", "trigger-trigger-dev-provider")
    rules = {(tuple(r["apiGroups"]), tuple(r["resources"])): sorted(r["verbs"]) for r in role["rules"]}
    assert rules == {
        (("",), ("pods",)): sorted(["create", "get", "list", "watch", "delete", "deletecollection"]),
        (("",), ("pods/log",)): ["get"],
        (("batch",), ("jobs",)): ["create"],
        (("apps",), ("daemonsets",)): ["create", "deletecollection"],
    }
    binding = one(render("helm4", "ci/seed-quickstart-values.yaml"), "RoleBinding", "trigger-trigger-dev-provider")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "trigger-trigger-dev", "namespace": "trigger"}]


def test_extra_rbac_rules_are_opt_in_and_follow_the_task_namespace() -> None:
    role = one(render("helm4", "ci/full-features-values.yaml"), "Role", "trigger-trigger-dev-provider")
    assert role["metadata"]["namespace"] == "trigger-tasks"
    resources = [r["resources"] for r in role["rules"]]
    assert ["pods/exec"] in resources and ["events"] in resources
    assert not any("*" in r["verbs"] or "*" in r["resources"] for r in role["rules"])


@pytest.mark.parametrize("helm", HELMS)
def test_bare_tag_becomes_a_v_tag(helm: str) -> None:
    objs = render(helm, "ci/seed-upgrade-values.yaml")
    assert pod_spec(component(objs, "Deployment", "app"))["containers"][0]["image"] == (
        "ghcr.io/triggerdotdev/trigger.dev:v3.3.17"
    )
    assert pod_spec(component(objs, "Deployment", "coordinator"))["containers"][0]["image"].endswith(":v3.3.17")
    assert pod_spec(component(objs, "Deployment", "provider"))["containers"][0]["image"].endswith(":v3.3.17")
    default = render(helm, "ci/seed-quickstart-values.yaml")
    assert pod_spec(component(default, "Deployment", "app"))["containers"][0]["image"].endswith(":v3.3.18")
    gitops = render(helm, "ci/gitops-values.yaml")
    assert pod_spec(component(gitops, "Deployment", "app"))["containers"][0]["image"].endswith(":v3.3.18")


def test_digest_pins_the_image() -> None:
    digest = "sha256:" + "a" * 64
    objs = render("helm4", sets=BASE + (f"image.digest={digest}",))
    assert pod_spec(component(objs, "Deployment", "app"))["containers"][0]["image"].endswith(f":v3.3.18@{digest}")


def test_migration_job_name_changes_with_version_and_spec() -> None:
    def job(*sets: str) -> dict:
        return component(render("helm4", sets=BASE + sets), "Job", "migrations")

    old, new = job("image.tag=3.3.17"), job("image.tag=3.3.18")
    assert old["metadata"]["name"].startswith("trigger-trigger-dev-migrate-3-3-17-")
    assert new["metadata"]["name"].startswith("trigger-trigger-dev-migrate-3-3-18-")
    assert job("image.tag=v3.3.18")["metadata"]["name"] == new["metadata"]["name"]
    assert job("migrations.backoffLimit=2")["metadata"]["name"] != new["metadata"]["name"]
    assert len(new["metadata"]["name"]) <= 63
    assert "helm.sh/hook" not in new["metadata"].get("annotations", {})
    assert pod_spec(new)["restartPolicy"] == "Never"
    assert "ttlSecondsAfterFinished" not in new["spec"]


def test_public_url_comes_from_trigger_domain_when_the_seed_sets_it() -> None:
    objs = render("helm4", "ci/seed-production-values.yaml")
    env = app_env(objs)
    assert env["APP_ORIGIN"] == env["LOGIN_ORIGIN"] == env["API_ORIGIN"] == "https://trigger.your-domain.com"
    assert "TRIGGER_PROTOCOL" not in env and "TRIGGER_DOMAIN" not in env


def test_public_url_comes_from_the_ingress_host_and_tls() -> None:
    env = app_env(render("helm4", "ci/seed-integrations-values.yaml"))
    assert env["APP_ORIGIN"] == "https://trigger.example.com"


def test_without_public_url_the_api_origin_is_the_in_cluster_service() -> None:
    env = app_env(render("helm4", "ci/seed-quickstart-values.yaml"))
    assert env["APP_ORIGIN"] == "http://localhost:3000"
    assert env["API_ORIGIN"] == "http://trigger-trigger-dev-app.trigger.svc:3000"


def test_seed_email_settings_really_enable_email() -> None:
    objs = render("helm4", "ci/seed-registry-auth-values.yaml")
    env = app_env(objs)
    assert env["EMAIL_TRANSPORT"] == "smtp"
    assert env["FROM_EMAIL"] == env["REPLY_TO_EMAIL"] == "no-reply@example.com"
    assert "SMTP_FROM_ADDRESS" not in env
    assert env["SMTP_PASSWORD"] == ("secret", "trigger-trigger-dev-env", "app.SMTP_PASSWORD")
    assert env["AUTH_GITHUB_CLIENT_SECRET"][0] == "secret"
    assert env["TASK_PAYLOAD_MAXIMUM_SIZE"] == str(20 * 1024 * 1024)
    assert "MAX_PAYLOAD_SIZE_MB" not in env
    assert (env["DEPLOY_REGISTRY_HOST"], env["DEPLOY_REGISTRY_NAMESPACE"]) == ("docker.io", "your-registry-namespace")
    provider = env_of(component(objs, "Deployment", "provider"))
    assert provider["ADDITIONAL_PULL_SECRETS"] == "regcred"


def test_registry_values_reach_webapp_and_coordinator_and_pull_secret_is_registry_trigger() -> None:
    objs = render("helm4", "ci/full-features-values.yaml")
    coordinator = env_of(component(objs, "Deployment", "coordinator"))
    assert (coordinator["REGISTRY_HOST"], coordinator["REGISTRY_NAMESPACE"]) == ("registry.example.com", "trigger")
    pull = one(objs, "Secret", "registry-trigger")
    assert pull["type"] == "kubernetes.io/dockerconfigjson"
    assert pull["metadata"]["namespace"] == "trigger-tasks"
    config = yaml.safe_load(base64.b64decode(pull["data"][".dockerconfigjson"]))
    assert list(config["auths"]) == ["registry.example.com"]


def test_webapp_probes_healthcheck_with_a_startup_allowance_for_migrations() -> None:
    container = pod_spec(component(render("helm4", "ci/seed-quickstart-values.yaml"), "Deployment", "app"))[
        "containers"
    ][0]
    startup = container["startupProbe"]
    assert startup["httpGet"]["path"] == "/healthcheck"
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 600
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthcheck"
    assert container["securityContext"]["readOnlyRootFilesystem"] is False


def test_seed_security_example_keeps_the_webapp_writable() -> None:
    objs = render("helm4", "ci/seed-security-values.yaml")
    app = pod_spec(component(objs, "Deployment", "app"))["containers"][0]["securityContext"]
    coordinator = pod_spec(component(objs, "Deployment", "coordinator"))["containers"][0]["securityContext"]
    assert app["readOnlyRootFilesystem"] is False
    assert coordinator["readOnlyRootFilesystem"] is True


def test_default_network_policies_only_restrict_ingress() -> None:
    objs = render("helm4", "ci/seed-quickstart-values.yaml")
    policies = of_kind(objs, "NetworkPolicy")
    assert policies and all(p["spec"]["policyTypes"] == ["Ingress"] for p in policies)
    app = next(p for p in policies if p["metadata"]["name"].endswith("-app"))
    assert app["spec"]["ingress"] == [{"ports": [{"port": 3000, "protocol": "TCP"}]}]


def test_restricted_egress_allows_dns_database_redis_and_https() -> None:
    policies = of_kind(render("helm4", "ci/full-features-values.yaml"), "NetworkPolicy")
    egress = next(p for p in policies if p["metadata"]["name"].endswith("-app"))["spec"]["egress"]
    ports = {(p["port"], p["protocol"]) for rule in egress for p in rule.get("ports", [])}
    assert {(53, "UDP"), (53, "TCP"), (443, "TCP"), (6443, "TCP"), (5432, "TCP"), (6380, "TCP")} <= ports


def test_autoscaling_and_disruption_budgets() -> None:
    objs = render("helm4", "ci/full-features-values.yaml")
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in of_kind(objs, "HorizontalPodAutoscaler")}
    assert set(hpas) == {"trigger-trigger-dev-app", "trigger-trigger-dev-worker"}
    assert "replicas" not in component(objs, "Deployment", "app")["spec"]
    assert {p["spec"]["maxUnavailable"] for p in of_kind(objs, "PodDisruptionBudget")} == {1}


def test_helm_test_pod_checks_webapp_and_coordinator_health() -> None:
    pod = one(render("helm4", "ci/seed-quickstart-values.yaml"), "Pod", "trigger-trigger-dev-test")
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    script = pod["spec"]["containers"][0]["command"][-1]
    assert "trigger-trigger-dev-app.trigger.svc:3000/healthcheck" in script
    assert "trigger-trigger-dev-coordinator.trigger.svc:8020/health" in script


@pytest.mark.parametrize("helm", HELMS)
def test_numeric_env_values_keep_their_digits(helm: str) -> None:
    env = app_env(render(helm, "ci/full-features-values.yaml"))  # YAML numbers reach helm 3 as float64
    assert env["TASK_PAYLOAD_MAXIMUM_SIZE"] == "10485760"
    assert env["DEFAULT_ENV_EXECUTION_CONCURRENCY_LIMIT"] == "100"
