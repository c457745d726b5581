"""What services raise when a request cannot be done; the error handlers turn each into its HTTP answer."""

from pydantic import BaseModel


class ServiceError(Exception):
    """A refusal with a message for the user; nothing was changed."""

    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAuthenticated(ServiceError):
    """Wrong username or password; in the API, no signed-in session and no valid token (with a Bearer challenge)."""

    status_code = 401


class TooManyRequests(ServiceError):
    """Too many tries in too short a time (failed sign-ins); the message says when to try again."""

    status_code = 429


class Forbidden(ServiceError):
    """The user may see the thing but not do this to it (a resource they may not see is a 404 instead)."""

    status_code = 403


class NotFound(ServiceError):
    """What the request names does not exist, or the user may not see it."""

    status_code = 404


class Conflict(ServiceError):
    """Someone else got there first; reload and look again. `existing` is what is already there, as the API shows it,
    when the caller may see it (a client_id sent before for something else)."""

    status_code = 409

    def __init__(self, message: str, existing: BaseModel | None = None):
        super().__init__(message)
        self.existing = existing


class DatabaseUnavailable(ServiceError):
    """The database connection was lost mid-request (a restart, a failover): nothing was saved; try again."""

    status_code = 503


class ProcessStuck(ServiceError):
    """The case's process cannot go on (a gateway with no matching branch, a failing script): the BPMN is at fault,
    not the user; nothing was saved, and the message names the element for the process administrator."""

    status_code = 422

    def __init__(self, message: str, element_id: str | None, problem: str):
        super().__init__(message)
        self.element_id, self.problem = element_id, problem
        self.errors = {element_id or "process": [message]}

    def __str__(self) -> str:
        """The engine's own words, for logs and the timer admin page: `element: problem`."""
        return f"{self.element_id}: {self.problem}" if self.element_id else self.problem


class InvalidInput(ServiceError):
    """The input was refused; `errors` maps each field (or element) name to its messages."""

    status_code = 422

    def __init__(self, message: str, errors: dict[str, list[str]]):
        super().__init__(message)
        self.errors = errors
