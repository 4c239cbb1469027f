"""docker-compose.yml's webhook worker: the same image and settings as web, after migrate, with a way out."""

import pytest
import yaml

from tests.helpers.servers import ROOT


@pytest.fixture(scope="module")
def services():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose["services"], compose["networks"]


def test_a_worker_sends_webhooks_and_runs_the_beat(services):
    services, networks = services
    worker = services["worker"]
    assert worker["command"][:5] == ["celery", "-A", "config", "worker", "-B"]
    assert worker["environment"] == services["web"]["environment"]  # one broker, one database, one secret
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert not worker.get("ports")
    # Receivers are on the internet: the worker needs a network that is not internal.
    assert any(not (networks[name] or {}).get("internal") for name in worker["networks"])
