"""From the ``monasca`` global options to an authenticated REST client.

The modes, cheapest first (only the last two import openstacksdk or the
keystoneauth plugin loaders):

1. no Keystone: ``OS_NO_CLIENT_AUTH=1`` or ``--os-auth-type none``; the
   token, if any, is sent as ``X-Auth-Token`` to ``MONASCA_API_URL``;
2. a known token and URL: ``OS_AUTH_TOKEN`` (or ``--os-token``) with
   ``MONASCA_API_URL`` (or ``--os-endpoint``; ``--os-auth-type
   admin_token``): sent as is, no Keystone round trip;
3. Keystone password or token auth (``OS_USERNAME``/``OS_PASSWORD``/
   ``OS_AUTH_URL``, or a token with ``OS_AUTH_URL``), endpoint from
   ``MONASCA_API_URL`` or the catalog;
4. any other ``--os-auth-type``, through keystoneauth's plugin loader;
5. ``--os-cloud``/``OS_CLOUD``: clouds.yaml through openstack.config.
"""

from __future__ import annotations

import argparse
from typing import Any

NO_AUTH_TYPES = frozenset({'none', 'noauth'})
DIRECT_TOKEN_TYPES = frozenset({'admin_token', 'token_endpoint'})
PASSWORD_TYPES = frozenset({'password', 'v3password', 'v2password'})
TOKEN_TYPES = frozenset({'token', 'v3token', 'v2token'})
# Auth types handled without keystoneauth's plugin loader.
FAST_AUTH_TYPES = (NO_AUTH_TYPES | DIRECT_TOKEN_TYPES | PASSWORD_TYPES
                   | TOKEN_TYPES)
SCOPE_OPTIONS = ('project_id', 'project_name', 'project_domain_id',
                 'project_domain_name', 'user_domain_id', 'user_domain_name',
                 'domain_id', 'domain_name', 'default_domain_id',
                 'default_domain_name', 'trust_id', 'system_scope')


def plugin_option_name(opt: Any) -> str:
    """A keystoneauth option's CLI name (``application-credential-id``),
    spelled as osc-lib spells it."""
    return opt.name.lower().replace('_', '-')


def _get(options: argparse.Namespace, name: str) -> Any:
    value = getattr(options, name, None)
    return None if value == '' else value


class ClientManager:
    """The ``client_manager`` of the legacy shell.

    The v2 command classes only use ``.monitoring``; it is built on first
    use, so ``help`` and argument errors need no credentials.
    """

    def __init__(self, options: argparse.Namespace):
        self.options = options
        self._monitoring: Any = None
        self.session: Any = None

    @property
    def monitoring(self) -> Any:
        if self._monitoring is None:
            self._monitoring = self._build()
        return self._monitoring

    def timings(self) -> list[Any]:
        """keystoneauth's request timings (with ``--timing``)."""
        if self.session is None:
            return []
        return list(self.session.get_timings())

    # -- building ---------------------------------------------------------
    def _tls(self) -> dict[str, Any]:
        opts = self.options
        verify: Any = True
        if _get(opts, 'os_cacert'):
            verify = opts.os_cacert
        if getattr(opts, 'insecure', False):
            verify = False
        cert = _get(opts, 'os_cert')
        if cert and _get(opts, 'os_key'):
            cert = (cert, opts.os_key)
        return {'verify': verify, 'cert': cert}

    def _build(self) -> Any:
        from monasca_osc import client

        opts = self.options
        if _get(opts, 'os_cloud'):
            return self._from_cloud()
        self.session = client.make_session(
            self.auth_plugin(), collect_timing=bool(opts.timing),
            **self._tls())
        return client.make_client(
            self.session,
            endpoint=_get(opts, 'monasca_api_url') or _get(opts,
                                                           'os_endpoint'),
            region_name=_get(opts, 'os_region_name'),
            interface=_get(opts, 'os_interface'),
            retries=opts.retries, timeout=opts.timeout,
            logger=client.http_logger())

    def auth_plugin(self) -> Any:
        """The keystoneauth plugin the options ask for (see module doc)."""
        from monasca_osc import client

        opts = self.options
        auth_type = (_get(opts, 'os_auth_type') or '').lower() or None
        token = _get(opts, 'os_token')
        url = _get(opts, 'monasca_api_url') or _get(opts, 'os_endpoint')
        if opts.os_no_client_auth or auth_type in NO_AUTH_TYPES:
            if not url:
                raise client.MissingCredentials(
                    'Without Keystone (OS_NO_CLIENT_AUTH or --os-auth-type '
                    'none) the API URL is required: set MONASCA_API_URL or '
                    '--monasca-api-url')
            return client.direct_token_auth(url, token)
        if auth_type in DIRECT_TOKEN_TYPES or (
                auth_type is None and token and url):
            if not (token and url):
                raise client.MissingCredentials(
                    '--os-auth-type admin_token needs a token '
                    '(OS_AUTH_TOKEN/--os-token) and the API URL '
                    '(MONASCA_API_URL/--os-endpoint)')
            return client.direct_token_auth(url, token)
        if auth_type is None:
            if token:
                auth_type = 'token'
            elif _get(opts, 'os_username') or _get(opts, 'os_user_id') or \
                    _get(opts, 'os_password'):
                auth_type = 'password'
            else:
                raise client.MissingCredentials(
                    'No credentials: set OS_AUTH_TOKEN and MONASCA_API_URL '
                    '(plus OS_NO_CLIENT_AUTH=1 without Keystone), '
                    'OS_USERNAME, OS_PASSWORD and OS_AUTH_URL, or '
                    'OS_CLOUD (or the matching --os-* options)')
        scope = {k: _get(opts, f'os_{k}') for k in SCOPE_OPTIONS}
        auth_url = _get(opts, 'os_auth_url')
        version = _get(opts, 'os_auth_version')
        if auth_type in PASSWORD_TYPES or auth_type in TOKEN_TYPES:
            return client.identity_auth(
                auth_url, auth_version=version,
                token=token if auth_type in TOKEN_TYPES else None,
                username=_get(opts, 'os_username'),
                user_id=_get(opts, 'os_user_id'),
                password=_get(opts, 'os_password'), **scope)
        return self._loaded_plugin(auth_type,
                                   client.auth_url_with_version(auth_url,
                                                                version))

    def _loaded_plugin(self, auth_type: str, auth_url: str | None) -> Any:
        """Any other keystoneauth plugin (OIDC, TOTP, app credentials...)."""
        from keystoneauth1 import exceptions as ks_exc
        from keystoneauth1 import loading

        from monasca_osc import client

        try:
            loader = loading.get_plugin_loader(auth_type)
        except ks_exc.NoMatchingPlugin:
            names = ', '.join(sorted(loading.get_available_plugin_names()))
            raise client.MissingCredentials(
                f'Unknown --os-auth-type {auth_type!r}; available: '
                f'{names}') from None
        kwargs = {}
        for opt in loader.get_options():
            name = plugin_option_name(opt).replace('-', '_')
            value = _get(self.options, f'os_{name}')
            if opt.dest == 'auth_url':
                value = auth_url
            if value is not None:
                kwargs[opt.dest] = value
        return loader.load_from_options(**kwargs)

    def _from_cloud(self) -> Any:
        """clouds.yaml, overridden by the options and OS_* variables.

        osc-lib's OSC_Config, as ``openstack`` uses it: a value given on
        the command line or in the environment wins over the cloud's
        (openstack.config's own loader lets clouds.yaml win for auth
        values, which ignored --os-password and OS_PASSWORD).
        """
        from osc_lib.cli import client_config

        from monasca_osc import client, masking

        opts = self.options
        skip = {'os_cloud', 'os_no_client_auth', 'os_auth_version',
                'os_beta_command', 'os_default_domain'}
        given = {k: v for k, v in vars(opts).items()
                 if k.startswith('os_') and k not in skip
                 and v not in (None, '')}
        if getattr(opts, 'insecure', False):
            given['insecure'] = True
        cloud = client_config.OSC_Config().get_one(
            cloud=opts.os_cloud, argparse=argparse.Namespace(**given))
        masking.register_config(cloud.config)
        self.session = cloud.get_session()
        if opts.timing:
            self.session._collect_timing = True
        return client.make_client(
            self.session,
            endpoint=_get(opts, 'monasca_api_url')
            or cloud.get_endpoint('monitoring'),
            region_name=cloud.get_region_name('monitoring'),
            interface=cloud.get_interface('monitoring'),
            retries=opts.retries, timeout=opts.timeout,
            settings=cloud.config, logger=client.http_logger())
