"""asff.Client: Security Hub through libasff's client (SigV4, retries, rate limits, batching)."""
import ctypes
import json
import queue
import threading

from . import _lib


class _Hooks(ctypes.Structure):
    _fields_ = [("now_ms", ctypes.c_void_p), ("sleep_ms", ctypes.c_void_p), ("random", ctypes.c_void_p),
                ("ctx", ctypes.c_void_p)]


class _ClientOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("region", ctypes.c_char_p), ("profile", ctypes.c_char_p),
                ("endpoint_url", ctypes.c_char_p), ("ca_bundle", ctypes.c_char_p), ("allow_http", ctypes.c_bool),
                ("connect_timeout_ms", ctypes.c_long), ("timeout_ms", ctypes.c_long),
                ("max_attempts", ctypes.c_uint), ("backoff_base_ms", ctypes.c_uint),
                ("backoff_cap_ms", ctypes.c_uint), ("no_rate_limit", ctypes.c_bool),
                ("rate_limits", ctypes.c_void_p), ("rate_limit_count", ctypes.c_size_t), ("hooks", _Hooks),
                ("aws", ctypes.c_void_p), ("allocator", ctypes.c_void_p)]


class _Response(ctypes.Structure):
    _fields_ = [("body", ctypes.c_void_p), ("len", ctypes.c_size_t), ("http_status", ctypes.c_int),
                ("request_id", ctypes.c_char * 128)]


class _ImportOutcome(ctypes.Structure):
    _fields_ = [("index", ctypes.c_uint64), ("id", ctypes.c_char_p), ("product_arn", ctypes.c_char_p),
                ("imported", ctypes.c_bool), ("error_code", ctypes.c_char_p), ("error_message", ctypes.c_char_p),
                ("attempts", ctypes.c_uint)]


class _ImportOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("max_findings", ctypes.c_size_t), ("max_body", ctypes.c_size_t),
                ("resubmit", ctypes.c_uint)]


class _UpdateOutcome(ctypes.Structure):
    _fields_ = [("index", ctypes.c_uint64), ("id", ctypes.c_char_p), ("product_arn", ctypes.c_char_p),
                ("processed", ctypes.c_bool), ("error_code", ctypes.c_char_p), ("error_message", ctypes.c_char_p)]


class _GetFindingsOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("filters_json", ctypes.c_char_p), ("filters", ctypes.c_void_p),
                ("sort_field", ctypes.c_char_p), ("sort_descending", ctypes.c_bool), ("page_size", ctypes.c_uint),
                ("max_findings", ctypes.c_uint64)]


_IMPORT_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(_ImportOutcome))
_UPDATE_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(_UpdateOutcome))
_GET_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)

_declared = False


def _declare():
    global _declared
    from . import _lib_handle
    lib = _lib_handle()
    if _declared:
        return lib
    P, S, SZ, I = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int
    E = ctypes.POINTER(_lib.Error)
    _lib._fn(lib, "asff_client_new", I, [ctypes.POINTER(_ClientOptions), ctypes.POINTER(P), E])
    _lib._fn(lib, "asff_client_free", None, [P])
    _lib._fn(lib, "asff_client_region", S, [P])
    _lib._fn(lib, "asff_client_endpoint", S, [P])
    _lib._fn(lib, "asff_operation_find", I, [S])
    _lib._fn(lib, "asff_client_invoke", I, [P, I, S, SZ, ctypes.POINTER(_Response), E])
    _lib._fn(lib, "asff_client_call", I, [P, S, S, S, S, SZ, ctypes.POINTER(_Response), E])
    _lib._fn(lib, "asff_response_cleanup", None, [P, ctypes.POINTER(_Response)])
    _lib._fn(lib, "asff_importer_new", I, [P, ctypes.POINTER(_ImportOptions), _IMPORT_FN, P, ctypes.POINTER(P), E])
    _lib._fn(lib, "asff_importer_add", I, [P, P, E])
    _lib._fn(lib, "asff_importer_add_json", I, [P, S, SZ, E])
    _lib._fn(lib, "asff_importer_flush", I, [P, E])
    _lib._fn(lib, "asff_importer_free", None, [P])
    _lib._fn(lib, "asff_client_batch_update_findings", I, [P, S, SZ, _UPDATE_FN, P, E])
    _lib._fn(lib, "asff_client_get_findings", I, [P, ctypes.POINTER(_GetFindingsOptions), _GET_FN, P,
                                                  ctypes.POINTER(ctypes.c_uint64), E])
    _declared = True
    return lib


def _s(v):
    return v.decode("utf-8", "replace") if v else None


def _b(v):
    return v.encode("utf-8") if isinstance(v, str) else v


class Client:
    """A Security Hub client. Region, credentials and endpoint resolve as the AWS SDKs do (arguments,
    then AWS_REGION / AWS_PROFILE / AWS_ENDPOINT_URL..., the shared config files, container and EC2
    credentials). endpoint_url may be http:// for local tests. Calls are signed with SigV4, retried
    with backoff on throttling and 5xx, and paced at Security Hub's documented rates.

    One Client is used by one thread at a time; make one per thread."""

    def __init__(self, region=None, profile=None, endpoint_url=None, ca_bundle=None, max_attempts=0,
                 timeout=None, rate_limit=True):
        self._lib = _declare()
        # keep the encoded strings alive while the options point at them
        self._keep = [_b(region), _b(profile), _b(endpoint_url), _b(ca_bundle)]
        o = _ClientOptions()
        o.version = 1
        o.region, o.profile, o.endpoint_url, o.ca_bundle = self._keep
        o.allow_http = bool(endpoint_url and str(endpoint_url).startswith("http://"))
        o.max_attempts = max_attempts
        o.timeout_ms = int(timeout * 1000) if timeout else 0
        o.no_rate_limit = not rate_limit
        out = ctypes.c_void_p()
        err = _lib.Error()
        st = self._lib.asff_client_new(ctypes.byref(o), ctypes.byref(out), ctypes.byref(err))
        if st != 0:
            raise _error(st, err)
        self._ptr = out

    # -- lifetime
    def close(self):
        if getattr(self, "_ptr", None):
            self._lib.asff_client_free(self._ptr)
            self._ptr = None

    __del__ = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def region(self):
        return _s(self._lib.asff_client_region(self._ptr))

    @property
    def endpoint(self):
        return _s(self._lib.asff_client_endpoint(self._ptr))

    # -- generic
    def invoke(self, operation, input=None):
        """Call any operation of the API by name ("DescribeHub") with its input as a dict; returns the
        answer as a dict. URI and query members are placed as the model says."""
        op = self._lib.asff_operation_find(operation.encode())
        if op < 0:
            raise ValueError("unknown operation %r" % operation)
        body = json.dumps(input or {}).encode()
        r = _Response()
        err = _lib.Error()
        st = self._lib.asff_client_invoke(self._ptr, op, body, len(body), ctypes.byref(r), ctypes.byref(err))
        if st != 0:
            raise _error(st, err)
        return self._take(r)

    def call(self, method, path, query=None, body=None):
        """A raw signed request: method, path ("/findings"), query ("a=1"), JSON body (dict or text)."""
        data = body if body is None or isinstance(body, (bytes, str)) else json.dumps(body)
        data = _b(data)
        r = _Response()
        err = _lib.Error()
        st = self._lib.asff_client_call(self._ptr, method.encode(), path.encode(), _b(query), data,
                                        len(data) if data else 0, ctypes.byref(r), ctypes.byref(err))
        if st != 0:
            raise _error(st, err)
        return self._take(r)

    def _take(self, r):
        try:
            text = ctypes.string_at(r.body, r.len) if r.body else b""
        finally:
            self._lib.asff_response_cleanup(self._ptr, ctypes.byref(r))
        return json.loads(text) if text.strip() else {}

    # -- findings
    def import_findings(self, findings, resubmit=0):
        """BatchImportFindings for any number of findings (an iterable of dicts, or a path / bytes /
        binary file in any envelope), split into calls of <= 100 findings and <= 6 MB; findings over
        240 KiB are refused before sending. Returns one dict per finding, in input order: index, id,
        product_arn, imported, error_code, error_message, attempts. None is lost."""
        from . import _iter_raw
        outcomes = []

        def on_outcome(ctx, o):
            c = o.contents
            outcomes.append({"index": c.index, "id": _s(c.id), "product_arn": _s(c.product_arn),
                             "imported": bool(c.imported), "error_code": _s(c.error_code),
                             "error_message": _s(c.error_message), "attempts": c.attempts})
            return 0
        cb = _IMPORT_FN(on_outcome)
        opts = _ImportOptions(1, 0, 0, resubmit)
        imp = ctypes.c_void_p()
        err = _lib.Error()
        st = self._lib.asff_importer_new(self._ptr, ctypes.byref(opts), cb, None, ctypes.byref(imp), ctypes.byref(err))
        if st != 0:
            raise _error(st, err)
        try:
            if isinstance(findings, (str, bytes, bytearray)) or hasattr(findings, "read"):
                def add(f):
                    s = self._lib.asff_importer_add(imp, f, ctypes.byref(err))
                    if s != 0:
                        raise _error(s, err)
                for _ in _iter_raw(findings, None, None, add):
                    pass
            else:
                for f in findings:
                    data = json.dumps(f, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                    s = self._lib.asff_importer_add_json(imp, data, len(data), ctypes.byref(err))
                    if s != 0:
                        raise _error(s, err)
            st = self._lib.asff_importer_flush(imp, ctypes.byref(err))
            if st != 0:
                raise _error(st, err)
        finally:
            self._lib.asff_importer_free(imp)
        outcomes.sort(key=lambda o: o["index"])
        return outcomes

    def get_findings(self, filters=None, sort=None, max_results=None, page_size=0):
        """Iterate over the findings GetFindings returns, page after page, as dicts. filters: an
        AwsSecurityFindingFilters dict or JSON text; sort: "Field", "Field:asc" or "Field:desc".
        Memory stays bounded: pages are fetched as the iteration goes on."""
        from . import _to_json_bytes
        lib = self._lib
        fjson = None if filters is None else _b(filters if isinstance(filters, (str, bytes)) else json.dumps(filters))
        field, desc = None, False
        if sort:
            field, _, order = sort.partition(":")
            if order not in ("", "asc", "desc"):
                raise ValueError("sort order must be asc or desc")
            desc = order == "desc"
        opts = _GetFindingsOptions(1, fjson, None, _b(field), desc, page_size, max_results or 0)
        q = queue.Queue(maxsize=256)
        stop = threading.Event()
        done = object()

        def on_finding(ctx, f):
            if stop.is_set():
                return 1
            try:
                item = json.loads(_to_json_bytes(lib, f))
            except Exception as e:  # noqa: handed to the consumer
                q.put(e)
                return 1
            while not stop.is_set():
                try:
                    q.put(item, timeout=0.1)
                    return 0
                except queue.Full:
                    continue
            return 1
        cb = _GET_FN(on_finding)

        def produce():
            err = _lib.Error()
            st = lib.asff_client_get_findings(self._ptr, ctypes.byref(opts), cb, None, None, ctypes.byref(err))
            q.put(_error(st, err) if st != 0 and not (stop.is_set() and st == 11) else done)
        t = threading.Thread(target=produce, daemon=True)
        t.start()
        try:
            while True:
                item = q.get()
                if item is done:
                    return
                if isinstance(item, Exception):
                    raise item
                yield item
        finally:
            stop.set()
            while t.is_alive():
                try:
                    q.get(timeout=0.1)
                except queue.Empty:
                    pass
            t.join()

    def update_findings(self, request):
        """BatchUpdateFindings with any number of FindingIdentifiers (sent 100 at a time); returns one
        dict per identifier: index, id, product_arn, processed, error_code, error_message."""
        out = []

        def on_outcome(ctx, o):
            c = o.contents
            out.append({"index": c.index, "id": _s(c.id), "product_arn": _s(c.product_arn),
                        "processed": bool(c.processed), "error_code": _s(c.error_code),
                        "error_message": _s(c.error_message)})
            return 0
        cb = _UPDATE_FN(on_outcome)
        body = json.dumps(request).encode()
        err = _lib.Error()
        st = self._lib.asff_client_batch_update_findings(self._ptr, body, len(body), cb, None, ctypes.byref(err))
        if st not in (0, 25):  # ASFF_ERR_PARTIAL: whole calls failed, their identifiers are in out
            raise _error(st, err)
        out.sort(key=lambda o: o["index"])
        return out

    # -- the operations of Security Hub's best practices, by their API names
    def enable_security_hub(self, **input):
        return self.invoke("EnableSecurityHub", input)

    def describe_hub(self, **input):
        return self.invoke("DescribeHub", input)

    def disable_security_hub(self):
        return self.invoke("DisableSecurityHub")

    def get_insights(self, **input):
        return self.invoke("GetInsights", input)

    def create_insight(self, name, filters, group_by):
        return self.invoke("CreateInsight", {"Name": name, "Filters": filters, "GroupByAttribute": group_by})

    def update_insight(self, arn, **input):
        return self.invoke("UpdateInsight", dict(input, InsightArn=arn))

    def delete_insight(self, arn):
        return self.invoke("DeleteInsight", {"InsightArn": arn})

    def get_insight_results(self, arn):
        return self.invoke("GetInsightResults", {"InsightArn": arn})

    def create_action_target(self, name, description, id):
        return self.invoke("CreateActionTarget", {"Name": name, "Description": description, "Id": id})

    def describe_action_targets(self, **input):
        return self.invoke("DescribeActionTargets", input)

    def update_action_target(self, arn, **input):
        return self.invoke("UpdateActionTarget", dict(input, ActionTargetArn=arn))

    def delete_action_target(self, arn):
        return self.invoke("DeleteActionTarget", {"ActionTargetArn": arn})

    def tag_resource(self, arn, tags):
        return self.invoke("TagResource", {"ResourceArn": arn, "Tags": tags})

    def untag_resource(self, arn, keys):
        return self.invoke("UntagResource", {"ResourceArn": arn, "TagKeys": list(keys)})

    def list_tags_for_resource(self, arn):
        return self.invoke("ListTagsForResource", {"ResourceArn": arn})

    def create_members(self, accounts):
        """accounts: [{"AccountId": ..., "Email": ...}, ...]"""
        return self.invoke("CreateMembers", {"AccountDetails": list(accounts)})

    def list_members(self, **input):
        return self.invoke("ListMembers", input)


def _error(code, err):
    from . import AsffError
    e = AsffError.from_c(code, err)
    e.aws_code = _s(err.aws_code) or None   # ctypes gives char arrays as bytes
    e.http_status = err.http_status
    e.request_id = _s(err.request_id) or None
    return e
