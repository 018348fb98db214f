"""cProfile a console script by CPU time (not wall time).

    python cpu_profile.py OUT.prof SCRIPT [ARGS...]

Runs SCRIPT (e.g. ``.../bin/openstack``) as ``__main__`` under cProfile
with ``time.process_time`` as the timer, so time spent waiting for the
server, or for a CPU that other processes on the machine hold, does not
count; then writes the stats to OUT.prof (read them with ``pstats``).
"""

import cProfile
import runpy
import sys
import time


def main() -> int:
    out, script, *args = sys.argv[1:]
    sys.argv = [script, *args]
    profile = cProfile.Profile(time.process_time)
    code = 0
    profile.enable()
    try:
        runpy.run_path(script, run_name='__main__')
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 0
    finally:
        profile.disable()
        profile.dump_stats(out)
    return code


if __name__ == '__main__':
    sys.exit(main())
