"""Sources of findings, and reading them through libasff's batch reader (many findings a call)."""
from __future__ import annotations

import collections
import ctypes
import io
import json
import os
import pickle
import re
from typing import (IO, Any, Callable, Deque, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence,
                    Tuple, Union)

from . import _errors, _lib

#: What the reading functions take (see ``iter_findings``).
Source = Union[str, bytes, bytearray, memoryview, "os.PathLike[str]", IO[bytes], IO[str], Mapping[str, Any],
               Iterable[Mapping[str, Any]]]

ENVELOPES: Dict[Optional[str], int] = {None: 0, "auto": 0, "finding": 1, "array": 2, "findings": 3, "event": 4,
                                       "ndjson": 5}
_JSON_TEXT = re.compile(r"\s*[\[{]")
_GROUP = 64 * 1024        # bytes of findings per pickle (decoded 10% faster than 16 KB ones)
_GROUP_JSON = 16 * 1024   # ... per JSON array (pickled=False): larger arrays decode slower (cache, GC)
GROUP_LOAD = 64 * 1024    # ... when all are kept (asff.load, GC paused): fewer copies of the member names
_BATCH = 1024 * 1024      # bytes handed from C per call
_READ = 256 * 1024        # bytes read from a Python file object at a time


def is_json_text(s: str) -> bool:
    """True when s is JSON text rather than a file name: optional whitespace, then '{' or '['."""
    return _JSON_TEXT.match(s) is not None


def envelope_code(envelope: Optional[str]) -> int:
    try:
        return ENVELOPES[envelope]
    except KeyError:
        raise ValueError("envelope must be one of %s" % ", ".join(k for k in ENVELOPES if k)) from None


def dict_bytes(finding: Mapping[str, Any], index: int = 0) -> bytes:
    """One finding (or event) dict as compact UTF-8 JSON; a lone surrogate is a ParseError."""
    try:
        return json.dumps(finding, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError as e:
        raise _errors.ParseError("not encodable as UTF-8 (%s)" % e.reason, "ASFF_ERR_UTF8",
                                 _lib.lib().status("ASFF_ERR_UTF8"), "/%d" % index) from None
    except (TypeError, ValueError) as e:
        raise _errors.ParseError("not JSON: %s" % e, "ASFF_ERR_TYPE", _lib.lib().status("ASFF_ERR_TYPE"),
                                 "/%d" % index) from None


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise _errors.ParseError("not encodable as UTF-8 (%s)" % e.reason, "ASFF_ERR_UTF8",
                                 _lib.lib().status("ASFF_ERR_UTF8"), "", e.start) from None


def _dict_chunks(items: Iterable[Any]) -> Iterator[bytes]:
    """An iterable of finding dicts as NDJSON, in chunks."""
    buf: List[bytes] = []
    size = 0
    for i, f in enumerate(items):
        if not isinstance(f, Mapping):
            raise TypeError("item %d is %s, not a finding dict" % (i, type(f).__name__))
        b = dict_bytes(f, i)
        buf.append(b)
        size += len(b) + 1
        if size >= _READ:
            yield b"\n".join(buf) + b"\n"
            buf, size = [], 0
    if buf:
        yield b"\n".join(buf) + b"\n"


def _file_chunks(fh: Any) -> Iterator[bytes]:
    while True:
        b = fh.read(_READ)
        if not b:
            return
        yield _utf8(b) if isinstance(b, str) else bytes(b)


class Resolved:
    """A source resolved to a path, a buffer, or chunks of bytes (produced in Python)."""

    def __init__(self, source: Any) -> None:
        self.path: Optional[bytes] = None
        self.buffer: Optional[bytes] = None
        self.chunks: Optional[Iterator[bytes]] = None
        self.description = type(source).__name__
        if isinstance(source, str):
            if is_json_text(source):
                self.buffer = _utf8(source)
                self.description = "JSON text"
            else:
                self.path = os.fsencode(source)
                self.description = source
        elif isinstance(source, (bytes, bytearray, memoryview)):
            self.buffer = bytes(source)
            self.description = "bytes"
        elif isinstance(source, os.PathLike):
            p = os.fspath(source)
            self.path = os.fsencode(p)
            self.description = os.fsdecode(p)
        elif isinstance(source, Mapping):
            self.buffer = dict_bytes(source)
            self.description = "dict"
        elif hasattr(source, "read"):
            self.chunks = _file_chunks(source)
            self.description = getattr(source, "name", None) or type(source).__name__
        elif isinstance(source, Iterable):
            self.chunks = _dict_chunks(source)
            self.description = "iterable of dicts"
        else:
            raise TypeError("a source is a path, bytes, JSON text, a file object, a dict or an iterable of dicts, "
                            "not %s" % type(source).__name__)

    def iter_bytes(self) -> Iterator[bytes]:
        """The bytes of the source in chunks (for the per-finding parser)."""
        if self.buffer is not None:
            yield self.buffer
        elif self.path is not None:
            with open(self.path, "rb") as fh:
                yield from _file_chunks(fh)
        elif self.chunks is not None:
            yield from self.chunks


class _Values(pickle.Unpickler):
    """The unpickler of the batch reader's pickles. They come from libasff's own writer (lib/filter/
    pickle.c), which writes only plain values (dict, list, str, int, float, bool, None, memo
    gets/puts) and every string with its exact length, so a finding's text is never read as opcodes.
    As a second line of defence this unpickler refuses every global: even a wrong byte stream could
    not make it import or call anything."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError("global %s.%s refused: findings hold plain values only" % (module, name))


class _InPlace:
    """A file for _Values over one batch: its first read() returns the whole batch, whatever the
    size asked. The C unpickler then parses from that buffer in place (a memoryview of the ctypes
    buffer C wrote: no copy), pickle after pickle, until it asks for more: b"", so EOFError."""

    __slots__ = ("data",)

    def __init__(self, data: memoryview) -> None:
        self.data: Union[memoryview, bytes] = data

    def read(self, n: int) -> Union[memoryview, bytes]:
        d, self.data = self.data, b""
        return d

    def readline(self) -> bytes:
        return b""


class FindingIterator(Iterator[Dict[str, Any]]):
    """Findings of a source as dicts, read in C a batch at a time. A context manager: ``close()``
    (or leaving the ``with`` block, or exhausting it) frees the reader; a closed iterator raises
    ValueError. ``read`` and ``passed`` count the findings read and those that passed the filter.
    Findings cross from C as pickles (see _Values); ``pickled=False`` has them cross as JSON arrays
    decoded by json.loads instead (the same values; the tests compare both)."""

    def __init__(self, source: Any, filters: Any = None, fields: Optional[Sequence[str]] = None,
                 limit: Optional[int] = None, envelope: Optional[str] = None, prefilter: bool = False,
                 now: Optional[float] = None, readahead: bool = True, group: int = 0,
                 pickled: bool = True) -> None:
        from ._engines import Filter
        self._L = _lib.lib()
        self._reader: Optional[int] = None
        self._closed = False
        self._exhausted = False
        self._final = (0, 0)
        self._read_error: List[BaseException] = []
        self._gen: Iterator[Dict[str, Any]] = iter(())
        self._src = Resolved(source)
        self._flt: Optional[Filter] = None
        if filters is not None:
            self._flt = filters if isinstance(filters, Filter) else Filter(filters, now=now)
        opts = _lib.BatchOptions()
        opts.version = _lib.VERSIONS["ASFF_BATCH_OPTIONS_VERSION"]
        opts.envelope = envelope_code(envelope)
        opts.group_bytes = group or (_GROUP if pickled else _GROUP_JSON)
        # findings cross as pickles (see _Values), unless pickled=False: NDJSON for json.loads
        opts.format = _lib.BATCH_PICKLE if pickled else _lib.BATCH_NDJSON
        self._pickled = pickled
        if self._flt is not None:
            opts.filter = self._flt._handle()
            opts.prefilter = bool(prefilter)
        if fields is not None:
            if isinstance(fields, str):
                fields = [fields]
            self._fields = (ctypes.c_char_p * max(1, len(fields)))(*[f.encode() for f in fields])
            opts.fields = self._fields
            opts.field_count = len(fields)
        if limit is not None:
            if limit < 0:
                raise ValueError("limit must be >= 0")
            if limit == 0:
                self._closed = self._exhausted = True
                return
            opts.limit = limit
        out = ctypes.c_void_p()
        err = _lib.Error()
        src = self._src
        # C's own thread reads, parses and writes the next batches while Python decodes this one
        # (a Python thread would need the GIL back after every batch)
        opts.readahead = bool(readahead)
        if src.path is not None:
            st = self._L.asff_batch_reader_new_path(src.path, ctypes.byref(opts), ctypes.byref(out), ctypes.byref(err))
        elif src.buffer is not None:
            st = self._L.asff_batch_reader_new_buffer(src.buffer, len(src.buffer), ctypes.byref(opts),
                                                      ctypes.byref(out), ctypes.byref(err))
        else:
            self._pending = b""
            self._read_cb = _lib.READ_FN(self._on_read)
            st = self._L.asff_batch_reader_new_read(self._read_cb, None, ctypes.byref(opts), ctypes.byref(out),
                                                    ctypes.byref(err))
        if st != 0:
            e = _errors.from_c(st, err)
            if src.path is not None and e.status in ("ASFF_ERR_NOT_FOUND", "ASFF_ERR_IO"):
                raise FileNotFoundError(2, e.message, src.description) if e.status == "ASFF_ERR_NOT_FOUND" \
                    else OSError(e.message + ": " + src.description)
            raise e
        self._reader = out.value
        # [capacity]; the buffer C wrote comes back to self._free once decoded: a fresh buffer costs
        # a page fault every 4 KB, a reused one none
        self._state: List[Any] = [_BATCH]
        self._free: Deque[Any] = collections.deque()
        self._gen = self._generate()

    # -- the read callback for bytes produced in Python
    def _on_read(self, ctx: Any, buf: int, cap: int) -> int:
        try:
            if not self._pending:
                assert self._src.chunks is not None
                self._pending = next(self._src.chunks, b"")
            n = min(cap, len(self._pending))
            ctypes.memmove(buf, self._pending, n)
            self._pending = self._pending[n:]
            return n
        except BaseException as e:  # carried across the C frame, raised by _fill
            self._read_error.append(e)
            return -1

    def _fill(self) -> bytes:
        """The next batch as bytes (b"" at the end)."""
        buf, n = _fill(self._L, self._reader, self._state, self._free, self._read_error)
        return ctypes.string_at(buf, n) if n else b""

    def _batches(self) -> Iterator[Tuple[Any, int]]:
        """(buffer, length) of each batch; the buffer goes back to self._free once decoded."""
        while True:
            item = _fill(self._L, self._reader, self._state, self._free, self._read_error)
            if not item[1]:
                return
            yield item

    def _generate(self) -> Iterator[Dict[str, Any]]:
        loads = json.loads
        free = self._free
        try:
            if self._pickled:
                for buf, n in self._batches():
                    # the unpickler reads the batch in place, pickle after pickle (see _InPlace)
                    load = _Values(_InPlace(memoryview(buf)[:n])).load
                    try:
                        while True:
                            yield from load()
                    except EOFError:   # past the last pickle of the batch
                        pass
                    del load
                    free.append(buf)
            else:
                for buf, n in self._batches():
                    data = ctypes.string_at(buf, n)
                    free.append(buf)
                    for line in data.split(b"\n"):
                        if line:
                            yield from loads(line)
            self._exhausted = True
        finally:
            self.close()

    # -- the iterator protocol
    def __iter__(self) -> "FindingIterator":
        return self

    def __next__(self) -> Dict[str, Any]:
        return next(self._gen)

    @property
    def read(self) -> int:
        """Findings read so far (parsed, or skipped by the prefilter)."""
        return self._counts()[0]

    @property
    def passed(self) -> int:
        """Findings that passed the filter so far (handed to Python)."""
        return self._counts()[1]

    def _counts(self) -> Tuple[int, int]:
        if self._reader is None:
            return self._final
        return _counts(self._L, self._reader)

    def close(self) -> None:
        """Stop reading and free the C reader (idempotent)."""
        if self._reader is not None:
            self._final = self._counts()
            self._L.asff_batch_reader_free(self._reader)
            self._reader = None
        self._closed = True
        if not self._exhausted:
            self._gen = _ClosedIterator()

    def __enter__(self) -> "FindingIterator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return "<asff.FindingIterator %s source=%r filter=%s>" % (state, self._src.description,
                                                                   "yes" if self._flt is not None else "no")


def _counts(L: Any, reader: Optional[int]) -> Tuple[int, int]:
    a, b = ctypes.c_uint64(), ctypes.c_uint64()
    L.asff_batch_reader_counts(reader, ctypes.byref(a), ctypes.byref(b), None)
    return a.value, b.value


def _fill(L: Any, reader: Optional[int], state: List[Any], free: Deque[Any],
          read_error: List[BaseException]) -> Tuple[Any, int]:
    """The next batch from C: (buffer, length), length 0 at the end. state: [capacity]."""
    n = ctypes.c_size_t()
    err = _lib.Error()
    buf = None
    while free:   # a buffer decoded before, if one is as large as the batches now
        b = free.pop()
        if len(b) >= state[0]:
            buf = b
            break
    if buf is None:
        buf = ctypes.create_string_buffer(state[0])
    while True:
        st = L.asff_batch_reader_next(reader, buf, len(buf), ctypes.byref(n), None, ctypes.byref(err))
        if st == 0:
            if not n.value:
                free.append(buf)
            return buf, n.value
        if read_error:
            raise read_error[0]
        if st == L.status("ASFF_ERR_LIMIT") and n.value > len(buf):
            state[0] = n.value
            buf = ctypes.create_string_buffer(n.value)
            continue
        raise _errors.from_c(st, err)


class _ClosedIterator(Iterator[Dict[str, Any]]):
    def __next__(self) -> Dict[str, Any]:
        raise ValueError("the iterator is closed")


# ---- the per-finding parser, for operations that need each typed finding in C ------------------

def iter_raw(source: Any, envelope: Optional[str], convert: Callable[[int], Any], keep: bool = False) -> Iterator[Any]:
    """Yield convert(finding pointer) for every finding of source (validate, normalize, insight,
    dumps). keep=True hands each finding over to convert, which must see that it is freed."""
    L = _lib.lib()
    src = source if isinstance(source, Resolved) else Resolved(source)
    opts = _lib.ParseOptions()
    opts.version = _lib.VERSIONS["ASFF_PARSE_OPTIONS_VERSION"]
    opts.keep = keep
    opts.envelope = envelope_code(envelope)
    pending: Deque[Any] = collections.deque()
    failure: List[BaseException] = []

    def on_finding(ctx: Any, finding: int, info: Any) -> int:
        try:
            pending.append(convert(finding))
        except BaseException as e:  # carried across the C frame, raised below
            failure.append(e)
            return 1
        return 0

    cb = _lib.FINDING_FN(on_finding)
    ecb = _lib.PARSE_ERROR_FN(0)
    pp = ctypes.c_void_p()
    if L.asff_parser_new(ctypes.byref(opts), cb, ecb, None, ctypes.byref(pp), None) != 0 or not pp.value:
        raise MemoryError("asff_parser_new failed")
    parser = pp.value
    err = _lib.Error()
    try:
        for chunk in src.iter_bytes():
            st = L.asff_parser_feed(parser, chunk, len(chunk), ctypes.byref(err))
            if failure:
                raise failure[0]
            if st != 0:
                raise _errors.from_c(st, err)
            while pending:
                yield pending.popleft()
        st = L.asff_parser_finish(parser, ctypes.byref(err))
        if failure:
            raise failure[0]
        if st != 0:
            raise _errors.from_c(st, err)
        while pending:
            yield pending.popleft()
    finally:
        L.asff_parser_free(parser)


def to_json_bytes(finding: int) -> bytes:
    """A typed finding as compact JSON bytes."""
    L = _lib.lib()
    out = ctypes.c_void_p()
    n = ctypes.c_size_t()
    err = _lib.Error()
    st = L.asff_to_json(finding, False, ctypes.byref(out), ctypes.byref(n), ctypes.byref(err))
    if st != 0:
        raise _errors.from_c(st, err)
    try:
        return ctypes.string_at(out, n.value)
    finally:
        L.asff_free_string(out)


