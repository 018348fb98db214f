"""Run ``openstack`` or ``monasca`` inside the test process, as the binary.

``base.run_openstack``/``run_monasca`` call :func:`run` unless a test asks
for the real binary. A run here does what the console script does
(``sys.exit(main())`` of ``openstackclient.shell`` or ``monasca_osc.shell``)
with the process state a fresh interpreter would have, and undoes every
change afterwards:

* ``sys.argv`` is the binary's argv (``argv[0]`` is its path, so usage lines
  say ``openstack``/``monasca``); ``bytes`` arguments are decoded as
  CPython decodes a real argv (``os.fsdecode``: the file-system encoding
  with ``surrogateescape``, so ``b'cpu\\xff'`` becomes ``'cpu\\udcff'``);
  ``os.environ`` is exactly the given environment (and ``time.tzset()``
  follows it);
* stdin is the given input (empty when there is none); stdout and stderr are
  byte buffers behind text wrappers with the encodings ``PYTHONIOENCODING``
  gives the binary (stdout strict, stderr ``backslashreplace``); both are
  decoded as ``subprocess.run(text=True)`` decodes a child's output, so a
  :class:`~monasca_osc.tests.functional.base.CommandResult` is the same
  text either way;
* the exit code is the interpreter's: ``SystemExit(None)`` is 0, an int is
  that int modulo 256, anything else is printed and gives 1; an uncaught
  exception prints its traceback and gives 1;
* logging (every logger's level, handlers, filters, propagation; the root
  logger; ``logging.disable``) is saved before and restored after; the run
  starts with the root logger of a fresh interpreter (no handlers, level
  WARNING), so pytest's log capture neither hides a record that Python's
  last-resort handler prints to the binary's stderr nor receives the run's
  records (they may hold the surrogates of an undecodable argv, which
  pytest-xdist cannot send to its controller);
* the warnings filters (reset to Python's defaults for the run, as osc_lib
  changes them) and signal handlers are saved before and restored after;
* state a process keeps for its lifetime is reset before each run
  (:func:`reset_process_state`): OpenStackClient's client handles, which
  osc_lib caches on the ClientManager *class* (a second run would reuse the
  first run's session and token), and monasca-osc's once-per-process flags.

What stays shared between runs is what a user never sees: imported modules
and stevedore's entry-point cache. What a run cannot give is a process:
file descriptors of its own (a write straight to fd 1 or 2 lands in the
test process's; the secrets tests catch those with ``capfd``), a terminal,
signals from outside, ``kill -9``, ``execve``'s limits on arguments, and
start-up and import cost. Tests where that is the point use the real
binary, and the corpus, TLS and secrets tests keep binary rows that must
give what in-process rows give: see ``base``'s docstring.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
import contextlib
import importlib
import io
import logging
import os
import re
import signal
import sys
import time
import traceback
from typing import Any
import warnings

# console script name -> "module:function", as in the packages' metadata.
ENTRY_POINTS = {
    'openstack': 'openstackclient.shell:main',
    'monasca': 'monasca_osc.shell:main',
}

# (module, attribute, value at process start) of monasca-osc's
# "once per process" flags: reset before every run.
_ONCE_PER_PROCESS = (
    ('monasca_osc.api.http', '_insecure_warned', False),
)
# Classes on which osc_lib's ClientCache descriptors hold one client handle
# (session, token, endpoint) for the life of the process.
_CLIENT_MANAGERS = (
    ('osc_lib.clientmanager', 'ClientManager'),
    ('openstackclient.common.clientmanager', 'ClientManager'),
)

# Python's own warnings filters (no -W, no PYTHONWARNINGS, release build),
# first match wins.
_DEFAULT_WARNINGS = (
    ('default', DeprecationWarning, '__main__'),
    ('ignore', DeprecationWarning, ''),
    ('ignore', PendingDeprecationWarning, ''),
    ('ignore', ImportWarning, ''),
    ('ignore', ResourceWarning, ''),
)

# What differs between two runs of one command, whichever way each runs:
# the sandbox's request ids, the ingest summary's duration and rate. The
# parity tests compare outputs with these masked (see :func:`comparable`).
VARIABLE = re.compile(r'req-[0-9a-f-]{36}|[0-9.]+s, [0-9][0-9,]* metrics/s')

_SIGNALS = tuple(s for s in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE,
                             signal.SIGALRM, signal.SIGHUP))


class Timeout(BaseException):
    """The run took longer than its time limit (not an ``Exception``, so
    the command under test cannot swallow it)."""


class _KeptBytes(io.BytesIO):
    """A BytesIO whose content survives ``close()`` (a command may close
    its stdout, as ``yes | head`` pipelines do)."""

    kept = b''

    def close(self) -> None:
        if not self.closed:
            self.kept = self.getvalue()
        super().close()

    def value(self) -> bytes:
        return self.kept if self.closed else self.getvalue()


def entry_point(binary: str) -> Callable[..., Any]:
    name = os.path.basename(binary)
    try:
        target = ENTRY_POINTS[name]
    except KeyError:
        raise ValueError(f'no in-process entry point for {name!r}; run it '
                         f'with binary=True') from None
    module, _, function = target.partition(':')
    return getattr(importlib.import_module(module), function)


def run(argv: list[str | bytes], env: dict[str, str],
        input: str | None = None,
        timeout: float | None = None) -> tuple[int, str, str]:
    """Run console script ``argv[0]`` with ``argv[1:]`` in this process.

    Returns ``(exit code, stdout, stderr)`` as text. Raises
    :class:`Timeout` when the run outlives ``timeout`` seconds.
    """
    # What the interpreter does with the bytes the OS hands it.
    argv = [os.fsdecode(arg) for arg in argv]
    out_encoding, out_errors = _io_encoding(env, 'strict')
    err_encoding, _ = _io_encoding(env, 'backslashreplace')
    out, err = _KeptBytes(), _KeptBytes()
    stdout = io.TextIOWrapper(out, encoding=out_encoding, errors=out_errors)
    stderr = io.TextIOWrapper(err, encoding=err_encoding,
                              errors='backslashreplace', line_buffering=True)
    data = (input or '').encode(out_encoding)
    stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(data)),
                             encoding=out_encoding)
    with _process_state(argv, env, stdin, stdout, stderr), \
            _time_limit(timeout):
        # Imported here: warnings at import time follow the run's filters.
        code = _exit_code(entry_point(argv[0]), stderr)
        for stream in (stdout, stderr):
            with contextlib.suppress(ValueError, OSError):
                stream.flush()
    return (code, _decode(out.value(), out_encoding),
            _decode(err.value(), err_encoding))


def comparable(code: int, stdout: str, stderr: str) -> tuple[int, str, str]:
    """A run's result with what varies from run to run masked."""
    return (code, VARIABLE.sub('<varies>', stdout),
            VARIABLE.sub('<varies>', stderr))


def reset_process_state() -> None:
    """Forget what one run left for the next (see the module docstring)."""
    for module, name, value in _ONCE_PER_PROCESS:
        if module in sys.modules:
            setattr(sys.modules[module], name, value)
    for module, name in _CLIENT_MANAGERS:
        owner = getattr(sys.modules.get(module), name, None)
        for cls in (owner.__mro__ if owner is not None else ()):
            for attribute in vars(cls).values():
                if type(attribute).__name__ == 'ClientCache':
                    attribute._handle = None


def _exit_code(main: Callable[[], Any], stderr: io.TextIOBase) -> int:
    """What ``sys.exit(main())`` makes the interpreter exit with."""
    try:
        result = main()
    except SystemExit as exc:
        result = exc.code
    except KeyboardInterrupt:
        traceback.print_exc(file=stderr)
        return -signal.SIGINT
    except Timeout:
        raise
    except BaseException:  # noqa: BLE001 - the interpreter prints any
        traceback.print_exc(file=stderr)
        return 1
    if result is None:
        return 0
    if isinstance(result, int):
        return result & 0xFF
    print(result, file=stderr)
    return 1


def _show_warning(message: Any) -> None:
    with contextlib.suppress(OSError):
        sys.stderr.write(warnings._formatwarnmsg(message))  # type: ignore


def _decode(data: bytes, encoding: str) -> str:
    # As subprocess.run(text=True) decodes a child's output.
    text = data.decode(encoding)
    return text.replace('\r\n', '\n').replace('\r', '\n')


def _io_encoding(env: dict[str, str], errors: str) -> tuple[str, str]:
    value = env.get('PYTHONIOENCODING', '')
    encoding, _, given = value.partition(':')
    return encoding or 'utf-8', given or errors


@contextlib.contextmanager
def _process_state(argv: list[str], env: dict[str, str], stdin: Any,
                   stdout: Any, stderr: Any) -> Iterator[None]:
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    saved_argv = sys.argv
    saved_env = dict(os.environ)
    saved_signals = {s: signal.getsignal(s) for s in _SIGNALS}
    saved_logging = _logging_state()
    with warnings.catch_warnings():
        warnings.resetwarnings()
        for action, category, module in reversed(_DEFAULT_WARNINGS):
            warnings.filterwarnings(action, category=category, module=module)
        # Shown on the run's stderr, as the interpreter does; not recorded
        # by pytest's warnings plugin.
        warnings.showwarning = warnings._showwarning_orig  # type: ignore
        warnings._showwarnmsg_impl = _show_warning  # type: ignore
        try:
            reset_process_state()
            os.environ.clear()
            os.environ.update(env)
            time.tzset()
            sys.argv = list(argv)
            saved_app_name = _name_cliff_app(argv[0])
            for handler in list(logging.root.handlers):
                logging.root.removeHandler(handler)
            logging.root.setLevel(logging.WARNING)
            sys.stdin, sys.stdout, sys.stderr = stdin, stdout, stderr
            yield
        finally:
            _restore_cliff_app(saved_app_name)
            sys.stdin, sys.stdout, sys.stderr = saved_streams
            sys.argv = saved_argv
            os.environ.clear()
            os.environ.update(saved_env)
            time.tzset()
            for sig, handler in saved_signals.items():
                if handler is not None:
                    signal.signal(sig, handler)
            _restore_logging(saved_logging)
            reset_process_state()  # no session outlives its run


def _name_cliff_app(binary: str) -> tuple[Any, ...] | None:
    # cliff computes App.NAME (the program name in usage lines) and App.LOG
    # from sys.argv[0] once, when cliff.app is first imported: whichever
    # console script ran first in this process would name the others.
    app = sys.modules.get('cliff.app')
    if app is None:
        return None  # imported during this run, from this run's argv
    saved = (app.App, app.App.NAME, app.App.LOG)
    name = os.path.splitext(os.path.basename(binary))[0]
    app.App.NAME, app.App.LOG = name, logging.getLogger(name)
    return saved


def _restore_cliff_app(saved: tuple[Any, ...] | None) -> None:
    if saved is not None:
        cls, cls.NAME, cls.LOG = saved


def _logging_state() -> dict[str, Any]:
    loggers = {name: (logger.level, list(logger.handlers),
                      list(logger.filters), logger.propagate, logger.disabled)
               for name, logger in logging.root.manager.loggerDict.items()
               if isinstance(logger, logging.Logger)}
    return {'loggers': loggers,
            'root': (logging.root.level, list(logging.root.handlers)),
            'disable': logging.root.manager.disable}


def _restore_logging(state: dict[str, Any]) -> None:
    before = state['loggers']
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if not isinstance(logger, logging.Logger):
            continue
        level, handlers, filters, propagate, disabled = before.get(
            name, (logging.NOTSET, [], [], True, False))
        _swap_handlers(logger, handlers)
        logger.filters[:] = filters
        # Not setLevel(): each call clears the level cache of every logger
        # (quadratic in their number, ~1,000 here); cleared once below.
        logger.level = level
        logger.propagate = propagate
        logger.disabled = disabled
    level, handlers = state['root']
    _swap_handlers(logging.root, handlers)
    logging.root.level = level
    logging.disable(state['disable'])  # clears every logger's level cache


def _swap_handlers(logger: logging.Logger,
                   keep: list[logging.Handler]) -> None:
    for handler in list(logger.handlers):
        if handler not in keep:
            logger.removeHandler(handler)
            # A --log-file handler holds a file open.
            with contextlib.suppress(Exception):
                handler.close()
    for handler in keep:
        if handler not in logger.handlers:
            logger.addHandler(handler)


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    import threading

    if not seconds or threading.current_thread() is not \
            threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise Timeout(f'did not finish in {seconds}s')

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
