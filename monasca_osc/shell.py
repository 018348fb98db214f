"""The ``monasca`` command: python-monascaclient's CLI on our command classes.

``monasca <legacy-command> ...`` runs the 29 commands of the retired
python-monascaclient (plus ``help``, ``complete`` and ``completion``) with
their argument syntax, global options and environment variables. Each
command is a thin subclass of the OSC plugin's command class
(``monasca_osc/legacy``), so both CLIs share parsing rules, validation and
the REST layer.

Built on ``cliff.app.App`` rather than osc-lib's ``OpenStackShell``, which
imports openstacksdk, cmd2 and every keystoneauth plugin on every run: with
a token and URL (or no Keystone) this command loads none of them.
openstacksdk is imported only for ``--os-cloud``, keystoneauth's plugin
loader only for an unusual ``--os-auth-type`` (and for ``--help``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
import logging
import os
import sys
from typing import Any

from cliff import app, commandmanager, complete

from monasca_osc import legacy, masking
from monasca_osc.common import argtypes
from monasca_osc.legacy import clientmanager

DESCRIPTION = ('Command-line interface to the Monasca monitoring API '
               '(python-monascaclient compatible)')
EPILOG = (
    'Differences from python-monascaclient: invalid input exits with status '
    '1 and one error line, and sends nothing; -f json|yaml|csv|value, -c '
    'and --sort-column work (-j is -f json); lists follow every page '
    '(--limit caps the total, --offset resumes); each --dimensions flag is '
    'split on commas, and \\, is a literal comma; metric-create-raw takes '
    'a JSON array; measurement-list and metric-statistics list every '
    'matching series; severity filters take LOW|HIGH; times may also be '
    '-15m, -2h, -7d or now-1h; OS_AUTH_TOKEN with MONASCA_API_URL needs no '
    'Keystone. "openstack monitoring ..." offers the same operations.')
_TRUE = ('1', 'true', 'yes', 'on')


def _env(*names: str, default: Any = None) -> Any:
    """The first non-empty environment variable of ``names``."""
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return default


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version('monasca-osc')
    except metadata.PackageNotFoundError:
        return 'unknown'


class _VersionAction(argparse.Action):
    """``--version``, with the version looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse
                 .SUPPRESS, default: str = argparse.SUPPRESS,
                 help: str | None = None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0,
                         help=help)

    def __call__(self, parser: argparse.ArgumentParser,
                 namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        parser._print_message(f'monasca {_version()}\n', sys.stdout)
        parser.exit()


class _Commands(commandmanager.CommandManager):
    """The legacy command table; no entry-point scan, lazy imports."""

    def __init__(self) -> None:
        super().__init__(None)
        for name, target in legacy.COMMANDS.items():
            self.commands[name] = legacy.LazyCommand(name, target)
        self.add_command('completion', complete.CompleteCommand)


class MonascaShell(app.App):
    """``monasca``: cliff App with the legacy global options."""

    NAME = 'monasca'
    LOG = logging.getLogger('monasca')
    _interacted = False

    def __init__(self, argv: Sequence[str] = (), stdin: Any = None,
                 stdout: Any = None, stderr: Any = None) -> None:
        # Whether to offer every keystoneauth plugin's options, decided
        # before the parser is built (loading them costs ~0.1 s).
        self._plugin_options = needs_plugin_options(argv)
        self.client_manager: clientmanager.ClientManager | None = None
        super().__init__(description=DESCRIPTION, version=None,
                         command_manager=_Commands(), stdin=stdin,
                         stdout=stdout, stderr=stderr, deferred_help=True)

    # -- options ------------------------------------------------------------
    def build_option_parser(self, description: str | None,
                            version: str | None,
                            argparse_kwargs: dict[str, Any] | None = None
                            ) -> argparse.ArgumentParser:
        from cliff import _argparse

        # No abbreviations: "--time" of metric-create would otherwise be an
        # ambiguous prefix of the global --timeout/--timing.
        parser = _argparse.ArgumentParser(
            description=description, epilog=EPILOG, add_help=False,
            allow_abbrev=False)
        parser.add_argument('--version', action=_VersionAction,
                            help="show program's version number and exit")
        verbose = parser.add_mutually_exclusive_group()
        verbose.add_argument(
            '-v', '--verbose', action='count', dest='verbose_level',
            default=self.DEFAULT_VERBOSE_LEVEL,
            help='Increase verbosity of output. Can be repeated.')
        verbose.add_argument(
            '-q', '--quiet', action='store_const', dest='verbose_level',
            const=0, help='Suppress output except warnings and errors.')
        parser.add_argument(
            '--log-file', action='store', default=None,
            help='Specify a file to log output. Disabled by default.')
        parser.add_argument('-h', '--help', dest='deferred_help',
                            action='store_true',
                            help='Show help message and exit.')
        parser.add_argument('--debug', default=False, action='store_true',
                            help='Show tracebacks on errors.')
        add_global_options(parser)
        if self._plugin_options:
            add_plugin_options(parser)
        # Before anything is logged: no secret reaches a log line.
        masking.guard(parser)
        return parser

    # -- app hooks ----------------------------------------------------------
    def run(self, argv: list[str]) -> int:
        result = super().run(argv)
        # cliff returns 1 after an interactive session; leaving the
        # session (EOF, "quit") is not an error.
        return 0 if self._interacted else result

    def interact(self) -> None:
        super().interact()
        self._interacted = True

    def configure_logging(self) -> None:
        if self.options.debug:
            self.options.verbose_level = 3
        super().configure_logging()
        if self.options.verbose_level < 3:
            # Keep library chatter out of normal and -v output.
            for name in ('stevedore', 'urllib3', 'iso8601'):
                logging.getLogger(name).setLevel(logging.WARNING)
        if self.options.verbose_level < 2:
            # As with openstack, retry notices need -v: by default a
            # failure is the one error line.
            logging.getLogger('monasca_osc.api').setLevel(logging.WARNING)

    def initialize_app(self, argv: list[str]) -> None:
        from monasca_osc import client

        try:
            client.check_api_version(self.options.monasca_api_version)
        except client.UnsupportedVersion:
            raise client.UnsupportedVersion(
                f'Unsupported --monasca-api-version '
                f'{self.options.monasca_api_version!r}: only 2_0 is '
                f'supported') from None
        self.client_manager = clientmanager.ClientManager(self.options)

    def clean_up(self, cmd: Any, result: int, err: BaseException | None
                 ) -> None:
        if getattr(self.options, 'timing', False) and self.client_manager:
            self._print_timing()

    def _print_timing(self) -> None:
        import prettytable

        timings = self.client_manager.timings()
        table = prettytable.PrettyTable(('URL', 'Seconds'))
        table.align['URL'] = 'l'
        table.align['Seconds'] = 'r'
        total = 0.0
        for timing in timings:
            seconds = timing.elapsed.total_seconds()
            total += seconds
            table.add_row((f'{timing.method} {timing.url}',
                           f'{seconds:.3f}'))
        table.add_row(('Total', f'{total:.3f}'))
        self.stdout.write(table.get_string() + '\n')


def add_global_options(parser: argparse.ArgumentParser) -> None:
    """The osc-lib option set the legacy client had, plus its own."""
    add = parser.add_argument
    add('--os-cloud', metavar='<cloud-config-name>',
        default=_env('OS_CLOUD'),
        help='Cloud name in clouds.yaml (Env: OS_CLOUD)')
    add('--os-region-name', metavar='<auth-region-name>',
        default=_env('OS_REGION_NAME'),
        help='Authentication region name (Env: OS_REGION_NAME)')
    add('--os-cacert', metavar='<ca-bundle-file>', default=_env('OS_CACERT'),
        help='CA certificate bundle file (Env: OS_CACERT)')
    add('--os-cert', metavar='<certificate-file>', default=_env('OS_CERT'),
        help='Client certificate bundle file (Env: OS_CERT)')
    add('--os-key', metavar='<key-file>', default=_env('OS_KEY'),
        help='Client certificate key file (Env: OS_KEY)')
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument('--verify', action='store_true', default=False,
                     help='Verify server certificate (default)')
    tls.add_argument('--insecure', action='store_true', default=False,
                     help='Disable server certificate verification')
    add('--os-default-domain', metavar='<auth-domain>',
        dest='os_default_domain_id', default=_env('OS_DEFAULT_DOMAIN'),
        help='Default domain ID for the user and project when none is '
             'given (Env: OS_DEFAULT_DOMAIN; otherwise the domain named '
             '"Default")')
    add('--os-interface', metavar='<interface>', default=_env('OS_INTERFACE'),
        help='Select an interface type. Valid interface types: [admin, '
             'public, internal]. (Env: OS_INTERFACE)')
    add('--timing', default=False, action='store_true',
        help='Print API call timing info')
    add('--os-beta-command', action='store_true', default=False,
        help='Enable beta commands which are subject to change')
    add('--os-auth-type', metavar='<auth-type>', default=_env('OS_AUTH_TYPE'),
        help='Select an authentication type: password, token, admin_token, '
             'none, or any keystoneauth plugin (v3oidcpassword, '
             'v3applicationcredential, v3totp...). Default: selected based '
             'on --os-username/--os-token (Env: OS_AUTH_TYPE)')
    for flag, metavar, envs, text in (
            ('auth-url', '<auth-auth-url>', ('OS_AUTH_URL',),
             'Authentication URL'),
            ('username', '<auth-username>', ('OS_USERNAME',), 'Username'),
            ('user-id', '<auth-user-id>', ('OS_USER_ID',), 'User ID'),
            ('password', '<auth-password>', ('OS_PASSWORD',),
             "User's password"),
            ('project-name', '<auth-project-name>',
             ('OS_PROJECT_NAME', 'OS_TENANT_NAME'),
             'Project name to scope to'),
            ('project-id', '<auth-project-id>',
             ('OS_PROJECT_ID', 'OS_TENANT_ID'), 'Project ID to scope to'),
            ('user-domain-name', '<auth-user-domain-name>',
             ('OS_USER_DOMAIN_NAME',),
             "User's domain name (default: Default)"),
            ('user-domain-id', '<auth-user-domain-id>',
             ('OS_USER_DOMAIN_ID',), "User's domain id"),
            ('project-domain-name', '<auth-project-domain-name>',
             ('OS_PROJECT_DOMAIN_NAME',),
             "Domain name containing project (default: the user's)"),
            ('project-domain-id', '<auth-project-domain-id>',
             ('OS_PROJECT_DOMAIN_ID',), 'Domain ID containing project'),
            ('domain-name', '<auth-domain-name>', ('OS_DOMAIN_NAME',),
             'Domain name to scope to'),
            ('domain-id', '<auth-domain-id>', ('OS_DOMAIN_ID',),
             'Domain ID to scope to'),
            ('default-domain-name', '<auth-default-domain-name>',
             ('OS_DEFAULT_DOMAIN_NAME',),
             'Domain name used for user and project when none is given'),
            ('trust-id', '<auth-trust-id>', ('OS_TRUST_ID',), 'Trust ID'),
            ('system-scope', '<auth-system-scope>', ('OS_SYSTEM_SCOPE',),
             'Scope for system operations'),
            ('token', '<auth-token>', ('OS_TOKEN', 'OS_AUTH_TOKEN'),
             'Token: sent as is with MONASCA_API_URL, else exchanged with '
             'Keystone at --os-auth-url'),
            ('endpoint', '<auth-endpoint>', ('OS_ENDPOINT',),
             'The Monasca endpoint to use with admin_token or none auth')):
        env_text = ', '.join(envs)
        add(f'--os-{flag}', metavar=metavar, default=_env(*envs),
            help=f'{text} (Env: {env_text})')
    # Legacy spellings (1.x and the stale docs), hidden.
    for flag, dest in (('--os-tenant-name', 'os_project_name'),
                       ('--os-tenant-id', 'os_project_id'),
                       ('--os-auth-token', 'os_token'),
                       ('--os-url', 'os_endpoint')):
        add(flag, dest=dest, help=argparse.SUPPRESS)
    add('--os-auth-version', metavar='<auth-version>',
        default=_env('OS_AUTH_VERSION', 'OS_IDENTITY_API_VERSION'),
        help='Identity API version (3 or 2.0) appended to --os-auth-url '
             'when it names none (Env: OS_AUTH_VERSION)')
    add('--os-no-client-auth', action='store_true',
        default=_env('OS_NO_CLIENT_AUTH', default='').lower() in _TRUE,
        help='Do not authenticate with Keystone: send --os-token as is to '
             '--monasca-api-url (the API treats it as the tenant ID when '
             'its Keystone middleware is off) (Env: OS_NO_CLIENT_AUTH)')
    add('--monasca-api-url', '--monasca_api_url', metavar='MONASCA_API_URL',
        dest='monasca_api_url', default=_env('MONASCA_API_URL'),
        help='Defaults to env[MONASCA_API_URL]; with or without /v2.0.')
    add('--monasca-api-version', '--monasca_api_version',
        metavar='MONASCA_API_VERSION', dest='monasca_api_version',
        default=_env('MONASCA_API_VERSION', default='2_0'),
        help='Defaults to env[MONASCA_API_VERSION] or 2_0')
    add('--retries', metavar='<count>', type=argtypes.retries,
        default=_env('MONASCA_RETRIES'),
        help='Retries of a failed request (connection errors, timeouts, '
             '429, 500, 502, 503, 504), default 3 (Env: MONASCA_RETRIES)')
    add('--timeout', metavar='<seconds>', type=argtypes.seconds,
        default=_env('MONASCA_TIMEOUT'),
        help='Timeout of one API request in seconds (Env: MONASCA_TIMEOUT)')


def add_plugin_options(parser: argparse.ArgumentParser) -> None:
    """Every keystoneauth plugin's options, as osc-lib offers them."""
    from keystoneauth1 import loading

    known = set(parser._option_string_actions)
    helps: dict[str, list[str]] = {}
    # Plugins whose optional dependencies are missing (SAML needs lxml)
    # are skipped; stevedore would log an error for each.
    ext_log = logging.getLogger('stevedore.extension')
    disabled, ext_log.disabled = ext_log.disabled, True
    try:
        loaders = sorted(loading.get_available_plugin_loaders().items())
    finally:
        ext_log.disabled = disabled
    for name, loader in loaders:
        try:
            options = loader.get_options()
        except Exception:  # noqa: BLE001 - a broken plugin must not break us
            continue
        for opt in options:
            # osc-lib's spelling: --os-application-credential-id.
            flag = '--os-' + clientmanager.plugin_option_name(opt)
            if flag in known:
                continue
            helps.setdefault(flag, []).append(f'With {name}: {opt.help}')
    for flag, texts in helps.items():
        dest = 'os_' + flag[5:].replace('-', '_')
        env = dest.upper()
        parser.add_argument(
            flag, metavar=f'<auth-{flag[5:]}>', dest=dest, default=_env(env),
            help=' '.join(texts) + f' (Env: {env})')



def needs_plugin_options(argv: Sequence[str]) -> bool:
    """Whether this run needs keystoneauth's plugin options in the parser:
    an auth type we do not handle ourselves, an --os-* flag we do not know,
    or a request for the full help."""
    argv = list(argv)
    auth_type = os.environ.get('OS_AUTH_TYPE') or None
    for index, arg in enumerate(argv):
        if arg == '--os-auth-type' and index + 1 < len(argv):
            auth_type = argv[index + 1]
        elif arg.startswith('--os-auth-type='):
            auth_type = arg.split('=', 1)[1]
    if auth_type and auth_type.lower() not in clientmanager.FAST_AUTH_TYPES:
        return True
    probe = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    add_global_options(probe)
    known = set(probe._option_string_actions)
    for arg in argv:
        flag = arg.split('=', 1)[0]
        if flag.startswith('--os-') and flag not in known:
            return True
    positionals = [a for a in argv if not a.startswith('-')]
    if any(a in ('-h', '--help') for a in argv) and not positionals:
        return True
    return positionals[:1] == ['help'] and len(positionals) == 1


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``monasca``."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return MonascaShell(args).run(args)
    except KeyboardInterrupt:
        return 130


if __name__ == '__main__':
    sys.exit(main())
