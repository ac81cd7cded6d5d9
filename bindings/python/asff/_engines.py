"""Filters, insights, managed insights, validation and normalization (lib/filter, lib/validate)."""
import ctypes
import json

from . import _lib


def _h():
    from . import _lib_handle
    return _lib_handle()


def _err(code, err):
    from . import AsffError
    return AsffError.from_c(code, err)


class _FilterOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("mode", ctypes.c_int), ("local", ctypes.c_bool),
                ("negative_absent_fails", ctypes.c_bool), ("allow_contains", ctypes.c_bool),
                ("has_now", ctypes.c_bool), ("now_seconds", ctypes.c_int64), ("allocator", ctypes.c_void_p)]


class _InsightOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("max_results", ctypes.c_size_t), ("insight_arn", ctypes.c_char_p),
                ("allocator", ctypes.c_void_p)]


class _InsightResult(ctypes.Structure):
    _fields_ = [("value", ctypes.c_char_p), ("count", ctypes.c_uint64)]


class _ManagedInsight(ctypes.Structure):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("arn", ctypes.c_char_p),
                ("group_by", ctypes.c_char_p), ("filters", ctypes.c_char_p), ("note", ctypes.c_char_p)]


_declared = False


def _declare():
    global _declared
    if _declared:
        return _h()
    lib = _h()
    P, S, SZ, E = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(_lib.Error)
    _lib._fn(lib, "asff_filter_compile", ctypes.c_int, [S, SZ, ctypes.POINTER(_FilterOptions), ctypes.POINTER(P), E])
    _lib._fn(lib, "asff_filter_match", ctypes.c_bool, [P, P])
    _lib._fn(lib, "asff_filter_to_json", ctypes.c_int, [P, ctypes.POINTER(P), ctypes.POINTER(SZ), E])
    _lib._fn(lib, "asff_free_string", None, [P])
    _lib._fn(lib, "asff_filter_free", None, [P])
    _lib._fn(lib, "asff_insight_new", ctypes.c_int, [P, S, ctypes.POINTER(_InsightOptions), ctypes.POINTER(P), E])
    _lib._fn(lib, "asff_insight_add", ctypes.c_int, [P, P])
    _lib._fn(lib, "asff_insight_results", ctypes.c_int,
             [P, ctypes.POINTER(ctypes.POINTER(_InsightResult)), ctypes.POINTER(SZ)])
    _lib._fn(lib, "asff_insight_free", None, [P])
    _lib._fn(lib, "asff_managed_insight_count", ctypes.c_uint, [])
    _lib._fn(lib, "asff_managed_insight_get", ctypes.POINTER(_ManagedInsight), [ctypes.c_uint])
    _lib._fn(lib, "asff_managed_insight_find", ctypes.POINTER(_ManagedInsight), [S])
    _declared = True
    return lib


class Filter:
    """A compiled AwsSecurityFindingFilters: Filter({"SeverityLabel": [{"Value": "HIGH",
    "Comparison": "EQUALS"}]}). now: seconds since the epoch for DateRange entries; local=True lifts
    the service's limits (10 attributes, 20 values each). Matching is Security Hub's semantics."""

    def __init__(self, filters, now=None, local=False):
        lib = _declare()
        text = filters if isinstance(filters, (str, bytes)) else json.dumps(filters)
        if isinstance(text, str):
            text = text.encode("utf-8")
        opts = _FilterOptions(1, 0, bool(local), False, False, now is not None, int(now or 0), None)
        out = ctypes.c_void_p()
        err = _lib.Error()
        st = lib.asff_filter_compile(text, len(text), ctypes.byref(opts), ctypes.byref(out), ctypes.byref(err))
        if st != 0:
            raise _err(st, err)
        self._lib = lib
        self._ptr = out

    def __del__(self):
        if getattr(self, "_ptr", None):
            self._lib.asff_filter_free(self._ptr)
            self._ptr = None

    def _match_ptr(self, finding_ptr):
        return self._lib.asff_filter_match(self._ptr, finding_ptr)

    def match(self, finding):
        """True when finding (a dict) passes the filter."""
        from . import _iter_raw, _findings_bytes
        return any(_iter_raw(_findings_bytes(finding), "ndjson", self._match_ptr, lambda f: True))

    def to_json(self):
        """The filter as canonical JSON text (attributes sorted), as GetFindings takes it."""
        out = ctypes.c_void_p()
        n = ctypes.c_size_t()
        err = _lib.Error()
        st = self._lib.asff_filter_to_json(self._ptr, ctypes.byref(out), ctypes.byref(n), ctypes.byref(err))
        if st != 0:
            raise _err(st, err)
        try:
            return ctypes.string_at(out, n.value).decode("utf-8")
        finally:
            self._lib.asff_free_string(out)


def _managed(mi):
    m = mi.contents
    return {"number": m.number, "name": m.name.decode(), "arn": m.arn.decode(), "group_by": m.group_by.decode(),
            "filters": json.loads(m.filters.decode()), "note": (m.note or b"").decode()}


def managed_insights():
    """The 32 managed insights of Security Hub: dicts with number, name, arn, group_by, filters."""
    lib = _declare()
    return [_managed(lib.asff_managed_insight_get(i)) for i in range(lib.asff_managed_insight_count())]


def insight(source, group_by=None, filters=None, managed=None, max_results=100, envelope=None):
    """Count the findings of source as GetInsightResults does: a list of (value, count), count
    descending. Either group_by (+ optional filters) or managed (number, name or ARN of a managed
    insight). max_results=None lifts the service's limit of 100."""
    from . import _iter_raw
    lib = _declare()
    if managed is not None:
        mi = lib.asff_managed_insight_find(str(managed).encode())
        if not mi:
            raise KeyError("no managed insight %r" % (managed,))
        m = _managed(mi)
        group_by, filters = m["group_by"], m["filters"]
    if not group_by:
        raise ValueError("give group_by or managed")
    flt = filters if isinstance(filters, Filter) or filters is None else Filter(filters)
    opts = _InsightOptions(1, ctypes.c_size_t(-1).value if max_results is None else max_results, None, None)
    ins = ctypes.c_void_p()
    err = _lib.Error()
    st = lib.asff_insight_new(flt._ptr if flt else None, group_by.encode(), ctypes.byref(opts), ctypes.byref(ins),
                              ctypes.byref(err))
    if st != 0:
        raise _err(st, err)
    try:
        def add(f):
            s = lib.asff_insight_add(ins, f)
            if s != 0:
                raise MemoryError("asff_insight_add: status %d" % s)
        for _ in _iter_raw(source, envelope, None, add):
            pass
        res = ctypes.POINTER(_InsightResult)()
        n = ctypes.c_size_t()
        st = lib.asff_insight_results(ins, ctypes.byref(res), ctypes.byref(n))
        if st != 0:
            raise MemoryError("asff_insight_results: status %d" % st)
        return [(res[i].value.decode("utf-8"), res[i].count) for i in range(n.value)]
    finally:
        lib.asff_insight_free(ins)


class _ValidateOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("strict_taxonomy", ctypes.c_bool), ("skip_size", ctypes.c_bool),
                ("skip_service_owned", ctypes.c_bool), ("index", ctypes.c_uint64)]


class _NormalizeOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("skip_severity", ctypes.c_bool), ("skip_timestamps", ctypes.c_bool),
                ("skip_schema_version", ctypes.c_bool), ("skip_dedupe_types", ctypes.c_bool),
                ("derive_product", ctypes.c_bool), ("truncate", ctypes.c_bool), ("index", ctypes.c_uint64)]


_vdeclared = False


def _new_report(lib: ctypes.CDLL) -> int:
    """A new asff_report (asff_report_new's status + out-parameter form)."""
    out = ctypes.c_void_p()
    if lib.asff_report_new(None, ctypes.byref(out), None) != 0 or not out.value:
        raise MemoryError("asff_report_new failed")
    return out.value


def _declare_validate():
    global _vdeclared
    lib = _h()
    if _vdeclared:
        return lib
    P, SZ = ctypes.c_void_p, ctypes.c_size_t
    _lib._fn(lib, "asff_report_new", ctypes.c_int, [P, ctypes.POINTER(P), P])
    _lib._fn(lib, "asff_report_free", None, [P])
    _lib._fn(lib, "asff_report_clear", None, [P])
    _lib._fn(lib, "asff_report_to_json", ctypes.c_int, [P, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(SZ)])
    _lib._fn(lib, "asff_validate", ctypes.c_int, [P, ctypes.POINTER(_ValidateOptions), P])
    _lib._fn(lib, "asff_validate_batch", ctypes.c_int,
             [ctypes.POINTER(ctypes.c_void_p), SZ, ctypes.POINTER(_ValidateOptions), P])
    _lib._fn(lib, "asff_normalize", ctypes.c_int, [P, ctypes.POINTER(_NormalizeOptions), P])
    _vdeclared = True
    return lib


def _report_json(lib, report):
    out = ctypes.c_char_p()
    n = ctypes.c_size_t()
    st = lib.asff_report_to_json(report, ctypes.byref(out), ctypes.byref(n))
    if st != 0:
        raise MemoryError("asff_report_to_json: status %d" % st)
    return json.loads(ctypes.string_at(out, n.value))


def _as_source(findings):
    from . import _findings_bytes
    if isinstance(findings, (bytes, bytearray, str)) or hasattr(findings, "read"):
        return findings
    return _findings_bytes(findings)


def validate(findings, strict=False, batch=False):
    """Check findings (a dict, an iterable of dicts, or a path/bytes/file in any envelope) against
    Security Hub's rules. Returns the violations as dicts: level ("error", "warning", "advice"),
    rule ("length.Title"), ref (the docs/reference/rules.md id), path (JSON Pointer), message, limit, actual,
    finding (its index). batch=True adds the BatchImportFindings checks across findings."""
    from . import _iter_raw
    lib = _declare_validate()
    report = _new_report(lib)
    try:
        opts = _ValidateOptions(1, bool(strict), False, False, 0)
        src = _as_source(findings)
        env = "ndjson" if src is not findings else None
        if batch:
            # The batch rules look at all findings at once: keep each one (keep=True hands it over).
            ptrs = []
            try:
                for _ in _iter_raw(src, env, None, ptrs.append, keep=True):
                    pass
                arr = (ctypes.c_void_p * len(ptrs))(*ptrs)
                lib.asff_validate_batch(arr, len(ptrs), ctypes.byref(opts), report)
            finally:
                for p in ptrs:
                    lib.asff_object_free(p)
        else:
            index = [0]

            def check(p):
                opts.index = index[0]
                index[0] += 1
                lib.asff_validate(p, ctypes.byref(opts), report)
            for _ in _iter_raw(src, env, None, check):
                pass
        return _report_json(lib, report)["violations"]
    finally:
        lib.asff_report_free(report)


def _to_json(lib, p):
    from . import _to_json_bytes
    return _to_json_bytes(lib, p)


def normalize(findings, derive_product=False, truncate=False, changes=None):
    """Put findings into Security Hub's canonical form (severity label/normalized, UTC millisecond
    timestamps, SchemaVersion, duplicate Types removed; optionally ProductName/CompanyName/Region from
    the ProductArn and truncation of over-long strings). Takes a dict (returns a dict) or an iterable /
    path / bytes (returns a list). If changes is a list, each change made is appended to it as a dict
    (rule, path, old, new, finding)."""
    from . import _iter_raw
    lib = _declare_validate()
    single = isinstance(findings, dict)
    report = _new_report(lib)
    try:
        opts = _NormalizeOptions(1, False, False, False, False, bool(derive_product), bool(truncate), 0)
        index = [0]

        def norm(p):
            opts.index = index[0]
            index[0] += 1
            st = lib.asff_normalize(p, ctypes.byref(opts), report)
            if st != 0:
                raise MemoryError("asff_normalize: status %d" % st)
            return json.loads(_to_json(lib, p))
        src = _as_source(findings)
        out = list(_iter_raw(src, "ndjson" if src is not findings else None, None, norm))
        if changes is not None:
            changes.extend(_report_json(lib, report).get("changes", []))
        return out[0] if single else out
    finally:
        lib.asff_report_free(report)
