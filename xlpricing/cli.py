"""The command line's entry point (``xlpricing``, ``python -m xlpricing``); the commands live in
:mod:`xlpricing.commands`, one module per command group."""

from .commands import build_parser, main

__all__ = ["build_parser", "main"]

if __name__ == "__main__":  # pragma: no cover
    import sys
    sys.exit(main())
