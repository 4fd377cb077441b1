"""errors: ``MediaError``, the one error a stage raises for input the user can act on.

Owns: the error type. Must not: import anything, or carry anything but a message that says
what to do.
"""


class MediaError(Exception):
    """A problem with the input that the user can act on; the message says what to do."""
