"""What services raise when a request cannot be done; the error handlers turn each into its HTTP answer."""


class ServiceError(Exception):
    """A refusal with a message for the user; nothing was changed."""

    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Forbidden(ServiceError):
    """The user may see the thing but not do this to it (a resource they may not see is a 404 instead)."""

    status_code = 403


class NotFound(ServiceError):
    """What the request names does not exist, or the user may not see it."""

    status_code = 404


class Conflict(ServiceError):
    """Someone else got there first; reload and look again."""

    status_code = 409


class InvalidInput(ServiceError):
    """The input was refused; `errors` maps each field (or element) name to its messages."""

    status_code = 422

    def __init__(self, message: str, errors: dict[str, list[str]]):
        super().__init__(message)
        self.errors = errors
