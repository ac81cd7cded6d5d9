"""asff: Python bindings to libasff over ctypes (no compiler, no extension module).

Parse, validate, normalize and filter AWS Security Finding Format (ASFF) documents at C speed::

    import asff
    crit = {"SeverityLabel": [{"Value": "CRITICAL", "Comparison": "EQUALS"}]}
    with asff.iter_findings("export.json", filters=crit) as it:
        for f in it:
            print(f["Id"])

Sources (the ``source`` argument of iter_findings, load, validate, normalize, insight and
Client.import_findings), in any envelope libasff reads (one finding, a JSON array,
{"Findings": [...]}, EventBridge events, NDJSON):

- a ``str``: JSON text when it starts (after optional whitespace) with ``{`` or ``[``, else a path;
- an ``os.PathLike``: a path; ``bytes``/``bytearray``/``memoryview``: JSON bytes;
- a binary or text file object (anything with ``read``);
- a ``dict``: one finding, or an EventBridge event;
- any other iterable: finding dicts.

Converters, in C: ``to_ocsf`` (OCSF 1.1.0 events), ``to_csv`` and ``from_sarif`` (SARIF 2.1.0
results to findings).

Findings are read, filtered, projected and limited in C and cross into Python many at a time; only
those that pass become dicts. Errors raise AsffError subclasses: ParseError, ValidationError,
FilterError, ClientError (and per AWS error code: ThrottlingError, AccessDeniedError, ...).

Thread-safety: functions may be called from several threads at once; a Filter may be shared for
matching; a Client serializes its calls with a lock. The library is loaded on first use, from
ASFF_LIBRARY, then beside this package, then pkg-config's libdir and the system directories.
"""
from __future__ import annotations

import ctypes as _ctypes
import gc as _gc
from typing import Any as _Any
from typing import Dict as _Dict
from typing import Iterable as _Iterable
from typing import List as _List
from typing import Mapping as _Mapping
from typing import Optional as _Optional
from typing import Sequence as _Sequence
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Union as _Union

from . import _errors, _lib, _read
from ._engines import Filter, insight, managed_insights, normalize, validate
from ._errors import (AccessDeniedError, AsffError, ClientError, CredentialsError, FilterError, ImportFailedError,
                      InvalidAccessError, InvalidInputError, LimitExceededError, NetworkError, ParseError,
                      ResourceConflictError, ResourceNotFoundError, ThrottlingError, UpdateFailedError,
                      ValidationError)
from ._lib import LibraryNotFound
from ._read import FindingIterator, Source

if _TYPE_CHECKING:
    from ._client import Client, ImportResult, UpdateResult
    from ._convert import from_sarif, iter_ocsf, ocsf_class_uid, to_csv, to_ocsf

# Imported when first used (module __getattr__): a reader of findings does not pay for them.
_LAZY = {"Client": "_client", "ImportResult": "_client", "UpdateResult": "_client",
         "from_sarif": "_convert", "iter_ocsf": "_convert", "ocsf_class_uid": "_convert", "to_csv": "_convert",
         "to_ocsf": "_convert"}

__all__ = [
    "__version__", "library_version", "model_version",
    "iter_findings", "load", "loads", "dumps", "FindingIterator", "Source",
    "Filter", "validate", "normalize", "insight", "managed_insights",
    "Client", "ImportResult", "UpdateResult",
    "to_ocsf", "iter_ocsf", "ocsf_class_uid", "to_csv", "from_sarif",
    "AsffError", "ParseError", "ValidationError", "FilterError", "ClientError", "ThrottlingError",
    "AccessDeniedError", "InvalidAccessError", "InvalidInputError", "ResourceNotFoundError",
    "ResourceConflictError", "LimitExceededError", "CredentialsError", "NetworkError", "ImportFailedError",
    "UpdateFailedError", "LibraryNotFound",
]


def __getattr__(name: str) -> _Any:
    # __version__ is the loaded C library's version, read when first asked for
    if name == "__version__":
        return library_version()
    if name in _LAZY:
        import importlib
        value = getattr(importlib.import_module("." + _LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError("module 'asff' has no attribute %r" % name)


def __dir__() -> _List[str]:
    return sorted(set(__all__) | {"__doc__", "__file__", "__name__", "__package__", "__path__", "__spec__"})


def library_version() -> str:
    """The version of the loaded libasff ("0.1.0"), from asff_version()."""
    v: bytes = _lib.lib().asff_version()
    return v.decode()


def model_version() -> str:
    """The Security Hub API model libasff was generated from."""
    v: bytes = _lib.lib().asff_model_version()
    return v.decode()


def iter_findings(source: _Any, filters: _Union[_Mapping[str, _Any], str, bytes, Filter, None] = None, *,
                  fields: _Optional[_Sequence[str]] = None, limit: _Optional[int] = None,
                  envelope: _Optional[str] = None, prefilter: bool = False, now: _Optional[float] = None,
                  readahead: bool = True) -> FindingIterator:
    """Iterate over the findings of source as dicts (equal to what ``json.loads`` gives for each).

    source: see the module's docstring (path, os.PathLike, bytes, JSON text, file object, dict,
    iterable of dicts). filters: an AwsSecurityFindingFilters dict, JSON text, or a Filter; it runs
    in C, and only the findings it passes are decoded. now: the clock of DateRange entries in
    seconds since the epoch (default: the current time). fields: keep only these top-level members.
    limit: stop after this many findings passed. envelope: None (detect), "finding", "array",
    "findings", "event" or "ndjson". prefilter=True (NDJSON with one finding a line, with filters)
    skips lines that cannot match without parsing them, so such lines are not checked either.
    readahead=True (paths and bytes) lets C parse the next batch in a thread while Python decodes.

    The iterator is a context manager; close() stops reading. Bad input raises ParseError (with
    path, offset and line) after the findings before it were yielded.
    """
    return FindingIterator(source, filters, fields, limit, envelope, prefilter, now, readahead)


def load(source: _Any, filters: _Union[_Mapping[str, _Any], str, bytes, Filter, None] = None, *,
         fields: _Optional[_Sequence[str]] = None, limit: _Optional[int] = None, envelope: _Optional[str] = None,
         now: _Optional[float] = None) -> _List[_Dict[str, _Any]]:
    """All findings of source (see iter_findings) as a list of dicts.

    Python's cyclic garbage collector is paused while the list is built (the dicts hold no cycles),
    which is most of what makes this faster than ``json.load``; it is switched back on afterwards.
    """
    was = _gc.isenabled()
    _gc.disable()
    try:
        with FindingIterator(source, filters, fields, limit, envelope, False, now, True, _read.GROUP_LOAD) as it:
            return list(it)
    finally:
        if was:
            _gc.enable()


def loads(text: _Union[str, bytes, bytearray, _Mapping[str, _Any]], envelope: _Optional[str] = None) -> _List[_Dict[str, _Any]]:
    """Findings from JSON text (str or bytes, never a file name) or from a dict (one finding, or an
    EventBridge event such as a Lambda handler receives), as a list of dicts."""
    if isinstance(text, str):
        data: _Any = _read._utf8(text)
    elif isinstance(text, (bytes, bytearray, _Mapping)):
        data = text
    else:
        raise TypeError("loads takes str, bytes or a dict, not %s" % type(text).__name__)
    return load(data, envelope=envelope)


_FORMATS = {"ndjson": (0, False), "array": (1, False), "batch": (2, False), "pretty": (1, True)}


def dumps(findings: _Union[_Mapping[str, _Any], _Iterable[_Mapping[str, _Any]]], format: str = "ndjson") -> str:
    """Serialize findings (a dict, or an iterable of dicts) through libasff: "ndjson", "array",
    "batch" ({"Findings":[...]}) or "pretty". Members keep their order; numbers are written exactly.
    A dict that is not a valid finding raises ParseError."""
    L = _lib.lib()
    try:
        fmt, pretty = _FORMATS[format]
    except KeyError:
        raise ValueError("format must be one of %s" % ", ".join(_FORMATS)) from None
    wopts = _lib.WriteOptions(_lib.VERSIONS["ASFF_WRITE_OPTIONS_VERSION"], fmt, pretty, None, None)
    wp = _ctypes.c_void_p()
    if L.asff_writer_new_buffer(_ctypes.byref(wopts), _ctypes.byref(wp), None) != 0 or not wp.value:
        raise MemoryError("asff_writer_new_buffer failed")
    w = wp.value
    err = _lib.Error()
    src = [findings] if isinstance(findings, _Mapping) else findings
    try:
        def write(f: int) -> None:
            st = L.asff_writer_write(w, f, _ctypes.byref(err))
            if st != 0:
                raise _errors.from_c(st, err)
        for _ in _read.iter_raw(_read.Resolved(src), "ndjson", write):
            pass
        st = L.asff_writer_finish(w, _ctypes.byref(err))
        if st != 0:
            raise _errors.from_c(st, err)
        n = _ctypes.c_size_t()
        p = L.asff_writer_buffer(w, _ctypes.byref(n))
        return _ctypes.string_at(p, n.value).decode("utf-8")
    finally:
        L.asff_writer_free(w)
