"""The deployment files are valid offline: compose.yaml against the Compose Specification schema,
deploy/k8s against Kubernetes' schemas (kubernetes-validate) and KEDA's ScaledObject CRD, and
both say what docs/deploy.md promises (health checks, replicas, bind addresses, our stream and
consumer, settings that exist). No Docker engine or cluster is needed."""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from pydantic import AliasChoices
from pydantic_settings import BaseSettings
from s3c_cli.processes import SERVICES
from s3c_events import streams
from s3c_scaler.settings import ScalerSettings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
K8S = ROOT / "deploy" / "k8s"
NATS_ONLY = tuple(s for s in SERVICES if s != "gateway")  # no HTTP port: health over NATS
STORE_SERVICES = NATS_ONLY  # the four with read models
# The oldest Kubernetes we claim (KEDA 2.20 supports it) and the newest kubernetes-validate knows.
KUBERNETES_VERSIONS = ("1.32.0", kubernetes_validate.latest_version())
# The keys KEDA 2.20.2's nats-jetstream scaler reads (pkg/scalers/nats_jetstream_scaler.go).
KEDA_NATS_REQUIRED = {"natsServerMonitoringEndpoint", "stream", "consumer"}
KEDA_NATS_KEYS = KEDA_NATS_REQUIRED | {
    "account",
    "accountID",
    "lagThreshold",
    "activationLagThreshold",
    "useHttps",
}
# Read by the `s3c` command or the sandbox workers rather than a settings class.
NON_SETTINGS_ENV = {"S3C_DATA_DIR", "S3C_URL", "S3C_WARM_ISOLATES", "S3C_TEST_DOCKER"}
# Importing these defines every settings class the services read (the runtime's come along).
SETTINGS_MODULES = ("s3c_runtime.service", *(f"s3c_{s}.settings" for s in SERVICES))


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return data


def kustomization() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return data


def manifests() -> list[dict[str, Any]]:
    """Every object the kustomization applies, in its order."""
    return [
        doc
        for resource in kustomization()["resources"]
        for doc in yaml.safe_load_all((K8S / resource).read_text())
        if doc
    ]


def objects(kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in manifests() if o["kind"] == kind}


def container(service: str) -> dict[str, Any]:
    deployment = objects("Deployment")[f"s3c-{service}"]
    (only,) = deployment["spec"]["template"]["spec"]["containers"]
    return dict(only)


def setting_names() -> set[str]:
    """Every environment name one of our settings classes reads (the services' and the
    runtime's, found as the subclasses of BaseSettings that our packages define)."""
    for module in SETTINGS_MODULES:
        importlib.import_module(module)
    found: list[type[BaseSettings]] = []
    todo: list[type[BaseSettings]] = [BaseSettings]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo += cls.__subclasses__()
    names: set[str] = set()
    for cls in found:
        if not cls.__module__.startswith("s3c_"):
            continue
        for field in cls.model_fields.values():
            alias = field.validation_alias
            assert isinstance(alias, AliasChoices), (cls, field)
            names.update(str(choice) for choice in alias.choices)
    return names


def published_host_ip(port: str | dict[str, Any]) -> str:
    """The host address a Compose port entry publishes on (none given: every address)."""
    if isinstance(port, dict):
        return str(port.get("host_ip", "0.0.0.0"))
    text = str(port).split("/")[0]  # "[HOST:]HOST_PORT:CONTAINER_PORT[/PROTOCOL]" or a port
    if text.startswith("["):  # an IPv6 address
        return text[1 : text.index("]")]
    parts = text.split(":")
    return parts[0] if len(parts) == 3 else "0.0.0.0"


# --- compose.yaml -------------------------------------------------------------------------


def test_compose_file_follows_the_compose_specification() -> None:
    schema = json.loads((FIXTURES / "compose-spec.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(compose())]
    assert errors == []


def test_compose_runs_nats_with_jetstream_mongodb_and_the_five_services() -> None:
    services = compose()["services"]
    assert set(services) == {"nats", "mongo", *SERVICES}
    assert "-js" in services["nats"]["command"]
    for name in SERVICES:
        module = f"s3c_{name}"
        assert services[name]["command"] == ["python", "-m", module]
        assert importlib.util.find_spec(module) is not None, module


def test_every_compose_container_has_a_health_check() -> None:
    for name, service in compose()["services"].items():
        check = service.get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"


def test_compose_services_without_a_port_check_their_own_health_over_nats() -> None:
    services = compose()["services"]
    for name in NATS_ONLY:
        assert services[name]["healthcheck"]["test"] == [
            "CMD", "python", "-m", "s3c_runtime.health", name,
        ]  # fmt: skip
    assert importlib.util.find_spec("s3c_runtime.health") is not None


def test_compose_runs_two_executors() -> None:
    assert compose()["services"]["executor"]["deploy"]["replicas"] == 2


def test_compose_publishes_only_the_gateway_and_only_on_loopback() -> None:
    services = compose()["services"]
    publishing = {name for name, service in services.items() if service.get("ports")}
    assert publishing == {"gateway"}
    gateway = services["gateway"]
    assert [published_host_ip(p) for p in gateway["ports"]] == ["127.0.0.1"]
    # Inside its container it binds every address, or the published port could not reach it.
    assert gateway["environment"]["S3C_HOST"] == "0.0.0.0"


def test_compose_sets_only_settings_that_exist() -> None:
    known = setting_names()
    for name, service in compose()["services"].items():
        unknown = {k for k in service.get("environment", {}) if k.startswith("S3C_")} - known
        assert unknown == set(), name


# --- deploy/k8s ---------------------------------------------------------------------------


def test_the_kustomization_lists_every_manifest() -> None:
    files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert sorted(kustomization()["resources"]) == sorted(files)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_kubernetes_manifests_follow_the_kubernetes_schemas(version: str) -> None:
    core = [o for o in manifests() if o["kind"] != "ScaledObject"]
    kinds = {"Namespace", "ConfigMap", "Secret", "Deployment", "Service"}
    assert {o["kind"] for o in core} == kinds
    for obj in core:
        kubernetes_validate.validate(obj, version, strict=True)


def unknown_fields(value: Any, schema: dict[str, Any], path: str = "") -> list[str]:
    """Fields the schema does not declare: the API server rejects them under strict field
    validation (kubectl's default), while the schema alone would let them through."""
    if isinstance(value, dict) and "properties" in schema:
        found = [f"{path}.{k}" for k in value if k not in schema["properties"]]
        for key, item in value.items():
            if key in schema["properties"]:
                found += unknown_fields(item, schema["properties"][key], f"{path}.{key}")
        return found
    if isinstance(value, list) and "items" in schema:
        return [f for i, v in enumerate(value) for f in unknown_fields(v, schema["items"], path)]
    return []


def test_the_scaled_object_follows_kedas_crd() -> None:
    crd = yaml.safe_load((FIXTURES / "keda.sh_scaledobjects.yaml").read_text())
    (scaled,) = objects("ScaledObject").values()
    group, version = scaled["apiVersion"].split("/")
    assert (group, scaled["kind"]) == (crd["spec"]["group"], crd["spec"]["names"]["kind"])
    (served,) = [v for v in crd["spec"]["versions"] if v["name"] == version and v["served"]]
    schema = served["schema"]["openAPIV3Schema"]
    # OpenAPI 3.0 schema objects take draft 4's keywords (e.g. a boolean exclusiveMinimum).
    errors = [
        f"{list(e.absolute_path)}: {e.message}"
        for e in jsonschema.Draft4Validator(schema).iter_errors(scaled)
    ]
    assert errors == []
    assert unknown_fields({k: v for k, v in scaled.items() if k != "metadata"}, schema) == []


def test_keda_scales_the_executors_on_our_work_consumer() -> None:
    (scaled,) = objects("ScaledObject").values()
    spec = scaled["spec"]
    assert spec["scaleTargetRef"]["name"] == "s3c-executor"
    assert "s3c-executor" in objects("Deployment")
    assert spec["minReplicaCount"] >= 1  # sync invokes add no lag: zero pods would never wake
    (trigger,) = spec["triggers"]
    metadata = trigger["metadata"]
    assert trigger["type"] == "nats-jetstream"
    assert KEDA_NATS_REQUIRED <= set(metadata) <= KEDA_NATS_KEYS
    assert "account" in metadata or "accountID" in metadata
    assert (metadata["stream"], metadata["consumer"]) == (streams.WORK.name, streams.WORK_CONSUMER)
    # KEDA owns the count: a `replicas` in the Deployment would reset it at every apply.
    assert "replicas" not in objects("Deployment")["s3c-executor"]["spec"]


def test_the_scaler_does_not_resize_pools_while_keda_scales() -> None:
    config = objects("ConfigMap")["s3c-config"]["data"]
    assert ScalerSettings.model_validate(config).scaling_enabled is False


def test_a_deployment_per_service_running_its_module_from_the_image() -> None:
    assert set(objects("Deployment")) == {f"s3c-{s}" for s in SERVICES}
    for service in SERVICES:
        spec = container(service)
        assert spec["image"] == kustomization()["images"][0]["name"]
        assert spec["command"] == ["python", "-m", f"s3c_{service}"]


def test_every_deployment_has_probes_and_resource_bounds() -> None:
    for service in SERVICES:
        spec = container(service)
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert probe in spec, f"{service} has no {probe}"
        for bound in ("requests", "limits"):
            assert set(spec["resources"][bound]) == {"cpu", "memory"}, (service, bound)


def test_services_without_a_port_probe_their_own_health_over_nats() -> None:
    for service in NATS_ONLY:
        spec = container(service)
        check = ["python", "-m", "s3c_runtime.health", service]
        assert spec["readinessProbe"]["exec"]["command"] == check
        # Up is enough to start and to stay: catching up or a store outage is only unready.
        assert spec["startupProbe"]["exec"]["command"] == [*check, "--live"]
        assert spec["livenessProbe"]["exec"]["command"] == [*check, "--live"]


def test_the_gateway_is_probed_over_http_and_reachable_only_inside_the_cluster() -> None:
    spec = container("gateway")
    assert spec["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert spec["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert {e["name"]: e["value"] for e in spec["env"]}["S3C_HOST"] == "0.0.0.0"
    (port,) = spec["ports"]
    service = objects("Service")["s3c-gateway"]["spec"]
    assert service.get("type", "ClusterIP") == "ClusterIP"
    assert [p["targetPort"] for p in service["ports"]] == [port["name"]]
    labels = objects("Deployment")["s3c-gateway"]["spec"]["template"]["metadata"]["labels"]
    assert service["selector"].items() <= labels.items()
    assert set(objects("Service")) == {"s3c-gateway"}  # the others have no port to serve


def test_only_the_services_with_read_models_get_the_mongodb_secret() -> None:
    secret = objects("Secret")["s3c-store"]
    assert set(secret["stringData"]) == {"S3C_MONGODB_URI"}
    for service in SERVICES:
        refs = {
            ref["secretRef"]["name"] for ref in container(service)["envFrom"] if "secretRef" in ref
        }
        assert refs == ({"s3c-store"} if service in STORE_SERVICES else set()), service


def test_kubernetes_settings_exist_and_every_reference_resolves() -> None:
    known = setting_names()
    config = objects("ConfigMap")["s3c-config"]["data"]
    secret = objects("Secret")["s3c-store"]["stringData"]
    assert set(config) | set(secret) <= known
    for service in SERVICES:
        spec = container(service)
        assert {e["name"] for e in spec.get("env", [])} <= known
        refs = {r.get("configMapRef", r.get("secretRef", {})).get("name") for r in spec["envFrom"]}
        assert refs <= set(objects("ConfigMap")) | set(objects("Secret"))


def test_the_deploy_guide_names_only_settings_that_exist() -> None:
    text = (ROOT / "docs" / "deploy.md").read_text()
    named = set(re.findall(r"\bS3C_[A-Z_]+[A-Z]\b", text))
    stream_names = {s.name for s in streams.ALL}
    assert named, "docs/deploy.md names no setting"
    assert named - stream_names - setting_names() - NON_SETTINGS_ENV == set()
