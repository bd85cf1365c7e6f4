"""The command line, one module per command group (pip's layout): ``base`` holds the one error
handler and the shared options; ``pricing``, ``workbooks``, ``proposals`` and ``register`` each
declare their commands with ``add_commands``."""

from __future__ import annotations

import argparse
import signal
import threading
from typing import Sequence

from . import pricing, proposals, register, server, workbooks
from .base import book_options, run, stop

GROUPS = (pricing, workbooks, proposals, register, server)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xlpricing",
        description="Exact quotes for Tencent Cloud IM (China data center).",
    )
    book_options(parser, None)
    sub = parser.add_subparsers(dest="command", required=True)
    # the same options after the command (xlpricing quote --as-of 2024-06-01 …): they override
    common = argparse.ArgumentParser(add_help=False)
    book_options(common, argparse.SUPPRESS)
    _add = sub.add_parser
    sub.add_parser = lambda *a, **k: _add(*a, parents=[common], **k)  # noqa: E731
    for group in GROUPS:
        group.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, stop)
    try:
        return run(args)
    finally:
        if previous is not None:  # called from Python (tests, scripts): leave the caller's handler as it was
            signal.signal(signal.SIGTERM, previous)
