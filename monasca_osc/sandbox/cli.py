"""``monasca-sandbox``: run the local Monasca API."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time

from monasca_osc.sandbox import auth
from monasca_osc.sandbox.context import DEFAULT_NOTIFICATION_TYPES
from monasca_osc.sandbox.server import SandboxHTTPServer, make_app


def _csv(text: str) -> list[str]:
    return [item.strip() for item in text.split(',') if item.strip()]


def _periods(text: str) -> list[int]:
    try:
        return [int(item) for item in _csv(text)]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'{text!r} is not a comma-separated list of integers') from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='monasca-sandbox',
        description='A local Monasca API v2.0 backed by SQLite.')
    parser.add_argument('--host', default='127.0.0.1',
                        help='address to bind (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=8070,
                        help='port; 0 picks a free one (default 8070)')
    parser.add_argument('--db', default=':memory:',
                        help='SQLite file, kept across restarts '
                             '(default :memory:)')
    parser.add_argument('--synchronous', default='normal',
                        choices=['normal', 'full'],
                        help='SQLite synchronous mode: normal survives a '
                             'killed process, full also a power loss')
    parser.add_argument('--eval-interval', type=float, default=10.0,
                        metavar='SECONDS',
                        help='threshold evaluation tick, 0 disables '
                             '(default 10)')
    parser.add_argument('--no-eval-on-post', dest='eval_on_post',
                        action='store_false', default=True,
                        help='do not evaluate alarms after a metric POST '
                             '(step them with POST /sandbox/evaluate)')
    parser.add_argument('--enable-test-api', action='store_true',
                        help='serve /sandbox/faults, /sandbox/requests and '
                             '/sandbox/evaluate')
    parser.add_argument('--notification-types',
                        default=','.join(DEFAULT_NOTIFICATION_TYPES),
                        type=_csv, help='registered notification types')
    parser.add_argument('--valid-notification-periods', default='0,60',
                        type=_periods,
                        help='valid notification periods (default 0,60)')
    parser.add_argument('--cert', help='TLS certificate (PEM): serve HTTPS')
    parser.add_argument('--key', help='TLS private key (PEM)')
    parser.add_argument('--exit-with-parent', action='store_true',
                        help='stop when the parent process dies (for test '
                             'fixtures)')
    parser.add_argument('--quiet', action='store_true',
                        help='log only errors')
    parser.add_argument('--access-log', action='store_true',
                        help='log every request to stderr')
    roles = parser.add_argument_group(
        'roles', 'the [security] options of monasca-api.conf')
    roles.add_argument('--default-authorized-roles', type=_csv,
                       default=['monasca-user'])
    roles.add_argument('--read-only-authorized-roles', type=_csv,
                       default=['monasca-read-only-user'])
    roles.add_argument('--agent-authorized-roles', type=_csv,
                       default=['monasca-agent'])
    roles.add_argument('--delegate-authorized-roles', type=_csv,
                       default=['admin'])
    ks = parser.add_argument_group(
        'keystone', 'validate tokens with keystonemiddleware '
                    '(needs monasca-osc[keystone])')
    ks.add_argument('--keystone-url', help='Keystone URL, e.g. '
                                           'http://127.0.0.1:5000/v3')
    ks.add_argument('--keystone-user', default='monasca',
                    help='service user (default monasca)')
    ks.add_argument('--keystone-password',
                    default=os.environ.get(
                        'MONASCA_SANDBOX_KEYSTONE_PASSWORD'),
                    help='service password (default: '
                         '$MONASCA_SANDBOX_KEYSTONE_PASSWORD)')
    ks.add_argument('--keystone-project', default='service')
    ks.add_argument('--keystone-user-domain', default='Default')
    ks.add_argument('--keystone-project-domain', default='Default')
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.ERROR if args.quiet else logging.WARNING,
        format='monasca-sandbox: %(levelname)s %(message)s')
    if bool(args.cert) != bool(args.key):
        print('monasca-sandbox: error: --cert and --key go together',
              file=sys.stderr)
        return 2
    keystone = None
    if args.keystone_url:
        if not args.keystone_password:
            print('monasca-sandbox: error: --keystone-url needs '
                  '--keystone-password or MONASCA_SANDBOX_KEYSTONE_PASSWORD',
                  file=sys.stderr)
            return 2
        keystone = {
            'url': args.keystone_url, 'user': args.keystone_user,
            'password': args.keystone_password,
            'project': args.keystone_project,
            'user_domain': args.keystone_user_domain,
            'project_domain': args.keystone_project_domain,
        }
    roles = auth.Roles(default=args.default_authorized_roles,
                       read_only=args.read_only_authorized_roles,
                       agent=args.agent_authorized_roles,
                       delegate=args.delegate_authorized_roles)
    app = make_app(args.db, notification_types=args.notification_types,
                   valid_periods=args.valid_notification_periods,
                   roles=roles, enable_test_api=args.enable_test_api,
                   keystone=keystone, synchronous=args.synchronous,
                   evaluate_on_post=args.eval_on_post)
    try:
        server = SandboxHTTPServer((args.host, args.port), app,
                                   certfile=args.cert, keyfile=args.key,
                                   access_log=args.access_log)
    except OSError as exc:
        print(f'monasca-sandbox: error: cannot listen on '
              f'{args.host}:{args.port}: {exc.strerror or exc}',
              file=sys.stderr)
        app.close()
        return 1

    def stop(signum: int, frame: object) -> None:
        # shutdown() blocks until serve_forever returns: call it elsewhere.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.exit_with_parent:
        parent = os.getppid()

        def watch() -> None:
            # Reparenting means the test process died: do not linger.
            while os.getppid() == parent:
                time.sleep(0.5)
            stop(signal.SIGTERM, None)

        threading.Thread(target=watch, daemon=True).start()
    app.start_ticker(args.eval_interval)
    print(f'monasca-sandbox listening on {server.url}', flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        app.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
