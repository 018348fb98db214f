"""The benchmark harness behind ``benchmarks/run`` (standard library only).

What it does, in order:

1. checks the project's Python (``--python``) can import OSC and monasca-osc;
2. prepares ``benchmarks/work/`` (git-ignored):

   * ``osc-venv``: a venv that sees the project venv's packages (a ``.pth``
     file runs ``site.addsitedir`` on them, so the editable install of
     monasca-osc is live) plus the minimal plugin of
     ``benchmarks/minimal_plugin`` installed with ``pip install -e``. Both
     plugins are installed side by side, so both start-up commands pay
     the same OSC plugin-loading work;
   * ``legacy-venv``: python-monascaclient 2.8.0 from PyPI;
   * ``data/*.jsonl``: the generated data sets;

3. starts the sandbox (``monasca_osc.testing.Sandbox``: ``python -m
   monasca_osc.sandbox --port 0``), loads
   the data set through ``POST /v2.0/metrics`` and runs the cases, each
   variant alternated with its baseline (A B A B ...);
4. writes the report (medians, min/max, ratios, peak RSS, the sandbox's CPU
   time per run, profiles of missed targets, environment).

Every child runs with a time limit; every request loop is bounded.
"""

from __future__ import annotations

import argparse
import collections
from collections.abc import Callable
import datetime
import json
import os
from pathlib import Path
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
# The sandbox launcher (standard library only) from the source tree, whichever
# Python runs this script.
sys.path.insert(0, str(REPO))
from monasca_osc import testing  # noqa: E402

WORK = BENCH / 'work'

LEGACY_VERSION = '2.8.0'
# keystoneauth's "none" auth plugin sends "X-Auth-Token: notused"; the
# sandbox takes a lone token as the tenant id. The data set is loaded for
# that tenant, and every client below sends the same token.
TENANT = 'notused'

SIZES = {
    # name: (repetitions of start-up cases, repetitions of the heavy cases,
    #        measurements paged, metrics ingested)
    'full': {'reps': 7, 'heavy_reps': 3, 'points': 1_000_000,
             'ingest': 1_000_000, 'timeout': 900},
    'quick': {'reps': 3, 'heavy_reps': 3, 'points': 50_000,
              'ingest': 20_000, 'timeout': 300},
}
LIST_METRICS = 100        # metrics returned by the start-up "metric list"
PAGE = 10_000             # the API's maximum page size
INGEST_BATCH = 1000       # monasca_osc.ingest.options.DEFAULT_BATCH_SIZE
PAGING_NAME = 'bench.paging'
PAGING_DIMS = {'hostname': 'bench-host', 'service': 'benchmark'}

TARGETS = {
    'startup': 1.05,      # monitoring metric list / minimal plugin
    'import_ms': 15.0,    # plugin + command modules on top of OSC
    'legacy': 0.5,        # our monasca / legacy monasca
    'paging': 1.3,        # -f csv (and value, json) / plain requests loop
    'paging_cpu_text': 2.5,   # client CPU, csv and value / plain loop
    'paging_cpu_json': 3.0,   # client CPU, json / plain loop
    'sandbox_paging_cpu': 2.0,  # sandbox CPU serving / plain loop's CPU
    'sandbox_ingest_cpu': 1.5,  # sandbox CPU during ingest / plain client
    'paging_rss_mb': 64,  # growth over `openstack --version`
    'ingest': 0.8,        # throughput, ours / plain loop
    'ingest_rss_mb': 100,
    'backtest': 2.0,      # backtest / measurement list -f value, same data
}
BACKTEST_DEFINITION = 'bench-backtest'


def log(message: str) -> None:
    print(f'[{time.strftime("%H:%M:%S")}] {message}', flush=True)


# -- running and measuring one command ----------------------------------------
class Sample:
    """One timed run of a command."""

    def __init__(self, wall: float, cpu: float, rss_mb: float, rc: int,
                 server_cpu: float, other_cpu: float, stdout: str = '',
                 stderr: str = ''):
        self.wall = wall            # seconds, wall clock
        self.cpu = cpu              # seconds, user + system of the client
        self.rss_mb = rss_mb        # peak RSS of the client (MiB)
        self.rc = rc
        self.server_cpu = server_cpu  # seconds of sandbox CPU meanwhile
        # Seconds of CPU that other processes on the machine used
        # meanwhile: a noise indicator (0 on an otherwise idle machine).
        self.other_cpu = other_cpu
        self.stdout = stdout
        self.stderr = stderr


# A tiny launcher between the harness and the measured command. Linux
# records a process's RSS high-water mark at exec() time, so a child forked
# straight from the harness would report at least the harness's own RSS;
# forked from this ~10 MB launcher it reports its own peak. The launcher
# also takes the wall time around fork/exec/wait4, without its own start-up.
LAUNCHER = """
import json, os, sys, time
result_fd, argv = int(sys.argv[1]), sys.argv[2:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
os.write(result_fd, json.dumps([
    wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss,
    os.waitstatus_to_exitcode(status)]).encode())
"""


def busy_cpu_seconds() -> float:
    """CPU seconds all processes of the machine used so far (/proc/stat)."""
    with open('/proc/stat') as stat:
        fields = [int(f) for f in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf('SC_CLK_TCK')


def measure(cmd: list[str], env: dict[str, str], *, timeout: float,
            server: Sandbox | None = None, capture: bool | Path = False,
            check: bool = True) -> Sample:
    """Run ``cmd`` once through the launcher; return its wall time, CPU,
    peak RSS (``wait4()`` rusage of exactly this child) and the CPU the
    sandbox and the rest of the machine used meanwhile.

    Output goes to /dev/null, or with ``capture=True`` to a temporary file
    that is read back (a full pipe can never block the child), or with
    ``capture=<path>`` to that file (large outputs stay out of memory).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        if isinstance(capture, Path):
            stdout = open(capture, 'wb')
        else:
            stdout = out if capture else subprocess.DEVNULL
        read_fd, write_fd = os.pipe()
        server_before = server.cpu_seconds() if server else 0.0
        busy_before = busy_cpu_seconds()
        try:
            proc = subprocess.Popen(
                [sys.executable, '-I', '-S', '-c', LAUNCHER, str(write_fd),
                 *cmd], env=env, stdin=subprocess.DEVNULL, stdout=stdout,
                stderr=err, pass_fds=(write_fd,), start_new_session=True)
        finally:
            os.close(write_fd)
            if isinstance(capture, Path):
                stdout.close()
        timer = threading.Timer(timeout, _kill_group, (proc,))
        timer.start()
        try:
            with os.fdopen(read_fd, 'rb') as result:
                report = result.read()
            proc.wait()
        finally:
            timer.cancel()
        server_cpu = (server.cpu_seconds() - server_before) if server else 0.0
        busy = busy_cpu_seconds() - busy_before
        err.seek(0)
        stderr = err.read().decode('utf-8', 'replace')
        if not report:
            raise RuntimeError(f'{cmd[0]} was killed or could not start '
                               f'(launcher exit {proc.returncode}): '
                               f'{stderr[-1000:]}')
        wall, cpu, maxrss_kb, rc = json.loads(report)
        out.seek(0)
        sample = Sample(wall, cpu, maxrss_kb / 1024.0, rc, server_cpu,
                        max(0.0, busy - cpu - server_cpu),
                        out.read().decode('utf-8', 'replace')
                        if capture is True else '', stderr)
    if check and sample.rc != 0:
        raise RuntimeError(
            f'command failed (exit {sample.rc}): {" ".join(cmd)}\n'
            f'{sample.stderr[-2000:]}')
    return sample


def _kill_group(proc: subprocess.Popen) -> None:
    log(f'time limit reached, killing {proc.args[-1]} (pid {proc.pid})')
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def alternate(variants: dict[str, Callable], reps: int,
              warm_up: bool = True) -> dict[str, list]:
    """Run each variant ``reps`` times, interleaved: A B A B ...

    One untimed warm-up run of each variant first (page cache, .pyc files,
    stevedore's entry-point cache), unless ``warm_up`` is false.
    """
    for run in variants.values() if warm_up else ():
        run()
    samples: dict[str, list[Sample]] = {name: [] for name in variants}
    for rep in range(reps):
        for name, run in variants.items():
            samples[name].append(run())
        log(f'  repetition {rep + 1}/{reps} done')
    return samples


# -- the sandbox --------------------------------------------------------------
class Sandbox(testing.Sandbox):
    """The project's launcher (``monasca_osc.testing``) as the cases want it:
    a fresh database file, no evaluator ticks (they would add server CPU at
    random moments), no test API, errors only in the log."""

    # ``--sandbox-cmd`` replaces ``python -m monasca_osc.sandbox``: another
    # server that takes --host, --port and --db and prints the same line.
    server_command: list[str] | None = None

    def __init__(self, python: str, db: Path | None, logfile: Path,
                 env: dict[str, str]):
        super().__init__(db, python=python, eval_interval=0,
                         enable_test_api=False, quiet=True,
                         command=self.server_command, env=env,
                         log_file=logfile, startup_timeout=60)
        self._ticks = os.sysconf('SC_CLK_TCK')

    def start(self) -> Sandbox:
        if self.db is not None:
            # A fresh database: the file and SQLite's WAL companions.
            for suffix in ('', '-wal', '-shm', '-journal'):
                Path(f'{self.db}{suffix}').unlink(missing_ok=True)
        super().start()
        return self

    def cpu_seconds(self) -> float:
        """utime + stime of the sandbox process (all its threads)."""
        with open(f'/proc/{self.pid}/stat') as stat:
            fields = stat.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / self._ticks


# -- environments -------------------------------------------------------------
class Env:
    """The interpreters, venvs and commands the cases use."""

    def __init__(self, python: str, quick: bool):
        self.python = python
        self.quick = quick
        self.osc_venv = WORK / 'osc-venv'
        self.legacy_venv = WORK / 'legacy-venv'
        self.osc_python = str(self.osc_venv / 'bin' / 'python')
        self.openstack = str(self.osc_venv / 'bin' / 'openstack')
        self.monasca: list[str] | None = None
        self.legacy: str | None = None
        self.legacy_reason = ''
        self.pyspy: str | None = None
        self.base_env = clean_env()

    def run_py(self, code: str, python: str | None = None) -> str:
        return subprocess.run([python or self.python, '-c', code],
                              env=self.base_env, capture_output=True,
                              text=True, check=True, timeout=120).stdout

    def check_project(self) -> None:
        try:
            self.run_py('import openstackclient.shell, monasca_osc.plugin, '
                        'requests')
        except subprocess.CalledProcessError as err:
            raise SystemExit(
                f'{self.python} cannot import python-openstackclient, '
                f'monasca-osc and requests; give the project venv with '
                f'--python (tools/run-tests creates .venv)\n{err.stderr}'
            ) from None

    def prepare_osc_venv(self) -> None:
        """A venv over the project's packages, plus the minimal plugin."""
        purelib = self.run_py('import sysconfig; '
                              'print(sysconfig.get_paths()["purelib"])').strip()
        marker = self.osc_venv / 'base-python.txt'
        if not (marker.exists() and marker.read_text() == self.python):
            shutil.rmtree(self.osc_venv, ignore_errors=True)
            log(f'creating {self.osc_venv.relative_to(REPO)}')
            subprocess.run([self.python, '-m', 'venv', '--without-pip',
                            str(self.osc_venv)], check=True,
                           env=self.base_env)
            site = self.run_py('import sysconfig; '
                               'print(sysconfig.get_paths()["purelib"])',
                               python=self.osc_python).strip()
            # addsitedir (not a plain path line) so the project venv's own
            # .pth files run too: they hold the editable install.
            Path(site, '_monasca_osc_bench_inherit.pth').write_text(
                f'import site; site.addsitedir({purelib!r})\n')
            marker.write_text(self.python)
        installed = subprocess.run(
            [self.osc_python, '-c', 'import benchmon_plugin'],
            env=self.base_env, capture_output=True).returncode == 0
        if not installed:
            log('installing the minimal plugin (pip install -e)')
            pip = [self.osc_python, '-m', 'pip', 'install', '--quiet',
                   '--no-deps', '--disable-pip-version-check']
            done = subprocess.run(
                pip + ['--no-build-isolation', '-e',
                       str(BENCH / 'minimal_plugin')],
                env=self.base_env, capture_output=True, text=True)
            if done.returncode != 0:
                # No setuptools/wheel in the project venv: let pip fetch
                # them into an isolated build environment.
                done = subprocess.run(
                    pip + ['-e', str(BENCH / 'minimal_plugin')],
                    env=self.base_env, capture_output=True, text=True)
            if done.returncode != 0:
                # Offline, without setuptools' wheel support: do by hand
                # what an editable install does (a .pth and a dist-info).
                log('pip could not install it (offline?); installing it by '
                    'hand: ' + (done.stderr.strip().splitlines()
                                or ['?'])[-1])
                self._install_minimal_plugin_by_hand()

        # The same launcher pip writes for the console script.
        launcher = Path(self.openstack)
        launcher.write_text(f'#!{self.osc_python}\nimport sys\n'
                            'from openstackclient.shell import main\n'
                            'sys.exit(main())\n')
        launcher.chmod(0o755)
        # Our `monasca` command: the project's own console script if there
        # is one next to its Python, else the same entry point.
        script = Path(self.python).parent / 'monasca'
        if script.exists():
            self.monasca = [str(script)]
        else:
            self.monasca = [self.python, '-c', 'import sys; from '
                            'monasca_osc.shell import main; sys.exit(main())']

    def _install_minimal_plugin_by_hand(self) -> None:
        site = Path(self.run_py('import sysconfig; '
                                'print(sysconfig.get_paths()["purelib"])',
                                python=self.osc_python).strip())
        (site / 'benchmon_minimal_plugin.pth').write_text(
            f'{BENCH / "minimal_plugin"}\n')
        info = site / 'benchmon_minimal_plugin-1.0.dist-info'
        info.mkdir(exist_ok=True)
        (info / 'METADATA').write_text(
            'Metadata-Version: 2.1\nName: benchmon-minimal-plugin\n'
            'Version: 1.0\n')
        (info / 'entry_points.txt').write_text(
            '[openstack.cli.extension]\nbenchmon = benchmon_plugin\n\n'
            '[openstack.benchmon.v1]\n'
            'benchmon_metric_list = benchmon_plugin:ListMetric\n')

    def prepare_legacy_venv(self) -> None:
        """python-monascaclient 2.8.0 from PyPI, in its own venv."""
        python = self.legacy_venv / 'bin' / 'python'
        check = ('import importlib.metadata as m; '
                 'print(m.version("python-monascaclient"))')
        if python.exists():
            got = subprocess.run([str(python), '-c', check],
                                 env=self.base_env, capture_output=True,
                                 text=True)
            if got.stdout.strip() == LEGACY_VERSION:
                self.legacy = str(self.legacy_venv / 'bin' / 'monasca')
                return
        shutil.rmtree(self.legacy_venv, ignore_errors=True)
        log(f'installing python-monascaclient {LEGACY_VERSION} from PyPI '
            f'into {self.legacy_venv.relative_to(REPO)}')
        subprocess.run([self.python, '-m', 'venv', str(self.legacy_venv)],
                       check=True, env=self.base_env)
        try:
            done = subprocess.run(
                [str(python), '-m', 'pip', 'install', '--quiet',
                 '--disable-pip-version-check',
                 f'python-monascaclient=={LEGACY_VERSION}'],
                env=self.base_env, capture_output=True, text=True,
                timeout=600)
        except subprocess.TimeoutExpired:
            done = None
        if done is None or done.returncode != 0:
            self.legacy_reason = (
                'pip could not install python-monascaclient '
                f'{LEGACY_VERSION} (is PyPI reachable?): '
                + ((done.stderr or '').strip().splitlines()
                   or ['timeout'])[-1])
            log(self.legacy_reason)
            return
        self.legacy = str(self.legacy_venv / 'bin' / 'monasca')

    def prepare_pyspy(self) -> None:
        """py-spy (a PyPI wheel with the binary) for sampling profiles."""
        binary = self.osc_venv / 'bin' / 'py-spy'
        if not binary.exists():
            log('installing py-spy from PyPI (profiles)')
            subprocess.run([self.osc_python, '-m', 'pip', 'install',
                            '--quiet', '--disable-pip-version-check',
                            'py-spy'], env=self.base_env,
                           capture_output=True, timeout=300)
        if binary.exists():
            self.pyspy = str(binary)

    def versions(self) -> dict[str, str]:
        code = textwrap.dedent('''
            import importlib.metadata as m, json
            names = ["monasca-osc", "python-openstackclient", "osc-lib",
                     "cliff", "openstacksdk", "keystoneauth1", "stevedore",
                     "cmd2", "requests", "python-monascaclient"]
            out = {}
            for name in names:
                try:
                    out[name] = m.version(name)
                except m.PackageNotFoundError:
                    pass
            print(json.dumps(out))
        ''')
        ours = json.loads(self.run_py(code))
        if self.legacy:
            legacy = json.loads(self.run_py(
                code, python=str(self.legacy_venv / 'bin' / 'python')))
            for name, version in legacy.items():
                if name not in ours:
                    ours[name] = version
                elif ours[name] != version:
                    ours[f'{name} (legacy venv)'] = version
        return ours


def clean_env() -> dict[str, str]:
    """The caller's environment without OpenStack or Monasca settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(('OS_', 'MONASCA_', 'PYTHON', 'VIRTUAL_ENV'))}
    env['LC_ALL'] = env.get('LC_ALL') or 'C.UTF-8'
    return env


# -- data sets ----------------------------------------------------------------
def now_ms() -> int:
    return int(time.time() * 1000)


def write_paging_data(path: Path, points: int, start_ms: int) -> None:
    """The start-up metrics plus one long series for paging.

    ``LIST_METRICS`` small metrics (what ``metric list`` returns), then
    ``points`` measurements of one metric, one per millisecond.
    """
    with open(path, 'w') as out:
        for i in range(LIST_METRICS):
            out.write(json.dumps({
                'name': f'bench.list.{i % 10}',
                'dimensions': {'hostname': f'host-{i // 10}',
                               'service': 'benchmark'},
                'timestamp': start_ms, 'value': float(i)}) + '\n')
        dims = json.dumps(PAGING_DIMS)
        for i in range(points):
            out.write(f'{{"name": "{PAGING_NAME}", "dimensions": {dims}, '
                      f'"timestamp": {start_ms + i}, "value": {i % 1000}.5}}'
                      '\n')


def write_ingest_data(path: Path, count: int, start_ms: int) -> None:
    """``count`` metrics over 1,000 series (10 names x 100 hosts)."""
    with open(path, 'w') as out:
        for i in range(count):
            out.write(
                f'{{"name": "bench.ingest.{i % 10}", "dimensions": '
                f'{{"hostname": "host-{i // 10 % 100}", "service": '
                f'"benchmark"}}, "timestamp": {start_ms + i // 1000}, '
                f'"value": {i % 997}.25, "value_meta": {{"run": "bench"}}}}'
                '\n')


def iso(ms: int) -> str:
    return datetime.datetime.fromtimestamp(
        ms / 1000, datetime.UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


# -- statistics ---------------------------------------------------------------
def med(values: list[float]) -> float:
    return statistics.median(values) if values else float('nan')


def summary(samples: list[Sample]) -> dict[str, float]:
    walls = [s.wall for s in samples]
    return {'median': med(walls), 'min': min(walls), 'max': max(walls),
            'cpu': med([s.cpu for s in samples]),
            'rss': med([s.rss_mb for s in samples]),
            'rss_max': max(s.rss_mb for s in samples),
            'server': med([s.server_cpu for s in samples]),
            'other': med([s.other_cpu for s in samples]),
            'n': len(samples)}


# -- profiles -----------------------------------------------------------------
def pyspy_top(raw: Path, limit: int = 12) -> list[tuple[str, float, float]]:
    """(function, self %, total %) from py-spy's raw (collapsed) output."""
    own: collections.Counter = collections.Counter()
    total: collections.Counter = collections.Counter()
    samples = 0
    for line in raw.read_text(errors='replace').splitlines():
        stack, _, count = line.rpartition(' ')
        if not stack or not count.isdigit():
            continue
        frames = [_short_frame(f) for f in stack.split(';')]
        samples += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            total[frame] += int(count)
    if not samples:
        return []
    return [(frame, 100.0 * n / samples, 100.0 * total[frame] / samples)
            for frame, n in own.most_common(limit)]


def _short_frame(frame: str) -> str:
    # "function (path/to/module.py:123)" -> "function (module.py:123)"
    match = re.match(r'(.*) \((.*/)?([^/]+)\)$', frame)
    return f'{match.group(1)} ({match.group(3)})' if match else frame


def cprofile_top(stats_file: Path, limit: int = 12) -> list[str]:
    import pstats

    stream = []

    class Sink:
        def write(self, text: str) -> None:
            stream.append(text)

    stats = pstats.Stats(str(stats_file), stream=Sink())
    stats.sort_stats('tottime').print_stats(limit)
    lines = ''.join(stream).splitlines()
    start = next((i for i, line in enumerate(lines)
                  if line.strip().startswith('ncalls')), 0)
    return [line.replace(str(REPO) + '/', '') for line in lines[start:]
            if line.strip()]


# -- the cases ----------------------------------------------------------------
class Bench:
    def __init__(self, args: argparse.Namespace, env: Env):
        self.args = args
        self.env = env
        self.size = SIZES['quick' if args.quick else 'full']
        if args.reps:
            self.size = dict(self.size, reps=args.reps, heavy_reps=args.reps)
        self.results: dict[str, dict] = {}
        self.notes: list[str] = []
        self.sandbox: Sandbox | None = None
        self.run_env = clean_env()
        self.data_dir = WORK / 'data'
        self.start_ms = 0
        self.profiles = args.profile if args.profile is not None \
            else not args.quick
        self.load = os.getloadavg()

    # ---- helpers
    def osc(self, *argv: str, url: str | None = None) -> list[str]:
        return [self.env.openstack, '--os-auth-type', 'none',
                '--os-endpoint', url or self.sandbox.endpoint, *argv]

    def run(self, cmd: list[str], server: Sandbox | None = None,
            **kwargs) -> Sample:
        return measure(cmd, self.run_env, timeout=self.size['timeout'],
                       server=server or self.sandbox, **kwargs)

    # ---- set-up
    def start_sandbox(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.sandbox = Sandbox(self.env.python, WORK / 'bench.db',
                               WORK / 'sandbox.log', self.run_env).start()
        log(f'sandbox at {self.sandbox.url} (pid {self.sandbox.pid})')
        points = self.size['points']
        # Old enough that every point is in the past, recent enough for
        # any sanity check on timestamps.
        self.start_ms = now_ms() - points - 3_600_000
        data = self.data_dir / f'paging-{points}.jsonl'
        write_paging_data(data, points, self.start_ms)
        log(f'loading {points + LIST_METRICS:,} metrics '
            f'(POST /v2.0/metrics, batches of {PAGE:,})')
        sample = self.run([self.env.python, str(BENCH / 'plain_client.py'),
                           'ingest', '--url', self.sandbox.endpoint, '--token',
                           TENANT, '--file', str(data), '--batch', str(PAGE)],
                          capture=True)
        self.results['load'] = {'metrics': points + LIST_METRICS,
                                'sample': sample}
        log(f'  loaded in {sample.wall:.1f}s '
            f'(sandbox CPU {sample.server_cpu:.1f}s)')

    # ---- case 1: start-up against the minimal plugin
    def case_startup(self) -> None:
        log('case 1: start-up, monitoring metric list vs minimal plugin')
        ours = self.osc('monitoring', 'metric', 'list', '-f', 'json')
        minimal = self.osc('benchmon', 'metric', 'list', '-f', 'json')
        version = [self.env.openstack, '--version']
        # Same output: the same metrics, the same columns.
        a = json.loads(self.run(ours, capture=True).stdout)
        b = json.loads(self.run(minimal, capture=True).stdout)
        same = a == b and len(a) >= LIST_METRICS
        if not same:
            self.notes.append(
                f'Case 1: the two commands printed different output '
                f'({len(a)} vs {len(b)} rows).')
        samples = alternate({
            'ours': lambda: self.run(ours),
            'minimal': lambda: self.run(minimal),
            'version': lambda: self.run(version),
        }, self.size['reps'])
        self.results['startup'] = {'samples': samples, 'rows': len(a),
                                   'same_output': same}
        self.results['startup']['modules'] = self.import_diff(
            ours, minimal)

    def import_diff(self, cmd_a: list[str], cmd_b: list[str],
                    python_a: str | None = None,
                    python_b: str | None = None) -> dict:
        """Modules one command imports that the other does not.

        Both commands run once under ``-X importtime``; the result lists,
        per top-level package, the summed self time of modules only ``a``
        imported, and the total import time of each.
        """
        def importtime(cmd: list[str], python: str) -> dict[str, int]:
            # cmd[0] is a console script: run its Python with -X importtime.
            run = measure([python, '-X', 'importtime', *cmd],
                          self.run_env, timeout=120, capture=True)
            times = {}
            for match in re.finditer(
                    r'import time:\s+(\d+)\s+\|\s+\d+\s+\|\s*(\S+)',
                    run.stderr):
                times[match.group(2)] = int(match.group(1))
            return times

        a = importtime(cmd_a, python_a or self.env.osc_python)
        b = importtime(cmd_b, python_b or self.env.osc_python)
        only_a: collections.Counter = collections.Counter()
        only_b: collections.Counter = collections.Counter()
        for name, us in a.items():
            if name not in b:
                only_a[name.split('.')[0]] += us
        for name, us in b.items():
            if name not in a:
                only_b[name.split('.')[0]] += us
        return {'total_a_ms': sum(a.values()) / 1000,
                'total_b_ms': sum(b.values()) / 1000,
                'modules_a': len(a), 'modules_b': len(b),
                'only_a': [(k, v / 1000) for k, v in only_a.most_common(12)],
                'only_b': [(k, v / 1000) for k, v in only_b.most_common(12)]}

    # ---- case 2: import cost
    def case_import(self) -> None:
        log('case 2: import cost of the plugin and command modules')
        sample = measure([self.env.osc_python,
                          str(BENCH / 'import_cost.py'),
                          '--python', self.env.osc_python, '--reps',
                          str(max(5, self.size['reps']))],
                         self.run_env, timeout=300, capture=True)
        self.results['import'] = json.loads(sample.stdout)

    # ---- case 3: our monasca vs the legacy monasca
    def case_legacy(self) -> None:
        log('case 3: monasca metric-list, ours vs python-monascaclient '
            f'{LEGACY_VERSION}')
        if not self.env.legacy:
            self.results['legacy'] = {'skipped': self.env.legacy_reason}
            return
        if not _has_module(self.env, 'monasca_osc.shell'):
            self.results['legacy'] = {
                'skipped': 'monasca_osc.shell (our `monasca`) is not there '
                           'yet'}
            return
        # The same no-Keystone options work for both: admin_token sends
        # the token as X-Auth-Token, the endpoint is the API root.
        auth = ['--os-auth-type', 'admin_token', '--os-endpoint',
                self.sandbox.endpoint, '--os-token', TENANT]
        ours = [*self.env.monasca, *auth, 'metric-list']
        legacy = [self.env.legacy, *auth, 'metric-list']
        a = self.run(ours, capture=True)
        b = self.run(legacy, capture=True)
        rows_a = a.stdout.count('bench.list.')
        rows_b = b.stdout.count('bench.list.')
        if rows_a != rows_b or rows_a < LIST_METRICS:
            self.notes.append(
                f'Case 3: the commands listed {rows_a} and {rows_b} of the '
                f'{LIST_METRICS} bench.list metrics.')
        samples = alternate({'ours': lambda: self.run(ours),
                             'legacy': lambda: self.run(legacy)},
                            self.size['reps'])
        self.results['legacy'] = {
            'samples': samples, 'rows': (rows_a, rows_b),
            'modules': self.import_diff(
                ours, legacy, python_a=self.env.python,
                python_b=str(self.env.legacy_venv / 'bin' / 'python'))
            if self.env.monasca[0].endswith('monasca') else None}

    # ---- case 4: paging
    def case_paging(self) -> None:
        points = self.size['points']
        log(f'case 4: paging {points:,} measurements')
        start = iso(self.start_ms - 1000)
        measurement = ['monitoring', 'measurement', 'list', '--name',
                       PAGING_NAME, '--start', start]
        cmds = {
            'csv': self.osc(*measurement, '-f', 'csv'),
            'plain': [self.env.python, str(BENCH / 'plain_client.py'),
                      'pages', '--url', self.sandbox.endpoint,
                      '--token', TENANT,
                      '--name', PAGING_NAME, '--start', start],
            'value': self.osc(*measurement, '-f', 'value'),
            'json': self.osc(*measurement, '-f', 'json'),
        }
        # Check once that every point arrives (csv: header + one line each).
        check = WORK / 'paging-check.csv'
        self.run(cmds['csv'], capture=check)
        with open(check, 'rb') as lines:
            got = sum(1 for _ in lines) - 1
        check.unlink()
        plain = json.loads(self.run(cmds['plain'], capture=True).stdout)
        if got != points or plain['points'] != points:
            self.notes.append(f'Case 4: expected {points} rows, csv printed '
                              f'{got} and the plain loop saw '
                              f'{plain["points"]}.')
        version = [self.env.openstack, '--version']
        baseline = [self.run(version) for _ in range(3)]
        reps = self.size['heavy_reps']
        # The check runs above were the warm-up.
        samples = alternate({name: (lambda c=cmd: self.run(c))
                             for name, cmd in cmds.items()}, reps,
                            warm_up=False)
        self.results['paging'] = {
            'samples': samples, 'points': points,
            'pages': plain['requests'],
            'baseline_rss': med([s.rss_mb for s in baseline])}
        if self.profiles:
            self.profile_paging(cmds)

    # ---- case 6: backtest over the paging data
    def case_backtest(self) -> None:
        points = self.size['points']
        log(f'case 6: backtest over {points:,} measurements')
        definitions = WORK / 'backtest-definitions.yaml'
        definitions.write_text(
            f'- name: {BACKTEST_DEFINITION}\n'
            f'  expression: avg({PAGING_NAME}{{service=benchmark}}) > 499 '
            'times 3\n'
            '  match_by: [hostname]\n')
        start = iso(self.start_ms - 1000)
        # Every point, plus the minutes the engine needs to see the end.
        end = iso(self.start_ms + points + 600_000)
        cmds = {
            'backtest': self.osc(
                'monitoring', 'alarm', 'definition', 'backtest',
                BACKTEST_DEFINITION, '--file', str(definitions), '--start',
                start, '--end', end, '-f', 'value'),
            'value': self.osc('monitoring', 'measurement', 'list', '--name',
                              PAGING_NAME, '--start', start, '--end', end,
                              '-f', 'value'),
        }
        transitions = self.run(cmds['backtest'], capture=True).stdout
        samples = alternate({name: (lambda c=cmd: self.run(c))
                             for name, cmd in cmds.items()},
                            self.size['heavy_reps'], warm_up=False)
        self.results['backtest'] = {
            'samples': samples, 'points': points,
            'transitions': len(transitions.splitlines())}

    def profile_paging(self, cmds: dict[str, list[str]]) -> None:
        """Where the time goes: the client (cProfile) and the sandbox."""
        log('  profiling the csv run (client: cProfile by CPU time; '
            'sandbox: py-spy)')
        prof = WORK / 'profile-paging-csv.prof'
        self.run([self.env.osc_python, str(BENCH / 'cpu_profile.py'),
                  str(prof), *cmds['csv']])
        self.results['paging']['client_profile'] = cprofile_top(prof)
        self.results['paging']['server_profile'] = self.pyspy_server(
            cmds['plain'], 'paging')[0]

    def pyspy_server(self, cmd: list[str], label: str,
                     sandbox: Sandbox | None = None,
                     profile_client: bool = False
                     ) -> tuple[list | None, list | None]:
        """Sample the sandbox (and optionally the client) with py-spy
        while ``cmd`` runs; return (sandbox top, client top)."""
        sandbox = sandbox or self.sandbox
        if not self.env.pyspy:
            return None, None
        server_raw = WORK / f'pyspy-sandbox-{label}.txt'
        client_raw = WORK / f'pyspy-client-{label}.txt'
        for raw in (server_raw, client_raw):
            raw.unlink(missing_ok=True)
        spy = subprocess.Popen(
            [self.env.pyspy, 'record', '--pid', str(sandbox.pid),
             '--rate', '200', '--format', 'raw', '--output',
             str(server_raw), '--nonblocking'], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        time.sleep(1.0)  # let py-spy attach
        if profile_client:
            cmd = [self.env.pyspy, 'record', '--rate', '200', '--format',
                   'raw', '--output', str(client_raw), '--nonblocking', '--',
                   *cmd]
        try:
            self.run(cmd, server=sandbox)
        finally:
            spy.send_signal(signal.SIGINT)
            try:
                spy.wait(30)
            except subprocess.TimeoutExpired:
                spy.kill()
        return (pyspy_top(server_raw) if server_raw.exists() else None,
                pyspy_top(client_raw) if client_raw.exists() else None)

    # ---- case 5: bulk ingest
    def case_ingest(self) -> None:
        count = self.size['ingest']
        log(f'case 5: bulk ingest of {count:,} metrics')
        data = self.data_dir / f'ingest-{count}.jsonl'
        write_ingest_data(data, count, now_ms() - 3_600_000)
        probe = self.run(self.osc('monitoring', 'metric', 'create', '--help'),
                         capture=True)
        if '--file' not in probe.stdout or not _has_module(
                self.env, 'monasca_osc.ingest.command'):
            self.results['ingest'] = {
                'skipped': 'monasca_osc.ingest is not there yet '
                           '(`metric create --file` needs it)'}
            return

        def fresh(name: str, cmd_for) -> Sample:
            # Every run gets an empty sandbox of its own, so neither side
            # inserts into a bigger database than the other.
            box = Sandbox(self.env.python, WORK / f'ingest-{name}.db',
                          WORK / 'sandbox-ingest.log', self.run_env).start()
            try:
                return self.run(cmd_for(box.endpoint), server=box)
            finally:
                box.stop()

        ours = lambda api: self.osc(  # noqa: E731
            'monitoring', 'metric', 'create', '--file', str(data),
            '--batch-size', str(INGEST_BATCH), url=api)
        plain = lambda api: [  # noqa: E731
            self.env.python, str(BENCH / 'plain_client.py'), 'ingest',
            '--url', api, '--token', TENANT, '--file', str(data),
            '--batch', str(INGEST_BATCH)]
        # No warm-up run: every run starts from an empty sandbox anyway,
        # and the data file is in the page cache since it was written.
        samples = alternate({'ours': lambda: fresh('ours', ours),
                             'plain': lambda: fresh('plain', plain)},
                            self.size['heavy_reps'], warm_up=False)
        self.results['ingest'] = {'samples': samples, 'metrics': count}
        if self.profiles:
            log('  profiling one run of ours (py-spy on client and sandbox)')
            box = Sandbox(self.env.python, WORK / 'ingest-ours.db',
                          WORK / 'sandbox-ingest.log', self.run_env).start()
            try:
                server, client = self.pyspy_server(
                    ours(box.endpoint), 'ingest', sandbox=box,
                    profile_client=True)
            finally:
                box.stop()
            self.results['ingest'].update(server_profile_ours=server,
                                          client_profile=client)

    # ---- driver
    def run_all(self) -> None:
        cases = self.args.cases
        self.start_sandbox()
        try:
            for name, case in (('startup', self.case_startup),
                               ('import', self.case_import),
                               ('legacy', self.case_legacy),
                               ('paging', self.case_paging),
                               ('ingest', self.case_ingest),
                               ('backtest', self.case_backtest)):
                if cases and name not in cases:
                    continue
                try:
                    case()
                except Exception as err:  # noqa: BLE001 - report, go on
                    log(f'case {name} failed: {err}')
                    self.results[name] = {'error': str(err)}
        finally:
            self.sandbox.stop()


def _has_module(env: Env, name: str) -> bool:
    code = f'import importlib.util as u; print(bool(u.find_spec({name!r})))'
    return env.run_py(code).strip() == 'True'


# -- the report ---------------------------------------------------------------
def fmt_s(seconds: float) -> str:
    return f'{seconds:.3f} s' if seconds < 10 else f'{seconds:.1f} s'


# Set by report(): at --quick size the paging and ingest ratios are
# dominated by fixed start-up costs, so their targets are not judged there.
_QUICK = False


def verdict(ok: bool) -> str:
    return 'met' if ok else '**missed**'


def judged(ok: bool) -> str:
    """The verdict on a target set for the full-size data (cases 4, 5)."""
    return 'not judged at quick size' if _QUICK else verdict(ok)


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ['| ' + ' | '.join(header) + ' |',
             '|' + '|'.join('---' for _ in header) + '|']
    lines += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    return lines


def wall_ratio_row(verdicts: list, label: str, target: float,
                   samples: dict[str, list[Sample]], a: str, b: str
                   ) -> tuple[float, bool]:
    """Median wall time of ``a`` over ``b``, checked against ``target``
    (at most), with its summary row (and the CPU cross-check) added to
    ``verdicts``."""
    ratio = med([x.wall for x in samples[a]]) / \
        med([x.wall for x in samples[b]])
    ok = ratio <= target
    verdicts.append((label, f'≤ {target}', f'{ratio:.3f} ({verdict(ok)})',
                     f'{cpu_ratio(samples, a, b):.3f}'))
    return ratio, ok


def cpu_ratio(samples: dict[str, list[Sample]], a: str, b: str) -> float:
    """Ratio of client + sandbox CPU seconds: a cross-check of a wall-time
    ratio that other processes on the machine can hardly distort (for
    sequential request loops, wall ~ client CPU + sandbox CPU + latency).
    """
    def cost(name: str) -> float:
        return med([x.cpu + x.server_cpu for x in samples[name]])
    return cost(a) / cost(b)


def sample_rows(samples: dict[str, list[Sample]],
                labels: dict[str, str]) -> list[list[str]]:
    rows = []
    for name, label in labels.items():
        s = summary(samples[name])
        share = s['server'] / s['median'] if s['median'] else 0.0
        rows.append([label, fmt_s(s['median']),
                     f'{fmt_s(s["min"])} / {fmt_s(s["max"])}',
                     fmt_s(s['cpu']), f'{s["rss"]:.0f} MiB',
                     f'{s["server"]:.2f} s ({share:.0%})',
                     f'{s["other"]:.2f} s'])
    return rows


SAMPLE_HEADER = ['variant', 'median wall', 'min / max', 'client CPU',
                 'peak RSS', 'sandbox CPU (share of wall)',
                 'other processes\' CPU']


def report(bench: Bench, env: Env, started: float) -> tuple[str, list]:
    global _QUICK
    _QUICK = bench.args.quick
    r = bench.results
    size = bench.size
    out: list[str] = []
    verdicts: list[tuple[str, ...]] = []  # (case, target, result, CPU)
    mode = 'quick' if bench.args.quick else 'full'
    out += ['# monasca-osc benchmarks', '',
            f'Generated by `benchmarks/run'
            f'{" --quick" if bench.args.quick else ""}` ({mode} size) on '
            f'{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}'
            f', in {time.time() - started:.0f} s. '
            f'Each timed case ran {size["reps"]} times (start-up cases) or '
            f'{size["heavy_reps"]} times (paging, ingest) after one untimed '
            'warm-up, variants alternated (A B A B ...). Times are medians; '
            'peak RSS is the child\'s `ru_maxrss` from `wait4()` (spawned '
            'from a small launcher, so the harness\'s own RSS cannot leak '
            'in); "sandbox CPU" is the user+system time the sandbox process '
            'used during the run (from `/proc/<pid>/stat`), so a slow server '
            'cannot hide a slow client; "other processes\' CPU" is the CPU '
            'the rest of the machine used meanwhile (`/proc/stat`), a noise '
            'indicator that should be near 0. Load average (1 min) at the '
            f'start {bench.load[0]:.2f}, at the end '
            f'{os.getloadavg()[0]:.2f}.', '']
    summary_at = len(out)

    # Case 1
    if 'startup' in r and 'samples' in r['startup']:
        c = r['startup']
        s = c['samples']
        ratio, ok = wall_ratio_row(verdicts, '1. start-up vs minimal plugin',
                                   TARGETS['startup'], s, 'ours', 'minimal')
        out += ['## 1. Start-up: `openstack monitoring metric list -f json`',
                '',
                f'`--os-auth-type none --os-endpoint <sandbox>/v2.0`, '
                f'{c["rows"]} metrics, one GET. The baseline is the minimal '
                'plugin in `benchmarks/minimal_plugin` (`openstack benchmon '
                'metric list -f json`: the same GET and columns, no '
                'validation, paging or error mapping). Both plugins are '
                'installed in the same venv, so both runs load both. Same '
                f'output: {"yes" if c["same_output"] else "**no**"}.', '']
        out += table(SAMPLE_HEADER, sample_rows(s, {
            'ours': '`monitoring metric list`',
            'minimal': '`benchmon metric list` (minimal)',
            'version': '`openstack --version` (OSC floor)'}))
        out += ['', f'**Ratio ours / minimal: {ratio:.3f}** (target ≤ '
                f'{TARGETS["startup"]}: {verdict(ok)}; by client+sandbox CPU '
                f'{cpu_ratio(s, "ours", "minimal"):.3f}). Above the OSC '
                f'floor: ours +{floor_gap(s, "ours"):.3f} s, minimal '
                f'+{floor_gap(s, "minimal"):.3f} s.',
                '']
        out += import_diff_lines(c.get('modules'), 'ours', 'minimal')

    # Case 2
    if 'import' in r and 'median_total_ms' in r['import']:
        c = r['import']
        total = c['median_total_ms']
        ok = total <= TARGETS['import_ms']
        verdicts.append(('2. import cost', f'≤ {TARGETS["import_ms"]:.0f} ms',
                         f'{total:.1f} ms ({verdict(ok)})', ''))
        out += ['## 2. Import cost of the plugin and command modules', '',
                '`python -X importtime`, after `import openstackclient.shell` '
                '(which already imports `monasca_osc.plugin` through its '
                f'plugin scan); then the {c["modules"] - 1} command modules '
                'of the `openstack.monitoring.v2` entry points. The sum of '
                'the *self* times of every module imported for them (ours '
                'and any third-party module they pull in) is the added cost; '
                'the wall clock is measured separately without '
                'instrumentation (plugin module excluded there).', '']
        out += table(['measure', 'median', 'runs'], [
            ['importtime, all added modules', f'{total:.1f} ms',
             ', '.join(f'{v:.1f}' for v in c['importtime_total_ms'])],
            ['  of which monasca_osc.*',
             f'{med(c["importtime_ours_ms"]):.1f} ms',
             ', '.join(f'{v:.1f}' for v in c['importtime_ours_ms'])],
            ['  of which third-party',
             f'{med(c["importtime_other_ms"]):.1f} ms',
             ', '.join(f'{v:.1f}' for v in c['importtime_other_ms'])],
            ['wall clock (perf_counter)', f'{c["median_wall_ms"]:.1f} ms',
             ', '.join(f'{v:.1f}' for v in c['wall_ms'])]])
        out += ['', f'**{total:.1f} ms** (target ≤ {TARGETS["import_ms"]:.0f}'
                f' ms: {verdict(ok)}). Slowest modules (self time, median '
                'run): ' + ', '.join(f'`{n}` {us / 1000:.1f} ms'
                                     for n, us in c['top_modules'][:8])
                + '.']
        if c['third_party']:
            out += ['', 'Third-party modules newly imported: '
                    + ', '.join(f'`{n}` {us / 1000:.1f} ms'
                                for n, us in c['third_party'][:10]) + '.']
        else:
            out += ['', 'No third-party module is newly imported.']
        out += ['']

    # Case 3
    if 'legacy' in r:
        c = r['legacy']
        out += ['## 3. `monasca metric-list`: ours vs python-monascaclient '
                f'{LEGACY_VERSION}', '']
        if 'samples' in c:
            s = c['samples']
            ratio, ok = wall_ratio_row(verdicts, '3. `monasca` vs legacy',
                                       TARGETS['legacy'], s, 'ours',
                                       'legacy')
            out += ['Both with `--os-auth-type admin_token --os-endpoint '
                    f'<sandbox>/v2.0 --os-token {TENANT}` (no Keystone), the '
                    f'same sandbox and data ({c["rows"][0]} / {c["rows"][1]} '
                    'rows listed), default table output. The legacy client '
                    'is installed from PyPI in `benchmarks/work/legacy-venv`.',
                    '']
            out += table(SAMPLE_HEADER, sample_rows(s, {
                'ours': 'ours (`monasca_osc.shell`)',
                'legacy': f'legacy {LEGACY_VERSION}'}))
            out += ['', f'**Ratio ours / legacy: {ratio:.3f}** (target ≤ '
                    f'{TARGETS["legacy"]}: {verdict(ok)}; by client+sandbox '
                    f'CPU {cpu_ratio(s, "ours", "legacy"):.3f}).', '']
            out += import_diff_lines(c.get('modules'), 'ours', 'legacy')
        else:
            reason = c.get('skipped') or c.get('error')
            verdicts.append(('3. `monasca` vs legacy',
                             f'≤ {TARGETS["legacy"]}', f'not run: {reason}',
                             ''))
            out += [f'Not run: {reason}', '']

    # Case 4
    if 'paging' in r and 'samples' in r['paging']:
        c = r['paging']
        s = c['samples']
        plain = med([x.wall for x in s['plain']])
        ratio = med([x.wall for x in s['csv']]) / plain
        growth = {f: med([x.rss_mb for x in s[f]]) - c['baseline_rss']
                  for f in ('csv', 'value', 'json')}
        ok = ratio <= TARGETS['paging']
        ok_rss = max(growth['csv'], growth['value']) <= \
            TARGETS['paging_rss_mb']
        verdicts.append(('4. paging, csv vs plain loop',
                         f'≤ {TARGETS["paging"]}',
                         f'{ratio:.3f} ({judged(ok)})',
                         f'{cpu_ratio(s, "csv", "plain"):.3f}'))
        plain_cpu = med([x.cpu for x in s['plain']])
        for name in ('value', 'json'):
            wall_ratio = med([x.wall for x in s[name]]) / plain
            verdicts.append((f'4. paging, {name} vs plain loop',
                             f'≤ {TARGETS["paging"]}',
                             f'{wall_ratio:.3f} '
                             f'({judged(wall_ratio <= TARGETS["paging"])})',
                             f'{cpu_ratio(s, name, "plain"):.3f}'))
        for name in ('csv', 'value', 'json'):
            limit = TARGETS['paging_cpu_json' if name == 'json'
                            else 'paging_cpu_text']
            client = med([x.cpu for x in s[name]]) / plain_cpu
            verdicts.append((f'4. paging, client CPU {name} / plain',
                             f'≤ {limit}',
                             f'{client:.2f} ({judged(client <= limit)})',
                             ''))
        server_ratio = med([x.server_cpu for x in s['plain']]) / plain_cpu
        server_ok = server_ratio <= TARGETS['sandbox_paging_cpu']
        verdicts.append(('4. paging, sandbox CPU / plain client CPU',
                         f'≤ {TARGETS["sandbox_paging_cpu"]}',
                         f'{server_ratio:.2f} ({judged(server_ok)})', ''))
        verdicts.append(('4. paging, RSS growth csv / value',
                         f'≤ {TARGETS["paging_rss_mb"]} MB',
                         f'{growth["csv"]:.0f} / {growth["value"]:.0f} MiB '
                         f'({verdict(ok_rss)})', ''))
        out += [f'## 4. Paging {c["points"]:,} measurements', '',
                f'`openstack monitoring measurement list --name {PAGING_NAME} '
                f'--start ... -f csv|value|json > /dev/null`: '
                f'{c["pages"]} requests of up to {PAGE:,} points. Baseline: '
                '`benchmarks/plain_client.py pages`, a `requests` loop that '
                'fetches and JSON-parses the same pages and prints nothing.',
                '']
        out += table(SAMPLE_HEADER, sample_rows(s, {
            'csv': '`-f csv`', 'value': '`-f value`', 'json': '`-f json`',
            'plain': 'plain `requests` loop'}))
        rates = ', '.join(
            f'{name} {c["points"] / med([x.wall for x in s[name]]):,.0f}'
            for name in ('csv', 'value', 'json', 'plain'))
        out += ['', f'**Ratio csv / plain: {ratio:.3f}** (target ≤ '
                f'{TARGETS["paging"]}: {judged(ok)}; by client+sandbox CPU '
                f'{cpu_ratio(s, "csv", "plain"):.3f}); value / plain '
                f'{med([x.wall for x in s["value"]]) / plain:.3f}; json / '
                f'plain {med([x.wall for x in s["json"]]) / plain:.3f}. '
                f'Points per second: {rates}.', '',
                f'**Peak RSS growth** over `openstack --version` '
                f'({c["baseline_rss"]:.0f} MiB): csv {growth["csv"]:.0f} MiB, '
                f'value {growth["value"]:.0f} MiB (target ≤ '
                f'{TARGETS["paging_rss_mb"]} MB: {verdict(ok_rss)}); json '
                f'{growth["json"]:.0f} MiB (cliff\'s json formatter builds '
                'the whole list before printing; no target).', '']
        server = med([x.server_cpu for x in s['plain']])
        out += [f'The sandbox spent {server:.2f} s of CPU serving the plain '
                f'loop\'s {c["pages"]} pages ({server / plain:.0%} of that '
                'run\'s wall time).', '']
        out += profile_lines(c)

    # Case 5
    if 'ingest' in r:
        c = r['ingest']
        out += [f'## 5. Bulk ingest of {size["ingest"]:,} metrics', '']
        if 'samples' in c:
            s = c['samples']
            rate = {k: c['metrics'] / med([x.wall for x in v])
                    for k, v in s.items()}
            ratio = rate['ours'] / rate['plain']
            rss = med([x.rss_mb for x in s['ours']])
            ok = ratio >= TARGETS['ingest']
            ok_rss = rss <= TARGETS['ingest_rss_mb']
            verdicts.append(('5. ingest throughput vs plain loop',
                             f'≥ {TARGETS["ingest"]}',
                             f'{ratio:.2f} ({judged(ok)})',
                             f'{1 / cpu_ratio(s, "ours", "plain"):.2f}'))
            sandbox_ratio = med([x.server_cpu for x in s['ours']]) / \
                med([x.cpu for x in s['plain']])
            verdicts.append((
                '5. ingest, sandbox CPU / plain client CPU',
                f'≤ {TARGETS["sandbox_ingest_cpu"]}',
                f'{sandbox_ratio:.2f} ('
                f'{judged(sandbox_ratio <= TARGETS["sandbox_ingest_cpu"])})',
                ''))
            verdicts.append(('5. ingest peak RSS',
                             f'≤ {TARGETS["ingest_rss_mb"]} MB',
                             f'{rss:.0f} MiB ({verdict(ok_rss)})', ''))
            out += ['`openstack monitoring metric create --file F.jsonl '
                    f'--batch-size {INGEST_BATCH}` (its default concurrency) '
                    'vs `benchmarks/plain_client.py ingest`: one `requests` '
                    'session that parses each line and POSTs batches of '
                    f'{INGEST_BATCH} one after the other. Every run starts '
                    'its own empty sandbox (file database).', '']
            out += table(SAMPLE_HEADER, sample_rows(s, {
                'ours': '`metric create --file`',
                'plain': 'plain `requests` loop'}))
            out += ['', f'**Throughput: ours {rate["ours"]:,.0f} metrics/s, '
                    f'plain {rate["plain"]:,.0f} metrics/s, ratio '
                    f'{ratio:.2f}** (target ≥ {TARGETS["ingest"]}: '
                    f'{judged(ok)}). **Peak RSS {rss:.0f} MiB** (target ≤ '
                    f'{TARGETS["ingest_rss_mb"]} MB: {verdict(ok_rss)}).', '']
            out += profile_lines(c)
        else:
            reason = c.get('skipped') or c.get('error')
            verdicts.append(('5. ingest', f'≥ {TARGETS["ingest"]}',
                             f'not run: {reason}', ''))
            out += [f'Not run: {reason}', '']

    # Case 6 and the data load
    out += ['## 6. Where the sandbox spends time', '']
    if 'load' in r:
        load = r['load']
        sample = load['sample']
        out += [f'Loading the data set ({load["metrics"]:,} metrics in '
                f'batches of {PAGE:,}, plain `requests` client): '
                f'{sample.wall:.1f} s, {load["metrics"] / sample.wall:,.0f} '
                f'metrics/s; the sandbox used {sample.server_cpu:.1f} s of '
                f'CPU ({sample.server_cpu / sample.wall:.0%} of the wall '
                'time), the client '
                f'{sample.cpu:.1f} s.', '']
    out += ['The "sandbox CPU" column of every table above is the server\'s '
            'share of that run. Sandbox profiles (py-spy, all threads) are '
            'listed with the cases that have them.', '']

    if 'backtest' in r:
        out += backtest_lines(r['backtest'], verdicts)

    for note in bench.notes:
        out += [f'> {note}', '']
    out += environment_lines(env)
    out += ['', 'Why each target was met or missed, with the profiles and '
            'the fixes made or proposed: [FINDINGS.md](FINDINGS.md) '
            '(hand-written from the full-size runs).']
    verdict_lines = ['## Summary', ''] + table(
        ['case', 'target', 'result (wall time)',
         'cross-check: same ratio by client+sandbox CPU'],
        [list(v) for v in verdicts]) + ['']
    noisy = [s for case in r.values() if isinstance(case, dict)
             for runs in (case.get('samples') or {}).values() for s in runs
             if s.other_cpu > 0.25 * s.wall]
    if noisy:
        verdict_lines += [
            f'> **Noisy machine:** in {len(noisy)} runs other processes used '
            'more than a quarter of a CPU on average, so wall times are '
            'inflated and ratios less reliable; the CPU cross-check column '
            'is the steadier figure.', '']
    out[summary_at:summary_at] = verdict_lines
    return '\n'.join(out) + '\n', verdicts


def backtest_lines(c: dict, verdicts: list) -> list[str]:
    """Case 7: the report section and its verdict."""
    out = [f'## 7. Backtest over {c.get("points", 0):,} measurements', '']
    if 'samples' not in c:
        reason = c.get('error', 'not run')
        verdicts.append(('7. backtest vs measurement list',
                         f'≤ {TARGETS["backtest"]}', f'not run: {reason}',
                         ''))
        return out + [f'Not run: {reason}', '']
    s = c['samples']
    ratio, ok = wall_ratio_row(verdicts,
                               '7. backtest vs measurement list -f value',
                               TARGETS['backtest'], s, 'backtest', 'value')
    out += ['`openstack monitoring alarm definition backtest '
            f'{BACKTEST_DEFINITION} --file F --start ... --end ... -f value` '
            f'(`avg({PAGING_NAME}{{service=benchmark}}) > 499 times 3`, '
            'match_by hostname: one paged query grouped by hostname, the '
            'engine stepped every minute) vs `measurement list --name '
            f'{PAGING_NAME} -f value` over the same range. The replay gave '
            f'{c["transitions"]} transitions.', '']
    out += table(SAMPLE_HEADER, sample_rows(s, {
        'backtest': '`alarm definition backtest`',
        'value': '`measurement list -f value`'}))
    out += ['', f'**Ratio backtest / measurement list: {ratio:.3f}** (target '
            f'≤ {TARGETS["backtest"]}: {verdict(ok)}). Peak RSS: backtest '
            f'{med([x.rss_mb for x in s["backtest"]]):.0f} MiB, listing '
            f'{med([x.rss_mb for x in s["value"]]):.0f} MiB.', '']
    return out


def floor_gap(samples: dict[str, list[Sample]], name: str) -> float:
    """Median wall of ``name`` above the ``openstack --version`` floor."""
    return med([x.wall for x in samples[name]]) - \
        med([x.wall for x in samples['version']])


def import_diff_lines(diff: dict | None, a: str, b: str) -> list[str]:
    if not diff:
        return []
    lines = [f'Imports (`-X importtime`, one run each): {a} '
             f'{diff["modules_a"]} modules / {diff["total_a_ms"]:.0f} ms of '
             f'import self time, {b} {diff["modules_b"]} modules / '
             f'{diff["total_b_ms"]:.0f} ms.']
    if diff['only_a']:
        lines[-1] += (f' Imported only by {a} (self time by top-level '
                      'package): ' + ', '.join(
                          f'`{n}` {ms:.1f} ms' for n, ms in diff['only_a'])
                      + '.')
    if diff['only_b']:
        lines[-1] += (f' Imported only by {b}: ' + ', '.join(
            f'`{n}` {ms:.1f} ms' for n, ms in diff['only_b']) + '.')
    return lines + ['']


def profile_lines(case: dict) -> list[str]:
    lines: list[str] = []
    client = case.get('client_profile')
    if client and isinstance(client[0], str):
        lines += ['<details><summary>Client profile (cProfile by CPU time, '
                  'one csv run, by own time)</summary>', '', '```', *client,
                  '```', '', '</details>', '']
    elif client:
        lines += ['Client profile (py-spy, all threads; share of samples):',
                  '']
        lines += table(['function', 'self', 'total'], [
            [f'`{f}`', f'{own:.1f}%', f'{tot:.1f}%'] for f, own, tot in
            client])
        lines += ['']
    for key, label in (('server_profile', 'the plain paging loop'),
                       ('server_profile_ours', 'our ingest'),
                       ('server_profile_plain', 'the plain ingest loop')):
        top = case.get(key)
        if top:
            lines += [f'Sandbox profile while serving {label} (py-spy, all '
                      'threads incl. idle waits; share of samples):', '']
            lines += table(['function', 'self', 'total'], [
                [f'`{f}`', f'{own:.1f}%', f'{tot:.1f}%'] for f, own, tot in
                top])
            lines += ['']
    return lines


def environment_lines(env: Env) -> list[str]:
    cpu = 'unknown'
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    mem = ''
    try:
        kb = int(Path('/proc/meminfo').read_text().split()[1])
        mem = f', {kb / 1024 / 1024:.0f} GiB RAM'
    except (OSError, ValueError, IndexError):
        pass
    commit = subprocess.run(['git', 'describe', '--always', '--dirty'],
                            cwd=REPO, capture_output=True,
                            text=True).stdout.strip() or 'unknown'
    now = datetime.datetime.now().astimezone()
    version = env.run_py('import sys; print(sys.version)').strip()
    lines = ['## Environment', '',
             f'* Date: {now:%Y-%m-%d %H:%M:%S %Z}',
             f'* CPU: {cpu}, {os.cpu_count()} logical CPUs{mem}',
             f'* OS: {platform.platform()}',
             f'* Python: {version} (`{env.python}`)',
             f'* monasca-osc commit: `{commit}`',
             '* Packages: ' + ', '.join(
                 f'{k} {v}' for k, v in env.versions().items())]
    return lines


# -- main ---------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog='benchmarks/run',
        description='Benchmark monasca-osc against the local sandbox and '
                    'write a Markdown report.')
    parser.add_argument('--quick', action='store_true',
                        help='CI size: 50,000 measurements, 20,000 metrics, '
                             '3 repetitions (about 2 minutes)')
    parser.add_argument('--python', default=sys.executable,
                        help='Python of the project venv (default: the one '
                             'running this script)')
    parser.add_argument('--reps', type=int,
                        help='Repetitions of every case (default: 7 for '
                             'start-up, 3 for paging and ingest; quick: 3)')
    parser.add_argument('--cases', nargs='*',
                        choices=('startup', 'import', 'legacy', 'paging',
                                 'ingest', 'backtest'),
                        help='Run only these cases')
    profile = parser.add_mutually_exclusive_group()
    profile.add_argument('--profile', action='store_true', default=None,
                         help='Profile the heavy cases (default: full size '
                              'only)')
    profile.add_argument('--no-profile', dest='profile',
                         action='store_false')
    parser.add_argument('--sandbox-cmd', metavar='CMD',
                        help='Start the server with this command instead of '
                             '"PYTHON -m monasca_osc.sandbox" (it gets '
                             '--host, --port 0 and --db, and must print '
                             '"listening on http://HOST:PORT")')
    parser.add_argument('--out', type=Path,
                        help='Report file (default: benchmarks/RESULTS.md; '
                             'quick: benchmarks/work/RESULTS-quick.md)')
    args = parser.parse_args(argv)
    started = time.time()
    python = os.path.abspath(args.python)  # not resolve(): keep the venv
    WORK.mkdir(parents=True, exist_ok=True)
    if args.sandbox_cmd:
        Sandbox.server_command = args.sandbox_cmd.split()

    env = Env(python, args.quick)
    env.check_project()
    env.prepare_osc_venv()
    if not args.cases or 'legacy' in args.cases:
        env.prepare_legacy_venv()
    bench = Bench(args, env)
    if bench.profiles:
        env.prepare_pyspy()
    bench.run_all()

    text, verdicts = report(bench, env, started)
    out = args.out or (WORK / 'RESULTS-quick.md' if args.quick
                       else BENCH / 'RESULTS.md')
    out.write_text(text)
    log(f'report written to {out}')
    for case, target, result, cross_check in verdicts:
        print(f'  {case:40} {target:>10}  {result}'
              + (f'  (CPU: {cross_check})' if cross_check else ''))
    errors = [name for name, result in bench.results.items()
              if 'error' in result]
    if errors:
        log(f'cases that could not run: {", ".join(errors)}')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
