"""Filters, insights, managed insights, validation and normalization (lib/filter, lib/validate)."""
from __future__ import annotations

import ctypes
import json
import time
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from . import _errors, _lib
from ._read import Resolved, iter_raw, to_json_bytes

FilterSpec = Union[Mapping[str, Any], str, bytes, "Filter"]


class Filter:
    """A compiled AwsSecurityFindingFilters, matched with Security Hub's semantics.

    ``Filter({"SeverityLabel": [{"Value": "HIGH", "Comparison": "EQUALS"}]})`` takes a dict, JSON text
    or bytes (a request body {"Filters": {...}} too). ``now``: the instant DateRange entries count
    from, as seconds since the epoch; None (the default) is the current time, as the CLI does.
    ``local=True`` lifts the service's limits (10 attributes, 20 values each). A malformed filter
    raises FilterError. A context manager; ``close()`` frees it, after which using it raises
    ValueError. One Filter may be matched from several threads at once.
    """

    def __init__(self, filters: Union[Mapping[str, Any], str, bytes], now: Optional[float] = None,
                 local: bool = False) -> None:
        self._L = _lib.lib()
        self._ptr: Optional[int] = None
        if isinstance(filters, Mapping):
            text = json.dumps(filters, ensure_ascii=False).encode("utf-8")
        elif isinstance(filters, str):
            text = filters.encode("utf-8")
        elif isinstance(filters, (bytes, bytearray)):
            text = bytes(filters)
        else:
            raise TypeError("filters must be a dict, JSON text or bytes, not %s" % type(filters).__name__)
        self.now = float(time.time() if now is None else now)
        opts = _lib.FilterOptions(_lib.VERSIONS["ASFF_FILTER_OPTIONS_VERSION"], 0, bool(local), False, False, True,
                                  int(self.now), None)
        out = ctypes.c_void_p()
        err = _lib.Error()
        st = self._L.asff_filter_compile(text, len(text), ctypes.byref(opts), ctypes.byref(out), ctypes.byref(err))
        if st != 0:
            e = _errors.from_c(st, err)
            if not isinstance(e, _errors.FilterError):  # JSON errors in a filter are filter errors too
                e2 = _errors.FilterError(e.message, e.status, e.code, e.path, e.offset, e.line, e.column)
                raise e2 from None
            raise e
        self._ptr = out.value
        self._text = text

    def _handle(self) -> int:
        if self._ptr is None:
            raise ValueError("the Filter is closed")
        return self._ptr

    def match(self, finding: Mapping[str, Any]) -> bool:
        """True when finding (a dict) passes the filter."""
        h = self._handle()
        L = self._L
        return any(iter_raw(Resolved(finding), None, lambda f: bool(L.asff_filter_match(h, f))))

    def to_json(self) -> str:
        """The filter as canonical JSON text (attributes sorted), as GetFindings takes it."""
        h = self._handle()
        out = ctypes.c_void_p()
        n = ctypes.c_size_t()
        err = _lib.Error()
        st = self._L.asff_filter_to_json(h, ctypes.byref(out), ctypes.byref(n), ctypes.byref(err))
        if st != 0:
            raise _errors.from_c(st, err)
        try:
            return ctypes.string_at(out, n.value).decode("utf-8")
        finally:
            self._L.asff_free_string(out)

    def close(self) -> None:
        """Free the compiled filter (idempotent)."""
        if self._ptr is not None:
            self._L.asff_filter_free(self._ptr)
            self._ptr = None

    def __enter__(self) -> "Filter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_ptr", None) is not None:
            self.close()

    def __repr__(self) -> str:
        if self._ptr is None:
            return "<asff.Filter closed>"
        return "<asff.Filter %s now=%d>" % (self.to_json(), int(self.now))


def _managed(mi: Any) -> Dict[str, Any]:
    m = mi.contents
    return {"number": m.number, "name": m.name.decode(), "arn": m.arn.decode(), "group_by": m.group_by.decode(),
            "filters": json.loads(m.filters.decode()), "note": (m.note or b"").decode()}


def managed_insights() -> List[Dict[str, Any]]:
    """The 32 managed insights of Security Hub: dicts with number, name, arn, group_by, filters, note."""
    L = _lib.lib()
    return [_managed(L.asff_managed_insight_get(i)) for i in range(L.asff_managed_insight_count())]


def insight(source: Any, group_by: Optional[str] = None, filters: Optional[FilterSpec] = None,
            managed: Union[int, str, None] = None, max_results: Optional[int] = 100,
            envelope: Optional[str] = None, now: Optional[float] = None) -> List[Tuple[str, int]]:
    """Count the findings of source as GetInsightResults does: a list of (value, count), count
    descending. Either group_by (+ optional filters) or managed (number, name or ARN of a managed
    insight). max_results=None lifts the service's limit of 100. source: as for iter_findings;
    now: as for Filter (the current time by default)."""
    L = _lib.lib()
    if managed is not None:
        mi = L.asff_managed_insight_find(str(managed).encode())
        if not mi:
            raise KeyError("no managed insight %r" % (managed,))
        m = _managed(mi)
        group_by, filters = m["group_by"], m["filters"]
    if not group_by:
        raise ValueError("give group_by or managed")
    flt = filters if isinstance(filters, Filter) or filters is None else Filter(filters, now=now)
    opts = _lib.InsightOptions(_lib.VERSIONS["ASFF_INSIGHT_OPTIONS_VERSION"],
                               ctypes.c_size_t(-1).value if max_results is None else max_results, None, None)
    ins = ctypes.c_void_p()
    err = _lib.Error()
    st = L.asff_insight_new(flt._handle() if flt is not None else None, group_by.encode(), ctypes.byref(opts),
                            ctypes.byref(ins), ctypes.byref(err))
    if st != 0:
        raise _errors.from_c(st, err)
    try:
        def add(f: int) -> None:
            s = L.asff_insight_add(ins, f)
            if s != 0:
                raise MemoryError("asff_insight_add: status %d" % s)
        for _ in iter_raw(source, envelope, add):
            pass
        res = ctypes.POINTER(_lib.InsightResult)()
        n = ctypes.c_size_t()
        st = L.asff_insight_results(ins, ctypes.byref(res), ctypes.byref(n))
        if st != 0:
            raise MemoryError("asff_insight_results: status %d" % st)
        return [(res[i].value.decode("utf-8"), int(res[i].count)) for i in range(n.value)]
    finally:
        L.asff_insight_free(ins)


def _report_json(L: Any, report: int) -> Dict[str, Any]:
    out = ctypes.c_char_p()
    n = ctypes.c_size_t()
    st = L.asff_report_to_json(report, ctypes.byref(out), ctypes.byref(n))
    if st != 0:
        raise MemoryError("asff_report_to_json: status %d" % st)
    r: Dict[str, Any] = json.loads(ctypes.string_at(out, n.value))
    return r


def validate(findings: Any, strict: bool = False, batch: bool = False,
             raise_on_error: bool = False) -> List[Dict[str, Any]]:
    """Check findings against Security Hub's rules. findings: one finding dict, an iterable of dicts,
    or any source iter_findings takes (path, bytes, JSON text, file object) in any envelope.
    Returns the violations as dicts: level ("error", "warning", "advice"), rule ("length.Title"),
    ref (the rule id), path (JSON Pointer), message, limit, actual, finding (its index).
    batch=True adds the BatchImportFindings checks across findings. Unparseable input raises ParseError;
    raise_on_error=True raises ValidationError (path of the first error, ``results`` = all violations)
    when a violation is an error."""
    L = _lib.lib()
    report = _lib.new_report(L)
    try:
        opts = _lib.ValidateOptions(_lib.VERSIONS["ASFF_VALIDATE_OPTIONS_VERSION"], bool(strict), False, False, 0)
        if batch:
            # the batch rules look at all findings at once: keep each one (keep=True hands it over)
            ptrs: List[int] = []
            try:
                for _ in iter_raw(findings, None, ptrs.append, keep=True):
                    pass
                arr = (ctypes.c_void_p * len(ptrs))(*ptrs)
                L.asff_validate_batch(arr, len(ptrs), ctypes.byref(opts), report)
            finally:
                for p in ptrs:
                    L.asff_object_free(p)
        else:
            index = [0]

            def check(p: int) -> None:
                opts.index = index[0]
                index[0] += 1
                L.asff_validate(p, ctypes.byref(opts), report)
            for _ in iter_raw(findings, None, check):
                pass
        v: List[Dict[str, Any]] = _report_json(L, report)["violations"]
    finally:
        L.asff_report_free(report)
    errors = [x for x in v if x.get("level") == "error"]
    if raise_on_error and errors:
        e = _errors.ValidationError("%d errors; first, in finding %s: %s" % (
            len(errors), errors[0].get("finding"), errors[0].get("message")), "ASFF_ERR_INVALID",
            L.status("ASFF_ERR_INVALID"), str(errors[0].get("path") or ""))
        e.results = v
        raise e
    return v


def normalize(findings: Any, derive_product: bool = False, truncate: bool = False,
              changes: Optional[List[Dict[str, Any]]] = None) -> Any:
    """Put findings into Security Hub's canonical form (severity label/normalized, UTC millisecond
    timestamps, SchemaVersion, duplicate Types removed; optionally ProductName/CompanyName/Region from
    the ProductArn and truncation of over-long strings). Takes a dict (returns a dict) or any other
    source iter_findings takes (returns a list of dicts). If changes is a list, each change made is
    appended to it as a dict (rule, path, old, new, finding)."""
    L = _lib.lib()
    single = isinstance(findings, Mapping)
    report = _lib.new_report(L)
    try:
        opts = _lib.NormalizeOptions(_lib.VERSIONS["ASFF_NORMALIZE_OPTIONS_VERSION"], False, False, False, False,
                                     bool(derive_product), bool(truncate), 0)
        index = [0]

        def norm(p: int) -> Any:
            opts.index = index[0]
            index[0] += 1
            st = L.asff_normalize(p, ctypes.byref(opts), report)
            if st != 0:
                raise MemoryError("asff_normalize: status %d" % st)
            return json.loads(to_json_bytes(p))
        out = list(iter_raw(findings, None, norm))
        if changes is not None:
            changes.extend(_report_json(L, report).get("changes", []))
        return out[0] if single and out else out
    finally:
        L.asff_report_free(report)


