"""asff.Client: Security Hub through libasff's client (SigV4, retries, rate limits, batching)."""
from __future__ import annotations

import ctypes
import json
import threading
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Union

from . import _errors, _lib, _read

SortSpec = Union[str, Mapping[str, str], Sequence[Union[str, Mapping[str, str]]]]


def _s(v: Optional[bytes]) -> Optional[str]:
    return v.decode("utf-8", "replace") if v else None


def _b(v: Union[str, bytes, None]) -> Optional[bytes]:
    return v.encode("utf-8") if isinstance(v, str) else v


class ImportResult(List[Dict[str, Any]]):
    """The outcome of Client.import_findings: one dict per finding, in input order (index, id,
    product_arn, imported, error_code, error_message, attempts). ``failed`` lists those not imported;
    ``warnings`` the answers that contradicted their batch (Ids not in it or named twice, counts that
    disagree), one printable line each, redacted of secrets."""

    def __init__(self, items: Iterable[Dict[str, Any]] = ()) -> None:
        super().__init__(items)
        self.warnings: List[str] = []

    @property
    def failed(self) -> List[Dict[str, Any]]:
        """The results of the findings that were not imported."""
        return [r for r in self if not r["imported"]]

    @property
    def imported(self) -> int:
        """How many findings were imported."""
        return sum(1 for r in self if r["imported"])

    def __repr__(self) -> str:
        return "<asff.ImportResult %d findings: %d imported, %d failed>" % (len(self), self.imported,
                                                                           len(self) - self.imported)


class UpdateResult(List[Dict[str, Any]]):
    """The outcome of Client.update_findings: one dict per FindingIdentifier, in request order (index,
    id, product_arn, processed, error_code, error_message). ``failed`` lists the unprocessed ones;
    ``warnings`` the answers that contradicted their call (identifiers not in it, named twice or in both
    lists), one printable line each, redacted of secrets; ``stats`` the totals (asff_update_stats)."""

    def __init__(self, items: Iterable[Dict[str, Any]] = ()) -> None:
        super().__init__(items)
        self.warnings: List[str] = []
        self.stats: Dict[str, int] = {}

    @property
    def failed(self) -> List[Dict[str, Any]]:
        """The results of the identifiers that were not processed."""
        return [r for r in self if not r["processed"]]

    def __repr__(self) -> str:
        return "<asff.UpdateResult %d identifiers: %d failed>" % (len(self), len(self.failed))


def _index(r: Dict[str, Any]) -> int:
    return int(r["index"])


def sort_criteria(sort: Optional[SortSpec]) -> List[Dict[str, str]]:
    """SortCriteria from "Field", "Field:asc", "Field:desc", a {"Field", "SortOrder"} dict (boto3's
    form), or a list of those."""
    if sort is None:
        return []
    items: Sequence[Union[str, Mapping[str, str]]]
    items = [sort] if isinstance(sort, (str, Mapping)) else sort
    out = []
    for s in items:
        if isinstance(s, str):
            field, _, order = s.partition(":")
            order = order or "asc"
        elif isinstance(s, Mapping):
            if "Field" not in s:
                raise ValueError("a SortCriteria entry needs Field: %r" % (s,))
            field, order = s["Field"], s.get("SortOrder", "asc")
        else:
            raise TypeError("sort entries are 'Field:desc' strings or {'Field', 'SortOrder'} dicts")
        if order not in ("asc", "desc") or not field:
            raise ValueError("sort order must be asc or desc: %r" % (s,))
        out.append({"Field": field, "SortOrder": order})
    return out


class _Pages(Iterator[Dict[str, Any]]):
    """GetFindings results, fetched page by page in the caller's thread as iteration goes on."""

    def __init__(self, client: "Client", request: Dict[str, Any], max_results: Optional[int]) -> None:
        self._client = client
        self._request = request
        self._left = max_results
        self._page: List[Dict[str, Any]] = []
        self._token: Optional[str] = None
        self._done = False
        self._closed = False

    def __iter__(self) -> "_Pages":
        return self

    def __next__(self) -> Dict[str, Any]:
        if self._closed:
            raise ValueError("the iterator is closed")
        if self._left == 0:
            raise StopIteration
        while not self._page:
            if self._done:
                raise StopIteration
            req = dict(self._request)
            if self._token:
                req["NextToken"] = self._token
            out = self._client.invoke("GetFindings", req)
            self._page = list(out.get("Findings") or [])
            self._page.reverse()
            self._token = out.get("NextToken") or None
            self._done = not self._token
        if self._left is not None:
            self._left -= 1
        return self._page.pop()

    def close(self) -> None:
        """Stop: no further page is fetched."""
        self._closed = True
        self._page = []

    def __enter__(self) -> "_Pages":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return "<asff.Client.get_findings %s>" % ("closed" if self._closed else "open")


class Client:
    """A Security Hub client.

    Region, credentials and endpoint resolve as the ``asff`` CLI resolves them (the AWS SDKs'
    order): the arguments, then AWS_REGION / AWS_PROFILE / AWS_ENDPOINT_URL(_SECURITYHUB), the
    shared config and credentials files, container and EC2 credentials. An http:// endpoint, from
    the argument or the environment, is accepted as the CLI accepts it (derived endpoints are always
    https). Calls are signed with SigV4, retried with backoff on throttling and 5xx, and paced at
    Security Hub's documented rates.

    A context manager; ``close()`` frees it, after which calls raise ValueError. Calls from several
    threads are serialized by a lock (the C client is used by one thread at a time); nothing runs
    in a thread of its own.
    """

    def __init__(self, region: Optional[str] = None, profile: Optional[str] = None,
                 endpoint_url: Optional[str] = None, ca_bundle: Optional[str] = None, max_attempts: int = 0,
                 timeout: Optional[float] = None, rate_limit: bool = True) -> None:
        self._L = _lib.lib()
        self._ptr: Optional[int] = None
        self._lock = threading.RLock()
        if endpoint_url is not None and not endpoint_url.strip():
            raise ValueError("endpoint_url is empty")
        # keep the encoded strings alive while the options point at them
        self._keep = [_b(region), _b(profile), _b(endpoint_url), _b(ca_bundle)]
        o = _lib.ClientOptions()
        o.version = _lib.VERSIONS["ASFF_CLIENT_OPTIONS_VERSION"]
        o.region, o.profile, o.endpoint_url, o.ca_bundle = self._keep
        o.allow_http = True   # as the CLI: only an override can be http://
        o.max_attempts = max_attempts
        o.timeout_ms = int(timeout * 1000) if timeout else 0
        o.no_rate_limit = not rate_limit
        out = ctypes.c_void_p()
        err = _lib.Error()
        st = self._L.asff_client_new(ctypes.byref(o), ctypes.byref(out), ctypes.byref(err))
        if st != 0:
            raise _errors.from_c(st, err, client=True)
        self._ptr = out.value

    # -- lifetime
    def _handle(self) -> int:
        if self._ptr is None:
            raise ValueError("the Client is closed")
        return self._ptr

    def close(self) -> None:
        """Free the C client (idempotent)."""
        with self._lock:
            if self._ptr is not None:
                self._L.asff_client_free(self._ptr)
                self._ptr = None

    def __del__(self) -> None:
        if getattr(self, "_ptr", None) is not None:
            self.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._ptr is None:
            return "<asff.Client closed>"
        return "<asff.Client region=%r endpoint=%r>" % (self.region, self.endpoint)

    @property
    def region(self) -> str:
        """The Region the client signs for."""
        with self._lock:
            return _s(self._L.asff_client_region(self._handle())) or ""

    @property
    def endpoint(self) -> str:
        """The endpoint URL the client sends to."""
        with self._lock:
            return _s(self._L.asff_client_endpoint(self._handle())) or ""

    # -- generic
    def invoke(self, operation: str, input: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Call any operation of the API by name ("DescribeHub") with its input as a dict; returns the
        answer as a dict. URI and query members are placed as the model says. Errors raise
        ClientError subclasses by AWS error code, with a boto3-like ``response``."""
        op = self._L.asff_operation_find(operation.encode())
        if op < 0:
            raise ValueError("unknown operation %r" % operation)
        body = json.dumps(dict(input or {})).encode()
        r = _lib.Response()
        err = _lib.Error()
        with self._lock:
            h = self._handle()
            st = self._L.asff_client_invoke(h, op, body, len(body), ctypes.byref(r), ctypes.byref(err))
            if st != 0:
                raise _errors.from_c(st, err, client=True)
            return self._take(h, r)

    def call(self, method: str, path: str, query: Optional[str] = None,
             body: Union[Mapping[str, Any], str, bytes, None] = None) -> Dict[str, Any]:
        """A raw signed request: method, path ("/findings"), query ("a=1"), JSON body (dict or text)."""
        data = _b(body if body is None or isinstance(body, (bytes, str)) else json.dumps(dict(body)))
        r = _lib.Response()
        err = _lib.Error()
        with self._lock:
            h = self._handle()
            st = self._L.asff_client_call(h, method.encode(), path.encode(), _b(query), data,
                                          len(data) if data else 0, ctypes.byref(r), ctypes.byref(err))
            if st != 0:
                raise _errors.from_c(st, err, client=True)
            return self._take(h, r)

    def _take(self, h: int, r: Any) -> Dict[str, Any]:
        try:
            text = ctypes.string_at(r.body, r.len) if r.body else b""
        finally:
            self._L.asff_response_cleanup(h, ctypes.byref(r))
        out: Dict[str, Any] = json.loads(text) if text.strip() else {}
        return out

    # -- findings
    def import_findings(self, findings: Any, resubmit: int = 0, raise_on_failure: bool = False) -> ImportResult:
        """BatchImportFindings for any number of findings: an iterable of dicts, one dict, or any source
        iter_findings takes (path, bytes, JSON text, file object, in any envelope). Sent in calls of
        <= 100 findings and <= 6 MB; findings over 240 KiB are refused before sending.

        Returns an ImportResult: one dict per finding, in input order (index, id, product_arn,
        imported, error_code, error_message, attempts); ``.failed`` lists the failures, and
        raise_on_failure=True raises ImportFailedError (with ``.results``) when there is one.
        When reading the input fails part-way (a broken line, a dict that is not JSON), the findings
        read before are still sent, and the exception's ``results`` holds what became of each.
        """
        L = self._L
        results = ImportResult()

        def on_outcome(ctx: Any, o: Any) -> int:
            c = o.contents
            results.append({"index": int(c.index), "id": _s(c.id), "product_arn": _s(c.product_arn),
                            "imported": bool(c.imported), "error_code": _s(c.error_code),
                            "error_message": _s(c.error_message), "attempts": int(c.attempts)})
            return 0
        def on_warning(ctx: Any, message: Optional[bytes]) -> None:
            results.warnings.append(_s(message) or "")
        cb = _lib.IMPORT_FN(on_outcome)
        wcb = _lib.WARN_FN(on_warning)
        opts = _lib.ImportOptions(_lib.VERSIONS["ASFF_IMPORT_OPTIONS_VERSION"], 0, 0, resubmit)
        opts.on_warning = ctypes.cast(wcb, ctypes.c_void_p)
        imp = ctypes.c_void_p()
        err = _lib.Error()
        with self._lock:
            st = L.asff_importer_new(self._handle(), ctypes.byref(opts), cb, None, ctypes.byref(imp),
                                     ctypes.byref(err))
            if st != 0:
                raise _errors.from_c(st, err, client=True)
            try:
                try:
                    self._add_all(imp, findings)
                except BaseException as e:
                    # what was read before the error is sent and accounted for, then the error goes on
                    L.asff_importer_flush(imp, ctypes.byref(_lib.Error()))
                    results.sort(key=_index)
                    try:
                        setattr(e, "results", results)
                    except AttributeError:
                        pass
                    raise
                st = L.asff_importer_flush(imp, ctypes.byref(err))
                if st != 0:
                    e2 = _errors.from_c(st, err, client=True)
                    results.sort(key=_index)
                    e2.results = results
                    raise e2
            finally:
                L.asff_importer_free(imp)
        results.sort(key=_index)
        if raise_on_failure and results.failed:
            f = results.failed[0]
            e3 = _errors.ImportFailedError("%d of %d findings were not imported (first: %s %s)" % (
                len(results.failed), len(results), f["error_code"], f["error_message"]), "ASFF_ERR_PARTIAL",
                L.status("ASFF_ERR_PARTIAL"))
            e3.results = results
            raise e3
        return results

    def _add_all(self, imp: Any, findings: Any) -> None:
        L = self._L
        err = _lib.Error()
        plain = isinstance(findings, Iterable) and not isinstance(
            findings, (str, bytes, bytearray, memoryview, Mapping)) and not hasattr(findings, "read")
        if plain:
            for i, f in enumerate(findings):
                if not isinstance(f, Mapping):
                    raise TypeError("item %d is %s, not a finding dict" % (i, type(f).__name__))
                data = _read.dict_bytes(f, i)
                s = L.asff_importer_add_json(imp, data, len(data), ctypes.byref(err))
                if s != 0:
                    raise _errors.from_c(s, err, client=True)
            return

        def add(f: int) -> None:
            s = L.asff_importer_add(imp, f, ctypes.byref(err))
            if s != 0:
                raise _errors.from_c(s, err, client=True)
        for _ in _read.iter_raw(findings, None, add):
            pass

    def get_findings(self, filters: Union[Mapping[str, Any], str, bytes, Any, None] = None,
                     sort: Optional[SortSpec] = None, max_results: Optional[int] = None,
                     page_size: int = 100) -> _Pages:
        """Iterate over the findings GetFindings returns, page after page, as dicts. filters: an
        AwsSecurityFindingFilters dict, JSON text or Filter; sort: "Field", "Field:desc", boto3's
        SortCriteria ([{"Field": ..., "SortOrder": "desc"}]) or a list of those. Pages are fetched in
        the caller's thread as iteration goes on (memory stays bounded by a page); the iterator is a
        context manager with close()."""
        from ._engines import Filter
        req: Dict[str, Any] = {"MaxResults": max(1, min(100, int(page_size or 100)))}
        if filters is not None:
            if isinstance(filters, Filter):
                req["Filters"] = json.loads(filters.to_json())
            elif isinstance(filters, (str, bytes)):
                req["Filters"] = json.loads(filters)
            else:
                req["Filters"] = dict(filters)
        crit = sort_criteria(sort)
        if crit:
            req["SortCriteria"] = crit
        self._handle()
        return _Pages(self, req, max_results)

    def update_findings(self, request: Mapping[str, Any], raise_on_failure: bool = False) -> UpdateResult:
        """BatchUpdateFindings with any number of FindingIdentifiers (sent 100 at a time). Returns an
        UpdateResult: one dict per identifier (index, id, product_arn, processed, error_code,
        error_message); ``.failed`` lists the unprocessed ones, and raise_on_failure=True raises
        UpdateFailedError (with ``.results``) when there is one."""
        out = UpdateResult()

        def on_outcome(ctx: Any, o: Any) -> int:
            c = o.contents
            out.append({"index": int(c.index), "id": _s(c.id), "product_arn": _s(c.product_arn),
                        "processed": bool(c.processed), "error_code": _s(c.error_code),
                        "error_message": _s(c.error_message)})
            return 0
        def on_warning(ctx: Any, message: Optional[bytes]) -> None:
            out.warnings.append(_s(message) or "")
        cb = _lib.UPDATE_FN(on_outcome)
        wcb = _lib.WARN_FN(on_warning)
        opts = _lib.UpdateOptions(_lib.VERSIONS["ASFF_UPDATE_OPTIONS_VERSION"], ctypes.cast(wcb, ctypes.c_void_p))
        stats = _lib.UpdateStats()
        body = json.dumps(dict(request)).encode()
        err = _lib.Error()
        with self._lock:
            st = self._L.asff_client_batch_update_findings(self._handle(), body, len(body), ctypes.byref(opts), cb,
                                                           None, ctypes.byref(stats), ctypes.byref(err))
        out.sort(key=_index)
        out.stats = {name: int(getattr(stats, name)) for name, _ in _lib.UpdateStats._fields_}
        if st not in (0, self._L.status("ASFF_ERR_PARTIAL")):  # PARTIAL: the identifiers are in out
            e = _errors.from_c(st, err, client=True)
            e.results = list(out)
            raise e
        if raise_on_failure and out.failed:
            f = out.failed[0]
            e2 = _errors.UpdateFailedError("%d of %d identifiers were not processed (first: %s %s)" % (
                len(out.failed), len(out), f["error_code"], f["error_message"]), "ASFF_ERR_PARTIAL",
                self._L.status("ASFF_ERR_PARTIAL"))
            e2.results = list(out)
            raise e2
        return out

    # -- the operations of Security Hub's best practices, by their API names
    def enable_security_hub(self, **input: Any) -> Dict[str, Any]:
        """EnableSecurityHub."""
        return self.invoke("EnableSecurityHub", input)

    def describe_hub(self, **input: Any) -> Dict[str, Any]:
        """DescribeHub."""
        return self.invoke("DescribeHub", input)

    def disable_security_hub(self) -> Dict[str, Any]:
        """DisableSecurityHub."""
        return self.invoke("DisableSecurityHub")

    def get_insights(self, **input: Any) -> Dict[str, Any]:
        """GetInsights."""
        return self.invoke("GetInsights", input)

    def create_insight(self, name: str, filters: Mapping[str, Any], group_by: str) -> Dict[str, Any]:
        """CreateInsight."""
        return self.invoke("CreateInsight", {"Name": name, "Filters": dict(filters), "GroupByAttribute": group_by})

    def update_insight(self, arn: str, **input: Any) -> Dict[str, Any]:
        """UpdateInsight."""
        return self.invoke("UpdateInsight", dict(input, InsightArn=arn))

    def delete_insight(self, arn: str) -> Dict[str, Any]:
        """DeleteInsight."""
        return self.invoke("DeleteInsight", {"InsightArn": arn})

    def get_insight_results(self, arn: str) -> Dict[str, Any]:
        """GetInsightResults."""
        return self.invoke("GetInsightResults", {"InsightArn": arn})

    def create_action_target(self, name: str, description: str, id: str) -> Dict[str, Any]:
        """CreateActionTarget."""
        return self.invoke("CreateActionTarget", {"Name": name, "Description": description, "Id": id})

    def describe_action_targets(self, **input: Any) -> Dict[str, Any]:
        """DescribeActionTargets."""
        return self.invoke("DescribeActionTargets", input)

    def update_action_target(self, arn: str, **input: Any) -> Dict[str, Any]:
        """UpdateActionTarget."""
        return self.invoke("UpdateActionTarget", dict(input, ActionTargetArn=arn))

    def delete_action_target(self, arn: str) -> Dict[str, Any]:
        """DeleteActionTarget."""
        return self.invoke("DeleteActionTarget", {"ActionTargetArn": arn})

    def tag_resource(self, arn: str, tags: Mapping[str, str]) -> Dict[str, Any]:
        """TagResource."""
        return self.invoke("TagResource", {"ResourceArn": arn, "Tags": dict(tags)})

    def untag_resource(self, arn: str, keys: Iterable[str]) -> Dict[str, Any]:
        """UntagResource."""
        return self.invoke("UntagResource", {"ResourceArn": arn, "TagKeys": list(keys)})

    def list_tags_for_resource(self, arn: str) -> Dict[str, Any]:
        """ListTagsForResource."""
        return self.invoke("ListTagsForResource", {"ResourceArn": arn})

    def create_members(self, accounts: Iterable[Mapping[str, str]]) -> Dict[str, Any]:
        """CreateMembers; accounts: [{"AccountId": ..., "Email": ...}, ...]."""
        return self.invoke("CreateMembers", {"AccountDetails": [dict(a) for a in accounts]})

    def list_members(self, **input: Any) -> Dict[str, Any]:
        """ListMembers."""
        return self.invoke("ListMembers", input)
