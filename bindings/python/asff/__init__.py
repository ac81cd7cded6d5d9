"""asff: Python bindings to libasff over ctypes (no compiler, no extension module).

Parse, validate, normalize and filter AWS Security Finding Format (ASFF) documents at C speed:

    import asff
    for f in asff.iter_findings("export.json", filters={"SeverityLabel": [
            {"Value": "CRITICAL", "Comparison": "EQUALS"}]}):
        print(f["Id"])

Sources are a path, a binary file object, or bytes, in any envelope libasff reads: one finding, a
JSON array, {"Findings": [...]}, EventBridge events, NDJSON. Findings cross into Python as dicts;
filtering happens in C, so only matches are converted.

Thread-safety: functions may be called from several threads at once; a Filter object may be shared
for matching (asff_filter_match does not modify the filter). The library is loaded once, from
ASFF_LIBRARY, then beside this package, then pkg-config's libdir and the system directories.
"""
import collections
import ctypes
import json
import os

from . import _lib
from ._lib import LibraryNotFound

__all__ = ["AsffError", "LibraryNotFound", "iter_findings", "load", "loads", "dumps", "library_version",
           "model_version"]

_L = None
_CHUNK = 1 << 20


def _lib_handle():
    global _L
    if _L is None:
        _L = _lib.load()
    return _L


class AsffError(Exception):
    """An error from libasff, with its status code and where in the input it happened."""

    def __init__(self, code, message, path="", offset=0, line=0, column=0, status=None):
        super().__init__("%s%s%s" % (path, ": " if path else "", message))
        self.code = code
        self.status = status
        self.message = message
        self.path = path
        self.offset = offset
        self.line = line
        self.column = column
        self.aws_code = None      # client calls: the AWS error code ("ThrottlingException")
        self.http_status = 0
        self.request_id = None

    @classmethod
    def from_c(cls, code, err):
        status = _lib_handle().asff_status_name(code).decode()
        return cls(code, err.message.decode("utf-8", "replace") or status, err.path.decode("utf-8", "replace"),
                   err.offset, err.line, err.column, status)


def library_version():
    """The version of the loaded libasff ("0.1.0")."""
    return _lib_handle().asff_version().decode()


def model_version():
    """The Security Hub API model libasff was generated from."""
    return _lib_handle().asff_model_version().decode()


_ENVELOPES = {None: 0, "auto": 0, "finding": 1, "array": 2, "findings": 3, "event": 4, "ndjson": 5}


def _chunks(source):
    """Bytes of source in chunks: a path, a binary file object, or bytes-like."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        for i in range(0, len(data), _CHUNK):
            yield data[i:i + _CHUNK]
        return
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            while True:
                b = fh.read(_CHUNK)
                if not b:
                    return
                yield b
    if hasattr(source, "read"):
        while True:
            b = source.read(_CHUNK)
            if not b:
                return
            if isinstance(b, str):
                raise TypeError("open the file in binary mode ('rb')")
            yield b
        return
    raise TypeError("source must be a path, a binary file object or bytes, not %s" % type(source).__name__)


def _to_json_bytes(lib, obj):
    out = ctypes.c_void_p()
    n = ctypes.c_size_t()
    err = _lib.Error()
    st = lib.asff_to_json(obj, False, ctypes.byref(out), ctypes.byref(n), ctypes.byref(err))
    if st != 0:
        raise AsffError.from_c(st, err)
    try:
        return ctypes.string_at(out, n.value)
    finally:
        lib.asff_free_string(out)


def _iter_raw(source, envelope=None, match=None, convert=None, keep=False):
    """Yield convert(finding_pointer) for every finding of source (that match(finding) accepts).
    keep=True hands each finding over to convert, which must see that it is freed (asff_object_free)."""
    lib = _lib_handle()
    opts = _lib.ParseOptions()
    opts.version = 1
    opts.keep = keep
    try:
        opts.envelope = _ENVELOPES[envelope]
    except KeyError:
        raise ValueError("envelope must be one of %s" % ", ".join(k for k in _ENVELOPES if k))
    pending = collections.deque()
    failure = []

    def on_finding(ctx, finding, info):
        try:
            if match is None or match(finding):
                pending.append(convert(finding))
        except BaseException as e:  # noqa: carried across the C frame, raised below
            failure.append(e)
            return 1
        return 0

    cb = _lib.FINDING_FN(on_finding)
    ecb = _lib.PARSE_ERROR_FN(0)
    parser = ctypes.c_void_p()
    if lib.asff_parser_new(ctypes.byref(opts), cb, ecb, None, ctypes.byref(parser), None) != 0:
        raise MemoryError("asff_parser_new failed")
    parser = parser.value
    err = _lib.Error()
    try:
        for chunk in _chunks(source):
            st = lib.asff_parser_feed(parser, chunk, len(chunk), ctypes.byref(err))
            if failure:
                raise failure[0]
            if st != 0:
                raise AsffError.from_c(st, err)
            while pending:
                yield pending.popleft()
        st = lib.asff_parser_finish(parser, ctypes.byref(err))
        if failure:
            raise failure[0]
        if st != 0:
            raise AsffError.from_c(st, err)
        while pending:
            yield pending.popleft()
    finally:
        lib.asff_parser_free(parser)


def iter_findings(source, filters=None, envelope=None):
    """Yield each finding of source as a dict. filters: an AwsSecurityFindingFilters dict, JSON text or
    a Filter; only the findings it matches are converted to Python. envelope: None (detect), "finding",
    "array", "findings", "event" or "ndjson"."""
    lib = _lib_handle()
    match = None
    if filters is not None:
        flt = filters if isinstance(filters, Filter) else Filter(filters)
        match = flt._match_ptr
    return _iter_raw(source, envelope, match, lambda f: json.loads(_to_json_bytes(lib, f)))


def load(source, envelope=None):
    """All findings of source as a list of dicts."""
    return list(iter_findings(source, envelope=envelope))


def loads(text, envelope=None):
    """Findings from JSON text (str or bytes) as a list of dicts."""
    if isinstance(text, str):
        text = text.encode("utf-8")
    return load(text, envelope=envelope)


_FORMATS = {"ndjson": (0, False), "array": (1, False), "batch": (2, False), "pretty": (1, True)}


def _findings_bytes(findings):
    """One finding dict, or an iterable of them, as NDJSON bytes for the C parser."""
    if isinstance(findings, dict):
        findings = [findings]
    return b"".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
                    for f in findings)


def dumps(findings, format="ndjson"):
    """Serialize findings (dicts) through libasff: "ndjson", "array", "batch" ({"Findings":[...]}) or
    "pretty". Members keep their order; numbers are written exactly."""
    lib = _lib_handle()
    try:
        fmt, pretty = _FORMATS[format]
    except KeyError:
        raise ValueError("format must be one of %s" % ", ".join(_FORMATS))
    wopts = _lib.WriteOptions(1, fmt, pretty, None, None)
    wp = ctypes.c_void_p()
    if lib.asff_writer_new_buffer(ctypes.byref(wopts), ctypes.byref(wp), None) != 0:
        raise MemoryError("asff_writer_new_buffer failed")
    w = wp.value
    err = _lib.Error()
    try:
        def write(f):
            st = lib.asff_writer_write(w, f, ctypes.byref(err))
            if st != 0:
                raise AsffError.from_c(st, err)
            return None
        for _ in _iter_raw(_findings_bytes(findings), "ndjson", None, write):
            pass
        st = lib.asff_writer_finish(w, ctypes.byref(err))
        if st != 0:
            raise AsffError.from_c(st, err)
        n = ctypes.c_size_t()
        p = lib.asff_writer_buffer(w, ctypes.byref(n))
        return ctypes.string_at(p, n.value).decode("utf-8")
    finally:
        lib.asff_writer_free(w)


from ._engines import Filter, validate, normalize, insight, managed_insights  # noqa: E402
from ._client import Client  # noqa: E402

__all__ += ["Filter", "validate", "normalize", "insight", "managed_insights", "Client"]
