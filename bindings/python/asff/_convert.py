"""Converters (include/asff/convert.h): ASFF -> OCSF, ASFF -> CSV, SARIF -> ASFF, all run in C."""
from __future__ import annotations

import ctypes
import gc
import json
import os
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Union

from . import _errors, _lib, _read


class _Sink:
    """An asff_write_fn that collects what C writes (the callback object must outlive the C call)."""

    def __init__(self) -> None:
        self.parts: List[bytes] = []
        self.fn = _lib.WRITE_FN(self._write)

    def _write(self, ctx: Any, data: int, n: int) -> int:
        if n == 0:
            return 0
        try:
            self.parts.append(ctypes.string_at(data, n))
        except BaseException:  # never across the C frame; C reports ASFF_ERR_IO
            return 1
        return 0

    def take(self) -> bytes:
        b = b"".join(self.parts)
        self.parts.clear()
        return b


def _check(st: int, err: _lib.Error) -> None:
    if st != 0:
        raise _errors.from_c(st, err)


def ocsf_class_uid(finding: Mapping[str, Any]) -> int:
    """The OCSF class one finding dict maps to: 2002 Vulnerability, 2003 Compliance or 2004 Detection
    Finding (chosen by producer, as Amazon Security Lake does). ParseError when it is not a finding."""
    if not isinstance(finding, Mapping):
        raise TypeError("ocsf_class_uid takes one finding dict, not %s" % type(finding).__name__)
    L = _lib.lib()
    uids = list(_read.iter_raw(finding, "finding", lambda f: int(L.asff_ocsf_class_uid(f))))
    uid: int = uids[0]
    return uid


def iter_ocsf(findings: Any, envelope: Optional[str] = None) -> Iterator[Dict[str, Any]]:
    """The OCSF 1.1.0 event of every finding of findings (any source iter_findings takes), as dicts,
    one at a time."""
    L = _lib.lib()
    sink = _Sink()
    opts = _lib.OcsfOptions(_lib.VERSIONS["ASFF_OCSF_OPTIONS_VERSION"], False, None)
    err = _lib.Error()

    def convert(f: int) -> Dict[str, Any]:
        _check(L.asff_to_ocsf(f, ctypes.byref(opts), sink.fn, None, ctypes.byref(err)), err)
        event: Dict[str, Any] = json.loads(sink.take())
        return event

    return _read.iter_raw(findings, envelope, convert)


def to_ocsf(findings: Any, envelope: Optional[str] = None) -> List[Dict[str, Any]]:
    """Findings converted to OCSF 1.1.0 events (Compliance, Vulnerability or Detection Finding,
    chosen by producer as Amazon Security Lake does), one dict per finding, in input order.

    findings: one finding dict, an iterable of finding dicts, or any source iter_findings takes
    (path, bytes, JSON text, file object, EventBridge event), in any envelope; envelope as in
    iter_findings. Always a list, also for one finding. Bad input raises ParseError (path, offset);
    a number OCSF's JSON cannot hold ValidationError. As in asff.load, Python's cyclic garbage
    collector is paused while the list is built."""
    was = gc.isenabled()
    gc.disable()
    try:
        return list(iter_ocsf(findings, envelope))
    finally:
        if was:
            gc.enable()


def _columns(columns: Union[str, Sequence[str], None]) -> Optional[bytes]:
    if columns is None:
        return None
    if isinstance(columns, str):
        return columns.encode("utf-8")
    for c in columns:
        if not isinstance(c, str) or "," in c:
            raise ValueError("a column is a member path such as 'Severity.Label', not %r" % (c,))
    return ",".join(columns).encode("utf-8")


def to_csv(findings: Any, columns: Union[str, Sequence[str], None] = None, *, join: Optional[str] = None,
           header: bool = True, envelope: Optional[str] = None) -> str:
    """Findings as CSV text (RFC 4180, lines end with CRLF, a header line unless header=False).

    columns: member paths, as a list or comma-separated ("Id,Severity.Label,Resources[].Id"); None
    is libasff's default set (Id, AwsAccountId, Region, ProductName, ..., UpdatedAt). join: between
    the values of one cell (lists, several resources), default "; ". Cells that a spreadsheet would
    take for a formula are neutralized. An unknown column raises ValueError before anything is read;
    findings as in to_ocsf."""
    L = _lib.lib()
    sink = _Sink()
    cols = _columns(columns)
    opts = _lib.CsvOptions(_lib.VERSIONS["ASFF_CSV_OPTIONS_VERSION"], cols,
                           join.encode("utf-8") if join is not None else None, not header, None)
    err = _lib.Error()
    wp = ctypes.c_void_p()
    st = L.asff_csv_writer_new(ctypes.byref(opts), sink.fn, None, ctypes.byref(wp), ctypes.byref(err))
    if st in (L.status("ASFF_ERR_NOT_FOUND"), L.status("ASFF_ERR_INVALID_ARG")):
        raise ValueError(_errors.from_c(st, err).message)
    _check(st, err)
    w = wp.value
    try:
        for _ in _read.iter_raw(findings, envelope,
                                lambda f: _check(L.asff_csv_writer_write(w, f, ctypes.byref(err)), err)):
            pass
        _check(L.asff_csv_writer_finish(w, ctypes.byref(err)), err)
    finally:
        L.asff_csv_writer_free(w)
    return sink.take().decode("utf-8")


def _opt(s: Optional[str], name: str) -> Optional[bytes]:
    if s is None:
        return None
    if not isinstance(s, str):
        raise TypeError("%s must be a str, not %s" % (name, type(s).__name__))
    return s.encode("utf-8")


def from_sarif(sarif: Any, product_arn: str, account: str, region: Optional[str] = None, *,
               timestamp: Optional[str] = None, max_result: Optional[int] = None,
               max_string: Optional[int] = None) -> List[Dict[str, Any]]:
    """The results of a SARIF 2.1.0 log as ASFF finding dicts, one per result, in log order.

    sarif: a path (str or os.PathLike), bytes, JSON text (a str starting with '{'), a file object,
    or the log as a dict. product_arn: the ProductArn of every finding; account: the 12-digit
    AwsAccountId (ValueError when either is malformed). region: default the region of product_arn.
    timestamp: CreatedAt/UpdatedAt, default the run's end time, else the current time. Ids are
    derived from the results' fingerprints and locations, so converting a log twice gives the same
    Ids (Security Hub updates rather than duplicates). max_result/max_string: byte limits of one
    result and one string (defaults 4 MiB, 1 MiB). Bad input raises ParseError with the JSON path
    ("/runs/0/results/7"), offset and line; a log without runs is a ParseError too."""
    L = _lib.lib()
    if isinstance(sarif, Mapping):
        src = _read.Resolved(_read.dict_bytes(sarif))
    elif isinstance(sarif, (str, bytes, bytearray, memoryview, os.PathLike)) or hasattr(sarif, "read"):
        src = _read.Resolved(sarif)
    else:
        raise TypeError("a SARIF log is a path, bytes, JSON text, a file object or a dict, not %s"
                        % type(sarif).__name__)
    for v, name in ((max_result, "max_result"), (max_string, "max_string")):
        if v is not None and v <= 0:
            raise ValueError("%s must be > 0" % name)
    opts = _lib.SarifOptions()
    opts.version = _lib.VERSIONS["ASFF_SARIF_OPTIONS_VERSION"]
    opts.product_arn = _opt(product_arn, "product_arn")
    opts.account_id = _opt(account, "account")
    opts.region = _opt(region, "region")
    opts.timestamp = _opt(timestamp, "timestamp")
    opts.max_result = max_result or 0
    opts.max_string = max_string or 0
    out: List[Dict[str, Any]] = []
    failure: List[BaseException] = []

    def on_finding(ctx: Any, finding: int, info: Any) -> int:
        try:
            out.append(json.loads(_read.to_json_bytes(finding)))
        except BaseException as e:  # carried across the C frame, raised below
            failure.append(e)
            return 1
        return 0

    cb = _lib.FINDING_FN(on_finding)
    err = _lib.Error()
    rp = ctypes.c_void_p()
    st = L.asff_sarif_reader_new(ctypes.byref(opts), cb, None, ctypes.byref(rp), ctypes.byref(err))
    if st == L.status("ASFF_ERR_INVALID_ARG"):
        raise ValueError(_errors.from_c(st, err).message)
    _check(st, err)
    r = rp.value
    try:
        for chunk in src.iter_bytes():
            st = L.asff_sarif_reader_feed(r, chunk, len(chunk), ctypes.byref(err))
            if failure:
                raise failure[0]
            _check(st, err)
        st = L.asff_sarif_reader_finish(r, ctypes.byref(err))
        if failure:
            raise failure[0]
        _check(st, err)
    finally:
        L.asff_sarif_reader_free(r)
    return out
