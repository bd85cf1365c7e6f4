"""The team's quote register (an adapter: the engine and xlpricing.udf never import it)."""

from .core import OPEN, Draft, Record, Register, default_rep
from .db import REGISTER_ENV, default_register_path, redact
from .errors import RegisterError

__all__ = ["OPEN", "Draft", "Record", "Register", "RegisterError", "REGISTER_ENV", "default_register_path", "default_rep",
           "redact"]
