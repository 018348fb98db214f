"""The sandbox's JSON: orjson when it is installed, the standard library
otherwise.

Encoding 10,000-row measurement pages and decoding million-metric posts
are most of the sandbox's CPU time, and orjson does both several times
faster. It is optional and imported on first use: without it, or with
``MONASCA_OSC_PURE_JSON=1`` in the environment (the tests run both ways),
the standard library does the same work.

* ``loads(data)``: what ``json.loads`` returns, except that orjson reads
  integers beyond 64 bits as floats (still JSON numbers, which is all the
  API asks of a value or timestamp). What orjson refuses and the standard
  library accepts (``NaN``/``Infinity`` literals, UTF-16 text) falls back
  to ``json.loads``, so only a body neither accepts raises ``ValueError``.
* ``dumps_bytes(value)``: compact UTF-8 JSON for a body on the wire, equal
  in value to ``json.dumps`` (not in text: non-ASCII is not escaped, and
  floats are written in their shortest form).

The client decodes with the standard library: a page is mostly small
objects to build, which orjson speeds up little, and its results must be
exactly ``json.loads``'s.
"""

from __future__ import annotations

import json
import os
from typing import Any

ENV_PURE = 'MONASCA_OSC_PURE_JSON'

_orjson: Any = None
_checked = False


def _fast() -> Any:
    global _orjson, _checked
    if not _checked:
        _checked = True
        if not os.environ.get(ENV_PURE):
            try:
                import orjson
            except ImportError:
                orjson = None
            _orjson = orjson
    return _orjson


def using_orjson() -> bool:
    """Whether orjson does the work in this process."""
    return _fast() is not None


def loads(data: bytes | str) -> Any:
    fast = _fast()
    if fast is not None:
        try:
            return fast.loads(data)
        except ValueError:
            pass  # NaN, huge integers, other encodings: json decides
    return json.loads(data)


def dumps_bytes(value: Any) -> bytes:
    fast = _fast()
    if fast is not None:
        try:
            return fast.dumps(value)
        except TypeError:
            pass  # huge integers, non-string keys: json decides
    return json.dumps(value, separators=(',', ':'),
                      ensure_ascii=False).encode('utf-8')


def reset() -> None:
    """Choose again on next use (tests switch ``MONASCA_OSC_PURE_JSON``)."""
    global _orjson, _checked
    _orjson, _checked = None, False
