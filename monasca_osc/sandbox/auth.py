"""Who is calling, and what they may do (API reference §1).

Two modes:

* header trust (no Keystone): ``X-Roles``, ``X-Project-Id`` /
  ``X-Tenant-Id`` / ``X-Tenant`` and ``X-User-Id`` are believed as sent.
  A request carrying only ``X-Auth-Token`` is the legacy "middleware
  disabled" setup: the token is the tenant id and the caller has the
  default (monasca-user) roles. A request with none of these headers gets
  keystonemiddleware's 401.
* Keystone: keystonemiddleware's auth_token validates the token and sets
  the same headers, which are then read exactly as above.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
import json
import logging
from typing import Any

LOG = logging.getLogger('monasca_osc.sandbox')

KEYSTONE_401 = {'error': {
    'code': 401, 'title': 'Unauthorized',
    'message': 'The request you have made requires authentication.'}}


@dataclass
class Roles:
    """The ``[security]`` role lists of monasca-api.conf."""

    default: list[str] = field(default_factory=lambda: ['monasca-user'])
    read_only: list[str] = field(
        default_factory=lambda: ['monasca-read-only-user'])
    agent: list[str] = field(default_factory=lambda: ['monasca-agent'])
    delegate: list[str] = field(default_factory=lambda: ['admin'])

    def rule_roles(self, rule: str) -> set[str]:
        """Roles that satisfy a policy rule; empty set means anyone."""
        if rule in ('api:versions', 'api:healthcheck',
                    'api:healthcheck:head'):
            return set()
        if rule == 'api:delegate':
            return _lower(self.delegate)
        if rule == 'api:metrics:post':
            return _lower(self.default + self.agent)
        if rule == 'api:logs:post':
            return _lower(self.default + self.agent + self.delegate)
        if rule in _READ_RULES:
            return _lower(self.default + self.read_only)
        return _lower(self.default)


_READ_RULES = {
    'api:metrics:get', 'api:metrics:dimension:names',
    'api:metrics:dimension:values', 'api:alarms:definition:get',
    'api:alarms:get', 'api:alarms:count', 'api:alarms:state_history',
    'api:notifications:get', 'api:notifications:type',
}


def _lower(items: Iterable[str]) -> set[str]:
    return {item.strip().lower() for item in items if item.strip()}


@dataclass
class Context:
    tenant: str
    roles: set[str]
    user: str | None = None
    authenticated: bool = True

    def allowed(self, rule: str, roles: Roles) -> bool:
        wanted = roles.rule_roles(rule)
        return not wanted or bool(wanted & self.roles)


def context_from_environ(environ: dict, roles: Roles,
                         trust_token: bool = True) -> Context | None:
    """Build the caller's context; None means "not authenticated"."""
    role_header = environ.get('HTTP_X_ROLES')
    tenant = (environ.get('HTTP_X_PROJECT_ID')
              or environ.get('HTTP_X_TENANT_ID')
              or environ.get('HTTP_X_TENANT'))
    token = environ.get('HTTP_X_AUTH_TOKEN')
    user = environ.get('HTTP_X_USER_ID')
    if role_header is not None:
        return Context(tenant or '', _lower(role_header.split(',')), user)
    if trust_token and token:
        # Legacy mode: the token is the tenant, with monasca-user rights.
        return Context(tenant or token, _lower(roles.default), user)
    if tenant is not None or user is not None:
        return Context(tenant or '', set(), user)
    return None


def unauthenticated(start_response: Callable, www_authenticate: str,
                    extra_headers: list[tuple[str, str]]) -> list[bytes]:
    body = json.dumps(KEYSTONE_401).encode()
    start_response('401 Unauthorized', [
        ('Content-Type', 'application/json'),
        ('Content-Length', str(len(body))),
        ('WWW-Authenticate', www_authenticate),
    ] + extra_headers)
    return [body]


class HeaderAuth:
    """WSGI middleware of the header-trust mode."""

    def __init__(self, app: Callable, roles: Roles) -> None:
        self.app = app
        self.roles = roles

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        context = context_from_environ(environ, self.roles)
        if context is None:
            return unauthenticated(start_response, 'Keystone uri="none"', [])
        environ['monasca.context'] = context
        return self.app(environ, start_response)


class KeystoneContext:
    """Reads the headers keystonemiddleware set after validating a token."""

    def __init__(self, app: Callable, roles: Roles) -> None:
        self.app = app
        self.roles = roles

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        if environ.get('HTTP_X_IDENTITY_STATUS', 'Confirmed') != 'Confirmed':
            return unauthenticated(start_response, 'Keystone uri="none"', [])
        context = context_from_environ(environ, self.roles, trust_token=False)
        if context is None:
            context = Context('', set())
        environ['monasca.context'] = context
        return self.app(environ, start_response)


def keystone_middleware(app: Callable, roles: Roles, url: str, user: str,
                        password: str, project: str,
                        user_domain: str = 'Default',
                        project_domain: str = 'Default') -> Callable:
    """Wrap ``app`` with keystonemiddleware's auth_token (imported lazily).

    Configured in code (no paste or conf file). The password is only passed
    to the middleware, never logged.
    """
    try:
        from keystonemiddleware import auth_token
    except ImportError as exc:
        raise SystemExit(
            'monasca-sandbox: --keystone-url needs keystonemiddleware; '
            'install monasca-osc[keystone]') from exc
    conf = {
        'www_authenticate_uri': url,
        'auth_url': url,
        'auth_type': 'password',
        'username': user,
        'password': password,
        'project_name': project,
        'user_domain_name': user_domain,
        'project_domain_name': project_domain,
        'delay_auth_decision': False,
        'service_token_roles_required': False,
        'memcached_servers': None,
        'include_service_catalog': False,
        'log_name': 'monasca-sandbox',
    }
    return auth_token.AuthProtocol(KeystoneContext(app, roles), conf)
