class MediaError(Exception):
    """A problem with the input that the user can act on; the message says what to do."""
