"""The Python API of the retired python-monascaclient, on our REST layer.

.. code-block:: python

    from monasca_osc import client

    c = client.Client(api_version='2_0', username='mini-mon',
                      password='password', project_name='mini-mon',
                      auth_url='http://127.0.0.1/identity',
                      endpoint='http://127.0.0.1:8070/v2.0')
    c.metrics.list(name='cpu.idle_perc')

Three ways to authenticate, as the legacy documentation shows: username and
password, a token, or an existing keystoneauth1 ``session``. Without
``endpoint`` the Monasca URL comes from the Keystone catalog (service type
``monitoring``, honouring ``region_name`` and ``interface``). The returned
object has the legacy managers: ``metrics``, ``alarms``,
``alarm_definitions``, ``notifications`` and ``notificationtypes`` (plus
``versions``); ``list*`` methods return lists, ``iter_*`` methods page.

The helpers below (auth plugin, session, client) are shared with the
``monasca`` command, so both authenticate the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
import re
from typing import Any
import warnings

__all__ = ['Client', 'MissingCredentials', 'UnsupportedVersion',
           'SUPPORTED_VERSIONS']

SUPPORTED_VERSIONS = ('2_0',)
# Accepted spellings of the one API version.
_VERSION_ALIASES = {'2_0': '2_0', '2': '2_0', '2.0': '2_0', 'v2.0': '2_0',
                    'v2_0': '2_0'}
DEFAULT_DOMAIN_NAME = 'Default'
_KNOWN_ARGS = frozenset({
    'endpoint', 'session', 'auth', 'token', 'username', 'user_id',
    'password', 'auth_url', 'project_id', 'project_name',
    'project_domain_id', 'project_domain_name', 'user_domain_id',
    'user_domain_name', 'domain_id', 'domain_name', 'default_domain_id',
    'default_domain_name', 'trust_id', 'system_scope', 'verify', 'cacert',
    'os_cacert', 'cert', 'key', 'timeout', 'retries', 'region_name',
    'interface', 'service_type', 'app_name', 'app_version', 'auth_version',
})


class MissingCredentials(ValueError):
    """Not enough information to authenticate (says what is missing)."""


class UnsupportedVersion(ValueError):
    """An api_version other than 2_0 was asked for."""


def check_api_version(version: Any) -> str:
    """Normalise an API version ('2_0', '2', '2.0'); anything else fails."""
    normal = _VERSION_ALIASES.get(str(version).strip())
    if normal is None:
        raise UnsupportedVersion(
            f'Unsupported Monasca API version {version!r}: the only '
            f'supported version is 2_0')
    return normal


def auth_url_with_version(auth_url: str | None,
                          version: Any = None) -> str | None:
    """Append ``/v3`` or ``/v2.0`` to an auth URL that names no version.

    ``version`` is the legacy OS_AUTH_VERSION (``3``, ``v3``, ``2.0``...);
    without it the URL is left alone (keystoneauth discovers the version).
    """
    if not auth_url or version in (None, ''):
        return auth_url
    if re.search(r'/v(2\.0|3)(/|$)', auth_url):
        return auth_url
    text = str(version).strip().lower().lstrip('v')
    if text in ('3', '3.0'):
        suffix = 'v3'
    elif text in ('2', '2.0'):
        suffix = 'v2.0'
    else:
        raise MissingCredentials(
            f'Unknown auth version {version!r}: use 3 or 2.0')
    return f'{auth_url.rstrip("/")}/{suffix}'


def _domains(args: Mapping[str, Any]) -> dict[str, Any]:
    """User and project domain, defaulting to the Default domain.

    The legacy client assumed ``Default`` for OS_USER_DOMAIN_NAME; a
    project named without a domain is looked up in the user's domain.
    """
    default_id = args.get('default_domain_id')
    default_name = args.get('default_domain_name')
    if not (default_id or default_name):
        default_name = DEFAULT_DOMAIN_NAME
    user_id = args.get('user_domain_id')
    user_name = args.get('user_domain_name')
    if not (user_id or user_name):
        user_id, user_name = default_id, (None if default_id
                                          else default_name)
    result = {'user_domain_id': user_id, 'user_domain_name': user_name}
    project_id = args.get('project_domain_id')
    project_name = args.get('project_domain_name')
    if not (project_id or project_name):
        project_id, project_name = user_id, user_name
    result.update(project_domain_id=project_id,
                  project_domain_name=project_name)
    return result


def identity_auth(auth_url: str | None, *, token: str | None = None,
                  username: str | None = None, user_id: str | None = None,
                  password: str | None = None, **scope: Any) -> Any:
    """A keystoneauth identity plugin (Keystone version discovered).

    ``scope``: project_id/name, domains, domain_id/name, trust_id,
    system_scope, default_domain_id/name, auth_version.
    """
    from keystoneauth1.identity import generic

    auth_url = auth_url_with_version(auth_url, scope.pop('auth_version',
                                                         None))
    if not auth_url:
        raise MissingCredentials(
            'An auth URL is required to authenticate with Keystone '
            '(auth_url=, OS_AUTH_URL or --os-auth-url)')
    common = {'project_id': scope.get('project_id'),
              'project_name': scope.get('project_name'),
              'domain_id': scope.get('domain_id'),
              'domain_name': scope.get('domain_name'),
              'trust_id': scope.get('trust_id'),
              'system_scope': scope.get('system_scope')}
    domains = _domains(scope)
    if common['project_name']:
        common['project_domain_id'] = domains['project_domain_id']
        common['project_domain_name'] = domains['project_domain_name']
    else:
        common['project_domain_id'] = scope.get('project_domain_id')
        common['project_domain_name'] = scope.get('project_domain_name')
    if token:
        return generic.Token(auth_url, token=token, **common)
    if not (username or user_id):
        raise MissingCredentials(
            'A username (or user id) is required for password '
            'authentication (username=, OS_USERNAME or --os-username)')
    if not password:
        raise MissingCredentials(
            'A password is required for password authentication '
            '(password=, OS_PASSWORD or --os-password)')
    return generic.Password(
        auth_url, username=username, user_id=user_id, password=password,
        user_domain_id=domains['user_domain_id'],
        user_domain_name=domains['user_domain_name'], **common)


def direct_token_auth(endpoint: str, token: str | None) -> Any:
    """No Keystone: send ``token`` (if any) to a known Monasca URL."""
    if token:
        from keystoneauth1 import token_endpoint

        return token_endpoint.Token(endpoint, token)
    from keystoneauth1 import noauth

    return noauth.NoAuth(endpoint=endpoint)


def make_session(auth: Any, *, verify: Any = True, cert: Any = None,
                 timeout: float | None = None,
                 collect_timing: bool = False) -> Any:
    from keystoneauth1 import session as ks_session

    return ks_session.Session(auth=auth, verify=verify, cert=cert,
                              timeout=timeout, app_name='monasca-osc',
                              collect_timing=collect_timing)


# Per-cloud settings (clouds.yaml, OS_MONITORING_*, --os-monitoring-*):
# name -> (type, what a valid value is).
MONITORING_SETTINGS = {
    'monitoring_retries': (int, 'a number of retries (0 or more)'),
    'monitoring_timeout': (float, 'a positive number of seconds'),
}


def monitoring_setting(settings: Mapping[str, Any] | None,
                       name: str) -> Any:
    """A monitoring setting of a cloud config, checked; None when unset."""
    value = (settings or {}).get(name)
    if value in (None, ''):
        return None
    kind, expected = MONITORING_SETTINGS[name]
    try:
        number = kind(value)
    except (TypeError, ValueError, OverflowError):
        number = None
    if number is None or not 0 <= number < float('inf') or (
            kind is float and not number > 0):
        from monasca_osc.exceptions import ValidationError

        raise ValidationError(
            f'Invalid monitoring setting {name} {value!r}: expected '
            f'{expected}')
    return number


def http_logger() -> Any:
    """The logger keystoneauth writes the CLIs' requests and bodies to.

    The CLIs keep the root logger at DEBUG and filter in their handlers,
    so keystoneauth would decode and format every response body (10,000
    rows a page) for a log line nobody sees. Below DEBUG output it stays
    INFO. Call it once logging is configured.
    """
    import logging

    logger = logging.getLogger('monasca_osc.http')
    handlers = logging.getLogger().handlers
    debugging = any(h.level <= logging.DEBUG for h in handlers)
    logger.setLevel(logging.NOTSET if debugging or not handlers
                    else logging.INFO)
    return logger


def make_client(session: Any, *, endpoint: str | None = None,
                region_name: str | None = None,
                interface: Any = None, service_type: str = 'monitoring',
                retries: int | None = None,
                timeout: float | None = None,
                settings: Mapping[str, Any] | None = None,
                logger: Any = None) -> Any:
    """The REST client: the one builder for the ``openstack`` plugin, the
    ``monasca`` command and ``Client()``, so they cannot drift apart.

    ``session`` is an authenticated keystoneauth session; without
    ``endpoint`` the catalog is used. ``retries`` and ``timeout`` given
    explicitly (a ``monasca`` option, a ``Client()`` argument) win over
    ``settings`` (a cloud config: ``monitoring_retries`` and
    ``monitoring_timeout`` from clouds.yaml, ``OS_MONITORING_*`` or
    ``--os-monitoring-*``), which win over the defaults. ``logger``: where
    keystoneauth logs requests (default: its own loggers).
    """
    from monasca_osc.api.monitoring_client import MonitoringClient

    if retries is None:
        retries = monitoring_setting(settings, 'monitoring_retries')
    if timeout is None:
        timeout = monitoring_setting(settings, 'monitoring_timeout')
    kwargs: dict[str, Any] = {}
    if retries is not None:
        kwargs['retries'] = retries
    if logger is not None:
        kwargs['logger'] = logger
    return MonitoringClient(
        session, endpoint_override=endpoint or None,
        service_type=service_type or 'monitoring', region_name=region_name,
        interface=interface or 'public', timeout=timeout, **kwargs)


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f'Client({old}=...) is deprecated; use {new} instead',
                  DeprecationWarning, stacklevel=3)


def Client(api_version: str = '2_0', *args: Any, **kwargs: Any) -> Any:  # noqa: N802 - the legacy name
    """Build a Monasca client; see the module docstring.

    Keyword arguments: ``endpoint`` (the URL with or without ``/v2.0``;
    omit it to use the catalog), ``session`` (a keystoneauth1 Session; then
    no other auth argument is used), ``auth`` (a keystoneauth1 plugin),
    ``token``, ``username``/``user_id`` and ``password``, ``auth_url``,
    ``project_id``/``project_name``, ``user_domain_id/name``,
    ``project_domain_id/name``, ``region_name``, ``interface``,
    ``service_type``, ``verify``/``cacert``, ``cert``/``key``, ``timeout``
    and ``retries``. Deprecated: a positional endpoint, ``tenant_name``,
    ``tenant_id`` and ``insecure``.

    With ``token`` and no ``auth_url`` the token is sent as is to
    ``endpoint`` (no Keystone round trip).
    """
    check_api_version(api_version)
    if args:
        _deprecated('<positional endpoint>', 'endpoint=')
        kwargs['endpoint'] = args[0]
    for old, new in (('tenant_name', 'project_name'),
                     ('tenant_id', 'project_id')):
        if old in kwargs:
            _deprecated(old, f'{new}=')
            value = kwargs.pop(old)
            kwargs.setdefault(new, value)
    if 'insecure' in kwargs:
        _deprecated('insecure', 'verify=')
        kwargs['verify'] = not kwargs.pop('insecure')
    unknown = sorted(set(kwargs) - _KNOWN_ARGS)
    if unknown:
        # The legacy client ignored unknown arguments; say so at least.
        warnings.warn(f'Client() ignores unknown argument(s): '
                      f'{", ".join(unknown)}', UserWarning, stacklevel=2)
    endpoint = kwargs.get('endpoint')
    timeout = kwargs.get('timeout')
    session = kwargs.get('session')
    if session is not None:
        from keystoneauth1 import session as ks_session

        if not isinstance(session, ks_session.Session):
            raise RuntimeError(
                f'session should be an instance of '
                f'keystoneauth1.session.Session, not '
                f'{type(session).__name__}')
    else:
        verify = kwargs.get('verify', True)
        cacert = kwargs.get('cacert') or kwargs.get('os_cacert')
        if cacert and verify is not False:
            verify = cacert
        cert = kwargs.get('cert')
        if cert and kwargs.get('key'):
            cert = (cert, kwargs['key'])
        session = make_session(_auth(kwargs), verify=verify, cert=cert,
                               timeout=timeout)
    return make_client(
        session, endpoint=endpoint, region_name=kwargs.get('region_name'),
        interface=kwargs.get('interface'),
        service_type=kwargs.get('service_type') or 'monitoring',
        retries=kwargs.get('retries'), timeout=timeout)


def _auth(kwargs: Mapping[str, Any]) -> Any:
    if kwargs.get('auth') is not None:
        return kwargs['auth']
    token = kwargs.get('token')
    scope = {k: kwargs.get(k) for k in (
        'project_id', 'project_name', 'project_domain_id',
        'project_domain_name', 'user_domain_id', 'user_domain_name',
        'domain_id', 'domain_name', 'default_domain_id',
        'default_domain_name', 'trust_id', 'system_scope', 'auth_version')}
    if token and not kwargs.get('auth_url'):
        if not kwargs.get('endpoint'):
            raise MissingCredentials(
                'A token without auth_url needs endpoint= (the Monasca URL '
                'it is sent to); give auth_url= to use Keystone instead')
        return direct_token_auth(kwargs['endpoint'], token)
    if token or kwargs.get('username') or kwargs.get('user_id') or \
            kwargs.get('password'):
        return identity_auth(kwargs.get('auth_url'), token=token,
                             username=kwargs.get('username'),
                             user_id=kwargs.get('user_id'),
                             password=kwargs.get('password'), **scope)
    raise MissingCredentials(
        'No credentials: pass session=, token= (with auth_url=, or with '
        'endpoint= to skip Keystone), or username= and password= with '
        'auth_url=')
