"""Secrets never reach a log line, whoever writes it (standard library only).

Both front ends (``openstack monitoring ...`` through plugin.py, and the
``monasca`` command) call :func:`guard` while their option parser is
built, before anything is logged. From then on:

* every value of a secret option (any option whose name has ``password``,
  ``token``, ``secret`` or ``passcode``: ``--os-token``,
  ``--os-application-credential-secret``...) is recorded as soon as the
  command line is parsed, whether given as ``--opt value``, ``--opt=value``
  or through its ``OS_*`` default; every secret ``OS_*`` variable is
  recorded at once;
  clouds.yaml secrets are recorded when the client is built
  (:func:`register_config`);
* a log record factory replaces each recorded value by ``***`` in every
  record of every logger (osc-lib's and cliff's command lines, the option
  and cloud dumps, keystoneauth's request logs, our own), so every handler
  (stderr with -v/-vv/--debug, --log-file) gets the masked text. Secrets
  not recorded yet are still masked by their shape: ``--opt value`` with a
  secret option name, and ``'key': 'value'`` / ``key='value'`` with a
  secret key name.

Matching by value, not by how a line looks, is the point: osc-lib's own
``mask_password`` rewrites ``admin_token --os-token X`` into
``admin_token --os*** X`` before any filter sees the line, so a pattern
on the option name alone lets ``X`` through.

Formatting stays lazy: a record's text is built (and masked) only when a
handler emits it, so DEBUG records nobody prints cost nothing extra.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping
import logging
import os
import re
from typing import Any

MASK = '***'
SECRET_WORDS = ('password', 'token', 'secret', 'passcode')
# Shorter values are masked by shape only: replacing every "ab" in a log
# would garble it without hiding anything a shape match does not.
MIN_VALUE_LENGTH = 4

_WORDS = '|'.join(SECRET_WORDS)
# --os-token X, --os-password=X, --os-application-credential-secret X
_OPTION = re.compile(
    rf'(--[a-z0-9_-]*(?:{_WORDS})[a-z0-9_-]*)(=|\s+)(?!-)(?!\*\*\*)(\S+)',
    re.IGNORECASE)
# 'passcode': 'X', "token": "X", passcode='X' (dict and Namespace reprs)
_KEY_VALUE = re.compile(
    rf'''(\b[a-z0-9_-]*(?:{_WORDS})[a-z0-9_-]*['"]?\s*[:=]\s*)(['"])'''
    rf'''(?!\*\*\*)[^'"]*\2''', re.IGNORECASE)

_known: set[str] = set()
_installed = False


def is_secret_name(name: str) -> bool:
    """Whether an option, variable or settings key holds a secret."""
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


def register(value: Any) -> None:
    """Mask ``value`` wherever it appears in a later log line."""
    if isinstance(value, str) and len(value.strip()) >= MIN_VALUE_LENGTH:
        _known.add(value.strip())


def register_environ(environ: Mapping[str, str] | None = None) -> None:
    """Record every secret ``OS_*`` variable (OS_PASSWORD, OS_TOKEN...)."""
    for name, value in (os.environ if environ is None else environ).items():
        if name.startswith('OS_') and is_secret_name(name):
            register(value)


def register_config(config: Any) -> None:
    """Record the secret values of a (nested) settings mapping, such as a
    clouds.yaml entry."""
    if isinstance(config, Mapping):
        for key, value in config.items():
            if isinstance(key, str) and is_secret_name(key):
                register(value)
            register_config(value)
    elif isinstance(config, (list, tuple)):
        for item in config:
            register_config(item)


def mask(text: str) -> str:
    """``text`` with every known secret value and secret-shaped pair
    replaced by ``***``."""
    for value in sorted(_known, key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    lowered = text.lower()
    if any(word in lowered for word in SECRET_WORDS):
        text = _OPTION.sub(rf'\1\2{MASK}', text)
        text = _KEY_VALUE.sub(rf'\1\2{MASK}\2', text)
    return text


class _MaskedMessage:
    """A record's message, formatted and masked only when emitted."""

    __slots__ = ('msg', 'args')

    def __init__(self, msg: Any, args: Any):
        self.msg, self.args = msg, args

    def __str__(self) -> str:
        text = str(self.msg)
        if self.args:
            text = text % self.args
        return mask(text)

    # Other code (Sphinx, for one) edits ``record.msg`` as the str it
    # usually is: ``record.msg += ...``, ``record.msg.startswith(...)``.
    # Those get the masked text.
    def __add__(self, other: Any) -> str:
        return str(self) + other

    def __radd__(self, other: Any) -> str:
        return other + str(self)

    def __len__(self) -> int:
        return len(str(self))

    def __getattr__(self, name: str) -> Any:
        return getattr(str(self), name)


def _record_factory(base: Any) -> Any:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = base(*args, **kwargs)
        record.msg = _MaskedMessage(record.msg, record.args)
        record.args = ()
        if record.exc_info and not record.exc_text:
            # Formatted now, since Formatter caches exc_text as is.
            record.exc_text = mask(
                logging.Formatter().formatException(record.exc_info))
        return record

    factory.monasca_osc_masking = True  # type: ignore[attr-defined]
    return factory


def _is_secret_action(action: argparse.Action) -> bool:
    return any(is_secret_name(flag) for flag in action.option_strings)


def register_parsed(parser: argparse.ArgumentParser,
                    namespace: argparse.Namespace) -> None:
    """Record the parsed values of the parser's secret options."""
    for action in parser._actions:
        if action.nargs != 0 and _is_secret_action(action):
            register(getattr(namespace, action.dest, None))


def guard_parser(parser: argparse.ArgumentParser) -> None:
    """Record the values of the parser's secret options once parsed.

    OSC adds the keystoneauth options (``--os-token``...) after the
    plugins' hook has run, so the values are read after parsing rather
    than through the options themselves.
    """
    if getattr(parser.parse_known_args, 'monasca_osc_masking', False):
        return
    parse = parser.parse_known_args

    def parse_known_args(*args: Any, **kwargs: Any) -> Any:
        result = parse(*args, **kwargs)
        register_parsed(parser, result[0])
        return result

    parse_known_args.monasca_osc_masking = True  # type: ignore[attr-defined]
    parser.parse_known_args = parse_known_args  # type: ignore[method-assign]


def guard(parser: argparse.ArgumentParser | None = None,
          extra: Iterable[str] = ()) -> None:
    """Install the masking for this process (idempotent) and record the
    secrets known so far: ``OS_*`` variables, ``extra`` values and, once
    parsed, the secret options of ``parser``."""
    global _installed
    register_environ()
    for value in extra:
        register(value)
    if parser is not None:
        guard_parser(parser)
    if not _installed:
        base = logging.getLogRecordFactory()
        if not getattr(base, 'monasca_osc_masking', False):
            logging.setLogRecordFactory(_record_factory(base))
        _installed = True
