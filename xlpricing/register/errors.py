"""What the register says when it refuses."""


class RegisterError(Exception):
    """A refusal or a problem with the register, in words a user can act on."""
