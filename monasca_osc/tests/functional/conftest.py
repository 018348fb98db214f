"""Session fixtures for the functional tests.

* ``sandbox``: a no-Keystone sandbox (``--enable-test-api``); started on
  first use, also implicitly by ``base.run_openstack``/``run_monasca``.
* ``keystone``: a real Keystone (``tools/keystone_sandbox.py``) plus a
  second sandbox behind keystonemiddleware, registered in Keystone's catalog
  as the ``monitoring`` service. Tests marked ``@pytest.mark.keystone`` get it
  automatically. Without an installed Keystone venv they FAIL, unless
  ``MONASCA_OSC_NO_KEYSTONE=1`` says to skip them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monasca_osc.tests.functional import base


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        'markers',
        'keystone: needs the real Keystone from tools/keystone_sandbox.py; '
        f'fails when it is not installed unless {base.ENV_NO_KEYSTONE}=1')
    config.addinivalue_line(
        'markers',
        'binary: run_openstack/run_monasca run the real console scripts in '
        'subprocesses (default: in-process; see functional/base.py)')


# The slowest modules (sum of their test durations, longest first), run
# first so that neither pytest-xdist worker is left with a long test at the
# end of the run. Only the order depends on this list, never a result; a
# module not named here keeps its place after these.
SLOW_FIRST = (
    'test_tour.py',
    'test_inprocess_parity.py',
    'test_robustness_corpus.py',
    'test_ingest.py',
    'test_robustness_faults.py',
    'test_live.py',
    'test_robustness_secrets.py',
    'test_commands_config.py',
    'test_commands_alarms.py',
    'test_commands_metrics.py',
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    # Everything under this directory runs commands against a sandbox
    # process: mark it so that `-m "not functional"` gives a quick unit-only
    # run.
    here = Path(__file__).parent
    loadgroup = getattr(config.option, 'loadgroup', False)
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.functional)
        # One worker runs every Keystone test (with --dist loadgroup), so
        # Keystone is set up once per run, not once per worker.
        if item.get_closest_marker('keystone') is not None and \
                item.get_closest_marker('xdist_group') is None:
            item.add_marker(pytest.mark.xdist_group('keystone'))
        if loadgroup:
            _group_node_id(item)
    _slow_first(items)


def _slow_first(items: list[pytest.Item]) -> None:
    """Order the run: the Keystone group, the ``SLOW_FIRST`` modules, then
    the rest as collected (the fast unit tests last).

    With ``-n 2 --dist loadgroup`` each ``xdist_group`` is one unit of work
    and every other test a unit of its own; pytest-xdist hands the units
    out in this order (its default ``--loadscope-reorder`` moves the
    biggest group first too). So one worker sets Keystone up and runs all
    of it while the other starts on the slowest modules, and the run ends
    on short tests. Tests of one module stay together and in their order,
    so module fixtures start once per worker.
    """
    here = Path(__file__).parent
    rank = {here / name: index for index, name in enumerate(SLOW_FIRST)}

    def key(indexed: tuple[int, pytest.Item]) -> tuple[int, int, int]:
        index, item = indexed
        keystone = any(mark.args[:1] == ('keystone',)
                       for mark in item.iter_markers('xdist_group'))
        return (0 if keystone else 1,
                rank.get(Path(str(item.path)), len(SLOW_FIRST)), index)

    items[:] = [item for _, item in sorted(enumerate(items), key=key)]


def _group_node_id(item: pytest.Item) -> None:
    """Give an xdist worker's item the ``@group`` node-id suffix by which
    ``--dist loadgroup`` sends a group to one worker.

    pytest-xdist adds it in its own collection hook, but (3.8) by writing
    ``item._nodeid``, which pytest >= 9.2 no longer reads (the id lives in
    ``item._id``), and before this hook has marked the Keystone tests: so
    without this every group was spread over both workers and each worker
    started its own Keystone. Runs last (``trylast``); a suffix xdist did
    set is kept.
    """
    groups = sorted({str(mark.args[0] if mark.args else
                         mark.kwargs.get('name', 'default'))
                     for mark in item.iter_markers('xdist_group')})
    suffix = '@' + '_'.join(groups)
    if not groups or item.nodeid.endswith(suffix):
        return
    grouped = item.nodeid + suffix
    if hasattr(item, '_id'):
        from _pytest.nodeid import coerce_node_id

        item._id = coerce_node_id(grouped)
    else:
        item._nodeid = grouped


def start_sandbox(**options: Any) -> Any:
    """Start a ``monasca_osc.testing.Sandbox`` (imported lazily: collection
    never needs the sandbox)."""
    from monasca_osc.testing import Sandbox

    return Sandbox(**options).start()


@pytest.fixture(scope='session')
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The shared no-Keystone sandbox (header-trust auth, test API on)."""
    server = start_sandbox(
        enable_test_api=True,
        log_file=tmp_path_factory.mktemp('sandbox') / 'sandbox.log')
    base.HARNESS.sandbox_endpoint = server.endpoint
    try:
        yield server
    finally:
        base.HARNESS.sandbox_endpoint = None
        server.stop()


@pytest.fixture(autouse=True)
def _lazy_sandbox(request: pytest.FixtureRequest) -> None:
    # run_openstack()/run_monasca() without an endpoint need the session
    # sandbox; start it on that first call rather than for every test.
    if base.HARNESS.sandbox_endpoint is None:
        base.HARNESS.start_sandbox = lambda: request.getfixturevalue('sandbox')


@pytest.fixture(scope='session')
def keystone(tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[base.KeystoneEnv]:
    """A real Keystone and a sandbox that validates its tokens."""
    if base.keystone_disabled():
        pytest.skip(f'{base.ENV_NO_KEYSTONE} is set')
    venv = base.keystone_venv()
    if venv is None:
        pytest.fail(base.KEYSTONE_MISSING, pytrace=False)

    workdir = tmp_path_factory.mktemp('keystone')
    sandbox_port = base.free_port()
    env = base.KeystoneEnv(
        venv, workdir, f'http://127.0.0.1:{sandbox_port}/v2.0')
    server = None
    try:
        try:
            env.start()
        except RuntimeError as exc:
            pytest.fail(f'Keystone did not start: {exc}', pytrace=False)
        base.HARNESS.last_keystone = env
        server = start_sandbox(
            port=sandbox_port, enable_test_api=True,
            keystone_url=env.auth_url, keystone_user='monasca',
            keystone_password=env.password('monasca'),
            keystone_project='service',
            log_file=workdir / 'sandbox.log')
        # If the sandbox chose its own port, fix the catalog to match.
        env.set_monitoring_url(server.endpoint)
        env.sandbox = server
        base.HARNESS.keystone = env
        base.HARNESS.clouds_yaml = env.clouds_yaml
        yield env
    finally:
        base.HARNESS.keystone = None
        base.HARNESS.clouds_yaml = None
        if server is not None:
            server.stop()
        env.stop()


@pytest.fixture(autouse=True)
def _binary_marker(request: pytest.FixtureRequest) -> Iterator[None]:
    # Tests marked `binary` run the real console scripts. Keystone tests
    # run in-process too; their real-binary smoke tests say binary=True.
    node = request.node
    base.HARNESS.binary = node.get_closest_marker('binary') is not None
    try:
        yield
    finally:
        base.HARNESS.binary = False


@pytest.fixture(autouse=True)
def _keystone_marker(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker('keystone') is not None:
        request.getfixturevalue('keystone')


def pytest_terminal_summary(terminalreporter: Any) -> None:
    env = base.HARNESS.last_keystone
    if env is not None:
        terminalreporter.write_line(
            f'keystone sandbox: up in {env.start_seconds:.1f}s')
