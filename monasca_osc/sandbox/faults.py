"""Test-only fault injection and request accounting (``/sandbox/...``)."""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass
import itertools
import threading
from typing import Any

ACTIONS = (None, 'drop', 'truncate', 'html', 'garbage', 'reset')
_ids = itertools.count(1)


@dataclass
class FaultRule:
    id: int
    method: str | None = None
    path: str | None = None
    count: int | None = 1          # None: until cleared
    status: int | None = None
    retry_after: float | None = None
    latency: float | None = None
    action: str | None = None
    body: Any = None
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method:
            return False
        if self.path:
            return path.startswith(self.path)
        # A catch-all rule must not break the health probe of the fixture.
        return not path.startswith('/healthcheck')

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_rule(data: Any) -> FaultRule:
    """Validate a POSTed rule; ValueError with a one-line reason."""
    if not isinstance(data, dict):
        raise ValueError('a fault rule must be a JSON object')
    known = {'method', 'path', 'count', 'status', 'retry_after', 'latency',
             'action', 'body'}
    extra = set(data) - known
    if extra:
        raise ValueError(f'unknown fault rule keys: {sorted(extra)}')
    rule = FaultRule(id=next(_ids))
    for key in known:
        if key in data:
            setattr(rule, key, data[key])
    if rule.method is not None and not isinstance(rule.method, str):
        raise ValueError('method must be a string or null')
    if rule.path is not None and not isinstance(rule.path, str):
        raise ValueError('path must be a string or null')
    if rule.count is not None and (isinstance(rule.count, bool)
                                   or not isinstance(rule.count, int)):
        raise ValueError('count must be an integer or null')
    if rule.status is not None and (isinstance(rule.status, bool)
                                    or not isinstance(rule.status, int)
                                    or not 100 <= rule.status <= 599):
        raise ValueError('status must be an HTTP status code')
    for key in ('retry_after', 'latency'):
        value = getattr(rule, key)
        if value is not None and (isinstance(value, bool)
                                  or not isinstance(value, (int, float))
                                  or value < 0):
            raise ValueError(f'{key} must be a non-negative number')
    if rule.action not in ACTIONS:
        raise ValueError(f'action must be one of {list(ACTIONS)}')
    return rule


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.to_dict() for rule in self._rules]

    def match(self, method: str, path: str) -> FaultRule | None:
        """The first matching rule, consumed by one use."""
        with self._lock:
            for rule in self._rules:
                if rule.count is not None and rule.count <= 0:
                    continue
                if rule.matches(method, path):
                    rule.hits += 1
                    if rule.count is not None:
                        rule.count -= 1
                        if rule.count <= 0:
                            self._rules.remove(rule)
                    return rule
        return None


class RequestLog:
    """How many API requests reached the server, and the last ones."""

    def __init__(self, keep: int = 1000) -> None:
        self._lock = threading.Lock()
        self.count = 0
        self.recent: deque[dict[str, str]] = deque(maxlen=keep)

    def record(self, method: str, path: str, query: str) -> None:
        with self._lock:
            self.count += 1
            self.recent.append({'method': method, 'path': path,
                                'query': query})

    def reset(self) -> None:
        with self._lock:
            self.count = 0
            self.recent.clear()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {'count': self.count, 'recent': list(self.recent)}


HTML_PAGE = ('<html>\r\n<head><title>{code} {reason}</title></head>\r\n'
             '<body>\r\n<center><h1>{code} {reason}</h1></center>\r\n'
             '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n')
GARBAGE = b'\x00\xff<<this is not JSON>> {"elements": [\x01'
