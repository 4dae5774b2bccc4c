"""The ``enrich`` program (pyproject's entry point) and ``python -m enrich``: the command
line of ``enrich.cli``, started so that a Ctrl-C while it starts (its imports take a tenth
of a second) leaves as a later one does — one line, exit 130, no traceback."""

import os
import sys


def program() -> None:
    try:
        from enrich.cli import run
    except KeyboardInterrupt:
        sys.stderr.write("enrich: interrupted: nothing was written\n")
        sys.stderr.flush()
        os._exit(130)
    run()


if __name__ == "__main__":
    program()
