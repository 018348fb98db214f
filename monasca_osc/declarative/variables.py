"""``${NAME}`` variables in configuration files.

Values come from, lowest precedence first: the environment, ``--var-file``
files (in the order given), ``--var NAME=VALUE`` options. Substitution is
done on the parsed YAML's scalar *values* (never keys, never comments, never
the raw text), so a value cannot change the document's structure, and an
undefined variable is reported with the file and line where it is used.
``$${NAME}`` is a literal ``${NAME}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
import re

from monasca_osc.common.validation import ValidationError

NAME = re.compile(r'[A-Za-z_][A-Za-z0-9_]*\Z')
# ``$${`` (escape), ``${NAME}``, or a ``${`` that starts something invalid.
REFERENCE = re.compile(r'\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$\{')


@dataclass(frozen=True)
class Undefined:
    """One use of a variable that has no value."""

    name: str
    where: str          # file:line


def parse_assignment(text: str, what: str = '--var') -> tuple[str, str]:
    """``NAME=VALUE`` -> (name, value); the value may be empty."""
    name, sep, value = text.partition('=')
    name = name.strip()
    if not sep or not NAME.match(name):
        raise ValidationError(
            f'{what} {text!r} must be NAME=VALUE with NAME made of letters, '
            f'digits and _ (not starting with a digit)')
    return name, value


def read_var_file(path: str) -> dict[str, str]:
    """``NAME=VALUE`` lines; ``#`` comments and blank lines are skipped.

    A value in matching single or double quotes is unquoted (nothing else
    is interpreted: no escapes, no expansion).
    """
    try:
        with open(path, encoding='utf-8') as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, 'strerror', None) or str(err)
        raise ValidationError(
            f'Cannot read --var-file {path}: {reason}') from None
    values: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped or stripped.startswith('#'):
            continue
        if stripped.startswith('export '):
            stripped = stripped[len('export '):]
        name, value = parse_assignment(stripped, f'{path}:{number}:')
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in '"\'':
            value = value[1:-1]
        values[name] = value
    return values


def collect(environ: Mapping[str, str], var_files: Iterable[str],
            assignments: Iterable[str]) -> dict[str, str]:
    """The variables, with --var over --var-file over the environment."""
    values = dict(environ)
    for path in var_files:
        values.update(read_var_file(path))
    for text in assignments:
        name, value = parse_assignment(text)
        values[name] = value
    return values


def substitute(text: str, values: Mapping[str, str], where: str,
               undefined: list[Undefined]) -> tuple[str, set[str]]:
    """Replace the references in one scalar.

    Returns the new text and the names used; undefined names are appended
    to ``undefined`` (and left as they were).
    """
    used: set[str] = set()

    def replace(match: re.Match) -> str:
        token = match.group(0)
        if token == '$${':
            return '${'
        name = match.group(1)
        if name is None:
            raise ValidationError(
                f'{where}: invalid variable reference in {text!r}: write '
                f'${{NAME}} (letters, digits, _) or $${{ for a literal ${{')
        used.add(name)
        if name not in values:
            undefined.append(Undefined(name, where))
            return token
        return values[name]

    return REFERENCE.sub(replace, text), used


def report_undefined(undefined: list[Undefined]) -> None:
    """One error line naming every undefined variable and where."""
    if not undefined:
        return
    first = undefined[0]
    message = (f'{first.where}: undefined variable ${{{first.name}}} (give '
               f'--var {first.name}=VALUE, a --var-file, or set it in the '
               f'environment)')
    others = [f'${{{u.name}}} at {u.where}' for u in undefined[1:]]
    if others:
        message += '; also undefined: ' + ', '.join(others)
    raise ValidationError(message)
