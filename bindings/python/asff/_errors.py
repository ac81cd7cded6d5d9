"""The exception classes: AsffError, a subclass per kind of status, and per AWS error code."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Type

from . import _lib


class AsffError(Exception):
    """An error from libasff.

    Attributes: ``status`` (the C status name, "ASFF_ERR_SYNTAX"), ``code`` (its number), ``message``,
    ``path`` (JSON Pointer into the input, "/Findings/12/Id"), ``offset`` (byte offset in the stream),
    ``line`` and ``column``; for client calls ``aws_code``, ``http_status``, ``request_id`` and a
    boto3-like ``response`` dict; ``results`` holds the per-item results gathered before the error
    when the call had some (import_findings).
    """

    def __init__(self, message: str, status: str = "ASFF_ERR_INTERNAL", code: int = -1, path: str = "",
                 offset: int = 0, line: int = 0, column: int = 0) -> None:
        super().__init__("%s%s%s" % (path, ": " if path else "", message))
        self.status = status
        self.code = code
        self.message = message
        self.path = path
        self.offset = offset
        self.line = line
        self.column = column
        self.aws_code: Optional[str] = None
        self.http_status = 0
        self.request_id: Optional[str] = None
        self.results: Optional[List[Dict[str, Any]]] = None

    @property
    def response(self) -> Dict[str, Any]:
        """The error as boto3 shapes it: {"Error": {"Code", "Message"}, "ResponseMetadata":
        {"RequestId", "HTTPStatusCode"}}."""
        message = self.message
        prefix = "%s (HTTP %d): " % (self.aws_code, self.http_status)
        if self.aws_code and message.startswith(prefix):
            message = message[len(prefix):]   # the server's own words, as boto3 gives them
        return {"Error": {"Code": self.aws_code or self.status, "Message": message},
                "ResponseMetadata": {"RequestId": self.request_id or "", "HTTPStatusCode": self.http_status}}

    def __repr__(self) -> str:
        return "%s(%r, status=%r, path=%r, offset=%d, line=%d)" % (
            type(self).__name__, self.message, self.status, self.path, self.offset, self.line)


class ParseError(AsffError):
    """The input is not JSON, not UTF-8, not a finding of the model, too large or cut short."""


class ValidationError(AsffError):
    """A finding breaks a rule of Security Hub, or a value is out of its range."""


class FilterError(AsffError):
    """A filter, sort criterion, insight or rule is malformed."""


class ClientError(AsffError):
    """Security Hub (or the way to it) answered with an error; ``response`` has boto3's shape."""


class ThrottlingError(ClientError):
    """AWS throttled the call and the retries were used up."""


class AccessDeniedError(ClientError):
    """AccessDeniedException: the credentials may not make this call."""


class InvalidAccessError(ClientError):
    """InvalidAccessException: the account is not subscribed to Security Hub."""


class InvalidInputError(ClientError):
    """InvalidInputException: the request was refused as malformed."""


class ResourceNotFoundError(ClientError):
    """ResourceNotFoundException: no such insight, action target, finding, ..."""


class ResourceConflictError(ClientError):
    """ResourceConflictException: the resource exists already or is in use."""


class LimitExceededError(ClientError):
    """LimitExceededException: an account limit was reached."""


class CredentialsError(ClientError):
    """No credentials could be found or refreshed."""


class NetworkError(ClientError):
    """Connect, TLS, reset, timeout or another transport failure."""


class ImportFailedError(ClientError):
    """import_findings(raise_on_failure=True): some findings were not imported; ``results`` has all."""


class UpdateFailedError(ClientError):
    """update_findings(raise_on_failure=True): some identifiers were not processed; ``results`` has all."""


_BY_STATUS: Dict[str, Type[AsffError]] = {
    "ASFF_ERR_SYNTAX": ParseError, "ASFF_ERR_TYPE": ParseError, "ASFF_ERR_LIMIT": ParseError,
    "ASFF_ERR_UTF8": ParseError, "ASFF_ERR_TRUNCATED": ParseError, "ASFF_ERR_ENVELOPE": ParseError,
    "ASFF_ERR_DUPLICATE": ParseError,
    "ASFF_ERR_INVALID": ValidationError, "ASFF_ERR_RANGE": ValidationError,
    "ASFF_ERR_FILTER": FilterError,
    "ASFF_ERR_NETWORK": NetworkError, "ASFF_ERR_TIMEOUT": NetworkError, "ASFF_ERR_HTTP": ClientError,
    "ASFF_ERR_AWS": ClientError, "ASFF_ERR_THROTTLED": ThrottlingError,
    "ASFF_ERR_CREDENTIALS": CredentialsError, "ASFF_ERR_PARTIAL": ClientError,
}

_BY_AWS_CODE: Dict[str, Type[AsffError]] = {
    "AccessDeniedException": AccessDeniedError, "InvalidAccessException": InvalidAccessError,
    "InvalidInputException": InvalidInputError, "ResourceNotFoundException": ResourceNotFoundError,
    "ResourceConflictException": ResourceConflictError, "LimitExceededException": LimitExceededError,
    "ThrottlingException": ThrottlingError, "TooManyRequestsException": ThrottlingError,
}


def _text(b: bytes) -> str:
    return b.decode("utf-8", "replace")


def from_c(code: int, err: _lib.Error, client: bool = False) -> AsffError:
    """The exception for a status and a filled asff_error."""
    status = _lib.lib().status_names.get(code, "ASFF_ERR_UNKNOWN")
    aws_code = _text(err.aws_code) or None
    cls: Type[AsffError] = _BY_STATUS.get(status, ClientError if client else AsffError)
    if aws_code and aws_code in _BY_AWS_CODE:
        cls = _BY_AWS_CODE[aws_code]
    message = _text(err.message) or _lib.lib().asff_status_message(code).decode()
    e = cls(message, status, code, _text(err.path), err.offset, err.line, err.column)
    if client or aws_code:
        e.aws_code = aws_code
        e.http_status = err.http_status
        e.request_id = _text(err.request_id) or None
    return e
