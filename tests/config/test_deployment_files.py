"""What production installs and runs: requirements.txt, the Dockerfile and docker-compose.yml.

No Docker engine is needed: the files are read as data (the closing notes of issue 14 say how
`docker compose config` was checked).
"""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
TEST_TOOLS = {
    "pytest",
    "pytest-django",
    "factory-boy",
    "playwright",
    "hypothesis",
    "schemathesis",
    "ruff",
    "import-linter",
}


def requirement_names(path: Path) -> dict[str, str]:
    """{name: the whole line} of a requirements file, without comments and -r includes."""
    names = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names[re.split(r"[\[=<>~! ]", line, maxsplit=1)[0].lower()] = line
    return names


class TestRequirements:
    def test_production_installs_no_test_or_lint_tool(self):
        runtime = requirement_names(ROOT / "requirements.txt")
        assert not TEST_TOOLS & set(runtime), TEST_TOOLS & set(runtime)
        assert set(requirement_names(ROOT / "requirements-dev.txt")) >= TEST_TOOLS
        assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text()

    @pytest.mark.parametrize("name", ["requirements.txt", "requirements-dev.txt"])
    def test_every_requirement_is_pinned(self, name):
        for requirement, line in requirement_names(ROOT / name).items():
            assert re.search(r"==[0-9]", line), f"{name}: {requirement} is not pinned ({line})"

    def test_what_the_settings_load_is_a_run_time_requirement(self):
        runtime = set(requirement_names(ROOT / "requirements.txt"))
        for needed in ("django-axes", "django-cors-headers", "django-guid", "python-json-logger", "prometheus-client"):
            assert needed in runtime


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def environment(service) -> dict:
    env = service.get("environment", {})
    return env if isinstance(env, dict) else dict(item.split("=", 1) for item in env)


def command(service) -> str:
    value = service.get("command", "")
    return value if isinstance(value, str) else " ".join(value)


class TestDockerCompose:
    def test_only_the_edge_port_is_published_in_front_of_web(self, compose):
        services = compose["services"]
        published = {name for name, service in services.items() if service.get("ports")}
        assert published == {"varnish"}  # learners and editors alike reach web through it
        assert not any(service.get("network_mode") == "host" for service in services.values())
        assert services["varnish"]["ports"] == ["${WEB_BIND:-127.0.0.1}:${WEB_PORT:-8000}:80"]
        mounts = {volume.split(":")[1] for volume in services["varnish"]["volumes"]}
        assert mounts == {"/etc/varnish/catalog.vcl", "/etc/varnish/backend.vcl"}
        assert "-f /tmp/catalog.vcl" in command(services["varnish"])
        backend = (ROOT / "deploy" / "varnish" / "compose" / "backend.vcl").read_text()
        assert '.host = "web"' in backend and '.port = "8000"' in backend

    def test_web_and_the_worker_purge_varnish_from_a_network_its_acl_names(self, compose):
        services, networks = compose["services"], compose["networks"]
        assert environment(services["web"])["CATALOG_EDGE_PURGE_URLS"] == "http://varnish"
        for name in ("web", "worker", "varnish"):
            assert "edge" in services[name]["networks"], name
        subnet = networks["edge"]["ipam"]["config"][0]["subnet"]
        assert subnet == environment(services["varnish"])["EDGE_SUBNET"] == "${EDGE_SUBNET:-172.30.57.0/24}"
        # The compose command puts the subnet where the shipped VCL's ACL keeps a line for it.
        assert "# more purgers" in (ROOT / "deploy" / "varnish" / "catalog.vcl").read_text()
        assert "s|^ *# more purgers.*|" in command(services["varnish"])

    def test_an_optional_sentinel_profile(self, compose):
        services = compose["services"]
        sentinels = [name for name in services if name.startswith("sentinel-")]
        assert len(sentinels) == 3 and "redis-replica" in services
        for name in [*sentinels, "redis-replica"]:
            assert services[name]["profiles"] == ["sentinel"], name
            assert services[name]["networks"] == ["backend"], name
        assert "sentinel monitor catalog redis 6379 2" in command(services["sentinel-1"])
        assert environment(services["web"])["REDIS_SENTINELS"] == "${REDIS_SENTINELS:-}"
        assert environment(services["web"])["REDIS_SENTINEL_MASTER"] == "catalog"

    def test_databases_live_on_an_internal_network_only(self, compose):
        internal = {name for name, network in compose["networks"].items() if (network or {}).get("internal")}
        for name in ("postgres", "redis", "postgres-replica", "redis-replica", "sentinel-1"):
            networks = set(compose["services"][name].get("networks", ["default"]))
            assert networks and networks <= internal, (name, networks)

    def test_the_secret_is_required_not_defaulted(self, compose):
        for name in ("web", "migrate"):
            secret = environment(compose["services"][name])["DJANGO_SECRET_KEY"]
            assert re.fullmatch(r"\$\{DJANGO_SECRET_KEY:\?.+\}", secret), secret

    def test_a_migrate_step_runs_before_web(self, compose):
        services = compose["services"]
        assert "manage.py migrate" in command(services["migrate"])
        assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"

    def test_the_demo_login_only_with_demo_1(self, compose):
        for name, service in compose["services"].items():
            text = command(service)
            if "load_demo" in text:
                assert re.search(r'if \[ "\$\$DEMO" = 1 \]; then python manage.py load_demo; fi', text), name
        assert environment(compose["services"]["migrate"])["DEMO"] == "${DEMO:-0}"

    def test_redis_has_a_memory_bound_and_an_evicting_policy(self, compose):
        text = command(compose["services"]["redis"])
        assert "--maxmemory" in text and "allkeys-lru" in text


@pytest.fixture(scope="module")
def lines():
    """The Dockerfile's instructions, continuation lines joined, comments left out."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


class TestDockerfile:
    def test_runs_as_a_user_that_is_not_root(self, lines):
        users = [line.split()[1] for line in lines if line.startswith("USER ")]
        assert users and users[-1] not in ("root", "0")

    def test_installs_the_run_time_requirements_only(self, lines):
        installs = [line for line in lines if "pip install" in line]
        assert installs and all("-r requirements.txt" in line and "dev" not in line for line in installs)

    def test_collects_static_files_at_build_and_checks_healthz(self, lines):
        assert any(line.startswith("RUN") and "collectstatic" in line for line in lines)
        healthcheck = next(line for line in lines if line.startswith("HEALTHCHECK"))
        assert "healthcheck.py" in healthcheck and "/healthz" in (ROOT / "deploy" / "healthcheck.py").read_text()
        assert any(line.startswith("CMD") and "gunicorn" in line and "config.wsgi" in line for line in lines)
