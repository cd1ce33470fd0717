"""Domain errors. Each carries the HTTP status it maps to; services never build responses."""
from __future__ import annotations

from .domain.locales import N_


class DomainError(Exception):
    status = 400
    title = N_("Bad request")
    type_slug = "bad-request"

    def __init__(self, detail: str = "", **extra):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class BadRequest(DomainError):
    pass


class NotFound(DomainError):
    status = 404
    title = N_("Not found")
    type_slug = "not-found"


class Conflict(DomainError):
    status = 409
    title = N_("Conflict")
    type_slug = "conflict"


class InvalidTransition(Conflict):
    title = N_("Transition not allowed")
    type_slug = "invalid-transition"

    def __init__(self, current: str, requested: str, allowed: list[str], subject: str = "An incident"):
        super().__init__(
            f"{subject} in status '{current}' cannot move to '{requested}'.",
            current=current,
            allowed=allowed,
        )


class ValidationFailed(DomainError):
    status = 422
    title = N_("Validation failed")
    type_slug = "validation-error"

    def __init__(self, errors: dict, detail: str = "The request body is not valid.", **extra):
        super().__init__(detail, errors=errors, **extra)


class Unauthorized(DomainError):
    status = 401
    title = N_("Unauthorized")
    type_slug = "unauthorized"


class Forbidden(DomainError):
    status = 403
    title = N_("Forbidden")
    type_slug = "forbidden"


class IdempotencyConflict(Conflict):
    title = N_("Request in progress")
    type_slug = "idempotency-in-flight"


class IdempotencyMismatch(DomainError):
    status = 422
    title = N_("Idempotency key reused")
    type_slug = "idempotency-key-reused"


class RateLimited(DomainError):
    status = 429
    title = N_("Too many requests")
    type_slug = "rate-limited"

    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail, retry_after=retry_after)
        self.headers = {"Retry-After": str(retry_after)}


class ServiceUnavailable(DomainError):
    status = 503
    title = N_("Service unavailable")
    type_slug = "service-unavailable"


class Overloaded(ServiceUnavailable):
    """Refused to protect capacity; the client should come back after ``retry_after`` seconds."""

    title = "Too busy"
    type_slug = "overloaded"

    def __init__(self, detail: str, retry_after: int, **extra):
        super().__init__(detail, retry_after=retry_after, **extra)
        self.headers = {"Retry-After": str(retry_after)}


class PayloadTooLarge(DomainError):
    status = 413
    title = "Payload too large"
    type_slug = "payload-too-large"
