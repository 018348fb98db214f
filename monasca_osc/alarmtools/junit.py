"""JUnit XML for ``alarm definition test --junit FILE``.

One ``<testsuite>`` per test file, one ``<testcase>`` per expected alarm
(``<failure>`` with the expected and actual state and the deciding window
values), and a suite with one ``<error>`` for a file that does not load.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from xml.etree import ElementTree as ET

__all__ = ['write']


def write(path: str, results: Sequence[Any],
          errors: Iterable[tuple[str, str]] = (),
          seconds: dict[str, float] | None = None) -> None:
    """``results``: runner.Result objects; ``errors``: (file, message)."""
    root = ET.Element('testsuites', name='alarm definition test')
    by_file: dict[str, list[Any]] = {}
    for result in results:
        by_file.setdefault(result.file, []).append(result)
    total = failures = 0
    for file, items in by_file.items():
        failed = [r for r in items if not r.passed]
        suite = ET.SubElement(
            root, 'testsuite', name=file, tests=str(len(items)),
            failures=str(len(failed)), errors='0',
            time=f'{(seconds or {}).get(file, 0.0):.3f}')
        for result in items:
            case = ET.SubElement(suite, 'testcase', classname=file,
                                 name=result.title, time='0')
            if not result.passed:
                failure = ET.SubElement(case, 'failure',
                                        message=result.summary,
                                        type='AssertionError')
                failure.text = result.explanation
        total += len(items)
        failures += len(failed)
    error_count = 0
    for file, message in errors:
        suite = ET.SubElement(root, 'testsuite', name=file, tests='1',
                              failures='0', errors='1', time='0')
        case = ET.SubElement(suite, 'testcase', classname=file,
                             name='load', time='0')
        ET.SubElement(case, 'error', message=message, type='TestFileError')
        error_count += 1
    root.set('tests', str(total + error_count))
    root.set('failures', str(failures))
    root.set('errors', str(error_count))
    tree = ET.ElementTree(root)
    ET.indent(tree)
    tree.write(path, encoding='utf-8', xml_declaration=True)
