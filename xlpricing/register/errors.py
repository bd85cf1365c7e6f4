"""What the register says when it refuses, and when its database fails."""


class RegisterError(Exception):
    """A refusal or a problem with the register, in words a user can act on."""


class KeyInUse(RegisterError):
    """A request key (an API call's Idempotency-Key, a batch's row) is held by another record:
    recorded already, or still being recorded."""


class RegisterFailure(Exception):
    """The database failed: not a refusal. Its text names the register and the database's own
    words, for the operator only (the command line prints it; the server logs it and answers a
    client with an error id)."""
