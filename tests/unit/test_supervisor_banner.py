"""What `danvan run` prints about the services' operations endpoints."""

from __future__ import annotations

from danvan.config import Settings
from danvan.supervisor import operations_endpoints


def test_the_banner_says_where_each_service_answers_health_and_metrics_and_which_has_none() -> None:
    line = operations_endpoints(Settings(ops_host="0.0.0.0", reporting_ops_port=0))
    assert line == (
        "/healthz /readyz /metrics on 0.0.0.0: "
        "registry :9101 · reception :9102 · reporting off · gateway :9104"
    )
