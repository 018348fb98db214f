"""What ``alarm definition test|backtest|explain`` and ``alarm explain`` share.

The commands in ``monasca_osc/v2/alarm_tools.py`` are thin; the work is
here, and every state is computed by ``monasca_osc.alarming`` (the one
evaluation engine): nothing in this package evaluates an alarm itself.

``series``
    promtool's expanding notation for synthetic values.
``testfile``
    the YAML test-file format: loading with line numbers, validation
    (one ``FILE:LINE: problem`` line), warnings.
``runner``
    runs a test file's expectations through the engine; failure text,
    JUnit XML.
``testcase``
    writes real measurements as a test file's ``series:`` block.
``backtest``
    streams a definition's measurements from the API into the engine.
``explain``
    an expression as a tree of sub-expressions, windows and states.

Standard library only; PyYAML is imported inside ``testfile.load``.
"""
