"""The ``enrich`` program (pyproject's entry point) and ``python -m enrich``: the command
line of ``enrich.cli``, started so that a Ctrl-C while it starts (its imports take a tenth
of a second) leaves as a later one does — one line, exit 130, no traceback."""

import os
import signal
import sys


def _interrupted_while_starting(signum=None, frame=None) -> None:
    sys.stderr.write("enrich: interrupted: nothing was written\n")
    sys.stderr.flush()
    os._exit(130)


def program() -> None:
    # a handler of our own while the imports run: a KeyboardInterrupt raised inside the
    # import machinery (a module lock's callback) is printed as "Exception ignored", not raised
    signal.signal(signal.SIGINT, _interrupted_while_starting)
    try:
        from enrich.cli import run
    except KeyboardInterrupt:
        _interrupted_while_starting()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    run()


if __name__ == "__main__":
    program()
