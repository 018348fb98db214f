"""Running the CLIs with raw (bytes) arguments for the robustness tests.

``base.run_openstack``/``run_monasca`` take text; the corpus also needs
arguments that are not valid UTF-8, and the fault tests need to time runs
and pass extra environment. Same clean environment; in-process or the real
binary by the convention of ``base`` (``binary=``, the ``binary`` marker:
the TLS module carries it). In-process, ``bytes`` arguments are decoded as
CPython decodes a real argv (``inprocess.run``); the corpus still runs its
non-UTF-8 rows through the real binary, where the OS hands them to Python.
"""

from __future__ import annotations

from dataclasses import dataclass
import os
import subprocess
import time

from monasca_osc.tests.functional import base

Arg = str | bytes


@dataclass
class Run:
    argv: list[bytes]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def lines(self) -> list[str]:
        """Non-blank stderr lines."""
        return [line for line in self.stderr.splitlines() if line.strip()]

    def __str__(self) -> str:
        shown = ' '.join(a.decode('utf-8', 'backslashreplace')
                         for a in self.argv)
        if len(shown) > 600:
            shown = shown[:600] + '...'
        return (f'$ {shown}\n-> exit {self.returncode} in '
                f'{self.seconds:.1f}s\n--- stdout ---\n{self.stdout[:3000]}'
                f'\n--- stderr ---\n{self.stderr[-3000:]}')


def openstack_argv(endpoint: str, *args: Arg) -> list[Arg]:
    return [str(base.BIN_DIR / 'openstack'), '--os-auth-type', 'none',
            '--os-endpoint', endpoint, *args]


def monasca_env(endpoint: str, token: str = base.NOAUTH_TENANT
                ) -> dict[str, str]:
    return {'MONASCA_API_URL': endpoint, 'OS_AUTH_TOKEN': token,
            'OS_NO_CLIENT_AUTH': '1'}


def run(argv: list[Arg], env: dict[str, str] | None = None,
        timeout: float = 90, input: bytes | None = None,
        binary: bool | None = None) -> Run:
    """Run argv in the harness's clean environment plus ``env``."""
    raw = [os.fsencode(a) if isinstance(a, str) else a for a in argv]
    started = time.monotonic()
    if not base.use_binary(binary):
        from monasca_osc.tests.functional import inprocess

        try:
            code, stdout, stderr = inprocess.run(
                list(argv), base._base_env(env),
                input.decode() if input is not None else None, timeout)
        except inprocess.Timeout:
            raise AssertionError(f'{argv[0]} did not finish in {timeout}s '
                                 f'(in-process)') from None
        return Run(raw, code, stdout, stderr, time.monotonic() - started)
    try:
        proc = subprocess.run(raw, env=base._base_env(env), input=input,
                              capture_output=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(
            f'{os.fsdecode(raw[0])} did not finish in {timeout}s; '
            f'stderr so far: {exc.stderr!r}') from None
    return Run(raw, proc.returncode,
               proc.stdout.decode('utf-8', 'backslashreplace'),
               proc.stderr.decode('utf-8', 'backslashreplace'),
               time.monotonic() - started)


def run_cli(cli: str, endpoint: str, *args: Arg,
            env: dict[str, str] | None = None, timeout: float = 90,
            binary: bool | None = None) -> Run:
    """``openstack`` (no-Keystone options) or ``monasca`` (its env)."""
    if cli == 'openstack':
        return run(openstack_argv(endpoint, *args), env, timeout,
                   binary=binary)
    if cli == 'monasca':
        return run([str(base.BIN_DIR / 'monasca'), *args],
                   {**monasca_env(endpoint), **(env or {})}, timeout,
                   binary=binary)
    raise ValueError(cli)
