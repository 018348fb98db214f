"""Helpers shared by the ``test_commands_*`` functional tests.

The tests run ``openstack`` through ``base.run_openstack`` (in-process
unless ``binary=True``: see ``base``). In
no-Keystone mode every test gets its own tenant: ``token=T`` makes the CLI
send ``X-Auth-Token: T``, which the sandbox files under tenant ``T`` with
monasca-user rights. Bulk test data (thousands of measurements, several
definitions) is written straight over HTTP with the same token, which is
much faster than one CLI run per item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
import csv
import io
import json
import time
from typing import Any
import urllib.error
import urllib.parse
import urllib.request

import yaml

from monasca_osc.tests.functional import base

FORMATS = ('table', 'json', 'yaml', 'csv', 'value')
# cliff has no csv for single items; shell is the scripting format there.
SHOW_FORMATS = ('table', 'json', 'yaml', 'shell', 'value')
BATCH = 10000


def new_tenant() -> str:
    """A fresh tenant (project) id for the no-Keystone sandbox."""
    return base.unique_name('tenant')


def osc(tenant: str, *args: Any, check: bool = True,
        endpoint: str | None = None, **kwargs: Any) -> base.CommandResult:
    """``openstack monitoring <args>`` as tenant ``tenant`` (no Keystone)."""
    return base.run_openstack('monitoring', *[str(a) for a in args],
                              token=tenant, endpoint=endpoint, check=check,
                              **kwargs)


def osc_json(tenant: str, *args: Any, **kwargs: Any) -> Any:
    return osc(tenant, *args, '-f', 'json', **kwargs).json()


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def parse_yaml(text: str) -> Any:
    return yaml.safe_load(text)


def parse_shell(text: str) -> dict[str, str]:
    """``name="value"`` lines of ``-f shell`` (quotes escaped with \\)."""
    result = {}
    for line in text.splitlines():
        name, _, quoted = line.partition('=')
        assert quoted.startswith('"') and quoted.endswith('"'), line
        result[name] = quoted[1:-1].replace('\\"', '"')
    return result


def value_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def assert_no_repr(text: str) -> None:
    """csv/value/table output must not contain Python reprs."""
    for marker in ("{'", "['", "'}", "']", 'True', 'False', 'None'):
        assert marker not in text, f'Python repr {marker!r} in:\n{text}'


def assert_one_line_error(result: base.CommandResult, *fragments: str,
                          exit_code: int = 1) -> str:
    """The command failed with one clear line on stderr, no traceback."""
    assert result.returncode == exit_code, str(result)
    assert 'Traceback' not in result.stderr, str(result)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f'expected one error line:\n{result}'
    line = lines[0]
    for fragment in fragments:
        assert fragment.lower() in line.lower(), (
            f'{fragment!r} not in the error line {line!r}')
    assert result.stdout.strip() == '', str(result)
    return line


# --------------------------------------------------------------------------
# direct HTTP to the sandbox (test data set-up only)
# --------------------------------------------------------------------------

def api(endpoint: str, method: str, path: str, body: Any = None,
        tenant: str | None = None, params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None) -> Any:
    """One request to the sandbox; returns the decoded JSON body or None."""
    url = endpoint.rstrip('/') + '/' + path.lstrip('/')
    if params:
        url += '?' + urllib.parse.urlencode(params)
    data = None if body is None else json.dumps(body).encode('utf-8')
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header('Accept', 'application/json')
    if data is not None:
        request.add_header('Content-Type', 'application/json')
    if tenant is not None:
        request.add_header('X-Auth-Token', tenant)
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            raw = response.read()
    except urllib.error.HTTPError as err:
        raise AssertionError(
            f'{method} {url} -> {err.code}: {err.read()[:500]!r}') from None
    return json.loads(raw) if raw else None


def post_metrics(endpoint: str, tenant: str,
                 metrics: Iterable[Mapping[str, Any]]) -> int:
    """POST metrics in batches of at most 10,000; return how many."""
    batch: list[Mapping[str, Any]] = []
    total = 0
    for metric in metrics:
        batch.append(metric)
        if len(batch) == BATCH:
            api(endpoint, 'POST', 'metrics', batch, tenant=tenant)
            total += len(batch)
            batch = []
    if batch:
        api(endpoint, 'POST', 'metrics', batch, tenant=tenant)
        total += len(batch)
    return total


def metric(name: str, value: float, dimensions: Mapping[str, str] | None
           = None, timestamp_ms: int | None = None,
           value_meta: Mapping[str, str] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        'name': name, 'value': value,
        'timestamp': now_ms() if timestamp_ms is None else timestamp_ms}
    if dimensions:
        item['dimensions'] = dict(dimensions)
    if value_meta:
        item['value_meta'] = dict(value_meta)
    return item


def now_ms() -> int:
    return int(time.time() * 1000)


def iso_ms(epoch_ms: int) -> str:
    """Epoch ms -> ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (the measurement format)."""
    seconds, millis = divmod(int(epoch_ms), 1000)
    return time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(seconds)) + \
        f'.{millis:03d}Z'


def create_definition(endpoint: str, tenant: str, name: str,
                      expression: str, **fields: Any) -> dict[str, Any]:
    return api(endpoint, 'POST', 'alarm-definitions',
               {'name': name, 'expression': expression, **fields},
               tenant=tenant)


def create_notification(endpoint: str, tenant: str, name: str,
                        type: str = 'EMAIL', address: str = 'a@example.com',
                        period: int = 0) -> dict[str, Any]:
    return api(endpoint, 'POST', 'notification-methods',
               {'name': name, 'type': type, 'address': address,
                'period': period}, tenant=tenant)
