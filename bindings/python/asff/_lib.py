"""Finding and loading libasff, and the ctypes declarations of its C API.

Every prototype the package uses is in the one table ``_PROTOTYPES`` below, so that a change of a C
signature is one edit here. Struct layouts are checked against the C compiler's by a test
(bindings/python/tests/test_api.py, test_layouts); status codes are read from the library (``asff_status_name``).
"""
from __future__ import annotations

import ctypes
import os
import sys
import threading
from typing import Any, Dict, Iterator, List, Optional, Tuple

SONAME = "libasff.so.0" if sys.platform != "darwin" else "libasff.0.dylib"


class LibraryNotFound(OSError):
    """libasff could not be loaded; the message lists every place that was tried."""


def _candidates() -> Iterator[Tuple[str, str]]:
    """Where to look, in order: ASFF_LIBRARY, beside the package, pkg-config, the system."""
    env = os.environ.get("ASFF_LIBRARY")
    if env:
        yield "ASFF_LIBRARY", env
        return
    here = os.path.dirname(os.path.abspath(__file__))
    for fn in sorted(os.listdir(here)):
        if fn.startswith("libasff.so") or fn.startswith("libasff.") and fn.endswith(".dylib"):
            yield "bundled", os.path.join(here, fn)
    import ctypes.util   # only when searching: their import costs more than the rest of the package's
    import subprocess
    try:
        out = subprocess.run(["pkg-config", "--variable=libdir", "asff"], capture_output=True, text=True,
                             timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            yield "pkg-config", os.path.join(out.stdout.strip(), SONAME)
    except (OSError, subprocess.SubprocessError):
        pass
    found = ctypes.util.find_library("asff")
    if found:
        yield "system", found
    for d in ("/usr/local/lib", "/usr/local/lib64", "/usr/lib", "/usr/lib64", "/usr/lib/x86_64-linux-gnu",
              "/usr/lib/aarch64-linux-gnu", "/opt/homebrew/lib"):
        yield "system", os.path.join(d, SONAME)


# ---- C structures (layouts checked by test_layouts in bindings/python/tests/test_api.py) -------

c_bool, c_int, c_uint, c_u64, c_i64, c_size, c_ptr, c_str, c_long = (
    ctypes.c_bool, ctypes.c_int, ctypes.c_uint, ctypes.c_uint64, ctypes.c_int64, ctypes.c_size_t,
    ctypes.c_void_p, ctypes.c_char_p, ctypes.c_long)


class Error(ctypes.Structure):
    """asff_error"""
    _fields_ = [("code", c_int), ("message", ctypes.c_char * 256), ("path", ctypes.c_char * 512),
                ("offset", c_u64), ("line", c_u64), ("column", c_u64),
                ("http_status", c_int), ("aws_code", ctypes.c_char * 128),
                ("request_id", ctypes.c_char * 128)]


class ParseOptions(ctypes.Structure):
    """asff_parse_options"""
    _fields_ = [("version", c_uint), ("envelope", c_int), ("type_id", c_uint),
                ("max_depth", c_size), ("max_string", c_size), ("max_finding", c_size),
                ("max_members", c_size), ("skip_invalid", c_bool), ("keep", c_bool), ("allocator", c_ptr),
                ("projection", c_ptr)]


class Document(ctypes.Structure):
    """asff_document"""
    _fields_ = [("envelope", c_int)] + [(n, c_str) for n in (
        "next_token", "other_members", "event_id", "detail_type", "source", "account", "time", "region",
        "resources", "action_name", "action_description", "insight_arn", "insight_name", "result_type",
        "insight_results")] + [("values", c_u64)]


class FindingInfo(ctypes.Structure):
    """asff_finding_info"""
    _fields_ = [("index", c_u64), ("path", c_str), ("offset", c_u64), ("length", c_u64), ("line", c_u64),
                ("document", ctypes.POINTER(Document))]


class WriteOptions(ctypes.Structure):
    """asff_write_options"""
    _fields_ = [("version", c_uint), ("format", c_int), ("pretty", c_bool), ("indent", c_str),
                ("allocator", c_ptr)]


class ParallelOptions(ctypes.Structure):
    """asff_parallel_options (asff_parse_file_parallel; not used by the bindings yet)"""
    _fields_ = [("version", c_uint), ("jobs", c_uint), ("part_size", c_size), ("parts", c_size),
                ("work", c_ptr), ("work_ctx", c_ptr), ("work_free", c_ptr), ("flags", c_uint)]


class FilterOptions(ctypes.Structure):
    """asff_filter_options"""
    _fields_ = [("version", c_uint), ("mode", c_int), ("local", c_bool), ("negative_absent_fails", c_bool),
                ("allow_contains", c_bool), ("has_now", c_bool), ("now_seconds", c_i64), ("allocator", c_ptr)]


class BatchOptions(ctypes.Structure):
    """asff_batch_options"""
    _fields_ = [("version", c_uint), ("envelope", c_int), ("filter", c_ptr), ("fields", ctypes.POINTER(c_str)),
                ("field_count", c_size), ("limit", c_u64), ("group_bytes", c_size), ("prefilter", c_bool),
                ("chunk_size", c_size), ("max_finding", c_size), ("allocator", c_ptr), ("format", c_int),
                ("readahead", c_bool)]


#: asff_batch_format
BATCH_NDJSON = 0
BATCH_PICKLE = 1


class InsightOptions(ctypes.Structure):
    """asff_insight_options"""
    _fields_ = [("version", c_uint), ("max_results", c_size), ("insight_arn", c_str), ("allocator", c_ptr)]


class InsightResult(ctypes.Structure):
    """asff_insight_result"""
    _fields_ = [("value", c_str), ("count", c_u64)]


class ManagedInsight(ctypes.Structure):
    """asff_managed_insight"""
    _fields_ = [("number", c_int), ("name", c_str), ("arn", c_str), ("group_by", c_str), ("filters", c_str),
                ("note", c_str)]


class ValidateOptions(ctypes.Structure):
    """asff_validate_options"""
    _fields_ = [("version", c_uint), ("strict_taxonomy", c_bool), ("skip_size", c_bool),
                ("skip_service_owned", c_bool), ("index", c_u64)]


class NormalizeOptions(ctypes.Structure):
    """asff_normalize_options"""
    _fields_ = [("version", c_uint), ("skip_severity", c_bool), ("skip_timestamps", c_bool),
                ("skip_schema_version", c_bool), ("skip_dedupe_types", c_bool), ("derive_product", c_bool), ("truncate", c_bool), ("index", c_u64)]


class Hooks(ctypes.Structure):
    """asff_client_hooks"""
    _fields_ = [("now_ms", c_ptr), ("sleep_ms", c_ptr), ("random", c_ptr), ("ctx", c_ptr)]


class ClientOptions(ctypes.Structure):
    """asff_client_options"""
    _fields_ = [("version", c_uint), ("region", c_str), ("profile", c_str), ("endpoint_url", c_str),
                ("ca_bundle", c_str), ("allow_http", c_bool), ("connect_timeout_ms", c_long),
                ("timeout_ms", c_long), ("max_attempts", c_uint), ("backoff_base_ms", c_uint),
                ("backoff_cap_ms", c_uint), ("no_rate_limit", c_bool), ("rate_limits", c_ptr),
                ("rate_limit_count", c_size), ("hooks", Hooks), ("aws", c_ptr), ("allocator", c_ptr)]


class Response(ctypes.Structure):
    """asff_response"""
    _fields_ = [("body", c_ptr), ("len", c_size), ("http_status", c_int), ("request_id", ctypes.c_char * 128)]


class ImportOutcome(ctypes.Structure):
    """asff_import_outcome"""
    _fields_ = [("index", c_u64), ("id", c_str), ("product_arn", c_str), ("imported", c_bool),
                ("error_code", c_str), ("error_message", c_str), ("attempts", c_uint)]


class ImportOptions(ctypes.Structure):
    """asff_import_options"""
    _fields_ = [("version", c_uint), ("max_findings", c_size), ("max_body", c_size), ("resubmit", c_uint),
                ("no_validate", c_bool), ("on_warning", c_ptr), ("dry_run", c_bool), ("on_call", c_ptr)]


class UpdateOutcome(ctypes.Structure):
    """asff_update_outcome"""
    _fields_ = [("index", c_u64), ("id", c_str), ("product_arn", c_str), ("processed", c_bool),
                ("error_code", c_str), ("error_message", c_str)]


class UpdateOptions(ctypes.Structure):
    """asff_update_options"""
    _fields_ = [("version", c_uint), ("on_warning", c_ptr), ("dry_run", c_bool), ("on_call", c_ptr)]


class CallInfo(ctypes.Structure):
    """asff_call_info"""
    _fields_ = [("operation", c_str), ("region", c_str), ("account", c_str), ("findings", c_u64),
                ("bytes", c_size), ("sent", c_bool)]


class UpdateStats(ctypes.Structure):
    """asff_update_stats"""
    _fields_ = [("identifiers", c_u64), ("processed", c_u64), ("unprocessed", c_u64), ("calls", c_u64),
                ("failed_calls", c_u64), ("invalid_responses", c_u64), ("unknown_ids", c_u64),
                ("duplicate_ids", c_u64)]


class OcsfOptions(ctypes.Structure):
    """asff_ocsf_options"""
    _fields_ = [("version", c_uint), ("pretty", c_bool), ("allocator", c_ptr)]


class CsvOptions(ctypes.Structure):
    """asff_csv_options"""
    _fields_ = [("version", c_uint), ("columns", c_str), ("join", c_str), ("no_header", c_bool),
                ("allocator", c_ptr)]


class SarifOptions(ctypes.Structure):
    """asff_sarif_options"""
    _fields_ = [("version", c_uint), ("product_arn", c_str), ("account_id", c_str), ("region", c_str),
                ("timestamp", c_str), ("max_depth", c_size), ("max_result", c_size), ("max_tool", c_size),
                ("max_string", c_size), ("allocator", c_ptr)]


#: every struct whose layout the ABI test compares with the C compiler's: Python name -> C name
STRUCTS: Dict[str, Any] = {
    "asff_error": Error, "asff_parse_options": ParseOptions, "asff_document": Document,
    "asff_finding_info": FindingInfo, "asff_write_options": WriteOptions, "asff_filter_options": FilterOptions,
    "asff_batch_options": BatchOptions, "asff_insight_options": InsightOptions,
    "asff_insight_result": InsightResult, "asff_managed_insight": ManagedInsight,
    "asff_validate_options": ValidateOptions, "asff_normalize_options": NormalizeOptions,
    "asff_client_hooks": Hooks, "asff_client_options": ClientOptions, "asff_response": Response,
    "asff_import_outcome": ImportOutcome, "asff_import_options": ImportOptions,
    "asff_update_outcome": UpdateOutcome, "asff_update_options": UpdateOptions,
    "asff_update_stats": UpdateStats, "asff_call_info": CallInfo,
    "asff_ocsf_options": OcsfOptions, "asff_csv_options": CsvOptions, "asff_sarif_options": SarifOptions,
    "asff_parallel_options": ParallelOptions,
}

#: option-struct versions (the C headers' *_VERSION macros; the ABI test compares them)
VERSIONS: Dict[str, int] = {
    "ASFF_PARSE_OPTIONS_VERSION": 3, "ASFF_WRITE_OPTIONS_VERSION": 1, "ASFF_FILTER_OPTIONS_VERSION": 1,
    "ASFF_BATCH_OPTIONS_VERSION": 3, "ASFF_INSIGHT_OPTIONS_VERSION": 1, "ASFF_VALIDATE_OPTIONS_VERSION": 1,
    "ASFF_NORMALIZE_OPTIONS_VERSION": 1, "ASFF_CLIENT_OPTIONS_VERSION": 1, "ASFF_IMPORT_OPTIONS_VERSION": 3,
    "ASFF_UPDATE_OPTIONS_VERSION": 2,
    "ASFF_OCSF_OPTIONS_VERSION": 1, "ASFF_CSV_OPTIONS_VERSION": 1, "ASFF_SARIF_OPTIONS_VERSION": 1,
    "ASFF_PARALLEL_OPTIONS_VERSION": 2,
}

FINDING_FN = ctypes.CFUNCTYPE(c_int, c_ptr, c_ptr, ctypes.POINTER(FindingInfo))
PARSE_ERROR_FN = ctypes.CFUNCTYPE(c_int, c_ptr, ctypes.POINTER(Error), ctypes.POINTER(FindingInfo))
READ_FN = ctypes.CFUNCTYPE(c_long, c_ptr, c_ptr, c_size)
IMPORT_FN = ctypes.CFUNCTYPE(c_int, c_ptr, ctypes.POINTER(ImportOutcome))
UPDATE_FN = ctypes.CFUNCTYPE(c_int, c_ptr, ctypes.POINTER(UpdateOutcome))
WARN_FN = ctypes.CFUNCTYPE(None, c_ptr, c_str)  # asff_import_warn_fn, asff_update_warn_fn
CALL_FN = ctypes.CFUNCTYPE(None, c_ptr, ctypes.POINTER(CallInfo))  # asff_call_fn
WRITE_FN = ctypes.CFUNCTYPE(c_int, c_ptr, c_ptr, c_size)  # data as a pointer: it may hold NUL bytes

_E = ctypes.POINTER(Error)
_PP = ctypes.POINTER(c_ptr)
_PSZ = ctypes.POINTER(c_size)

# ---- the one table of prototypes: name -> (restype, argtypes) ----------------------------------
_PROTOTYPES: Dict[str, Tuple[Any, List[Any]]] = {
    # core
    "asff_version": (c_str, []),
    "asff_model_version": (c_str, []),
    "asff_status_name": (c_str, [c_int]),
    "asff_status_message": (c_str, [c_int]),
    "asff_type_find": (c_ptr, [c_str, c_size]),
    "asff_object_free": (None, [c_ptr]),
    # codec
    "asff_parser_new": (c_int, [ctypes.POINTER(ParseOptions), FINDING_FN, PARSE_ERROR_FN, c_ptr,
                                ctypes.POINTER(c_ptr), _E]),
    "asff_parser_feed": (c_int, [c_ptr, c_ptr, c_size, _E]),
    "asff_parser_finish": (c_int, [c_ptr, _E]),
    "asff_parser_free": (None, [c_ptr]),
    "asff_to_json": (c_int, [c_ptr, c_bool, _PP, _PSZ, _E]),
    "asff_free_string": (None, [c_ptr]),
    "asff_writer_new_buffer": (c_int, [ctypes.POINTER(WriteOptions), ctypes.POINTER(c_ptr), _E]),
    "asff_writer_write": (c_int, [c_ptr, c_ptr, _E]),
    "asff_writer_finish": (c_int, [c_ptr, _E]),
    "asff_writer_buffer": (c_ptr, [c_ptr, _PSZ]),
    "asff_writer_free": (None, [c_ptr]),
    # filter, batch reader, insights
    "asff_filter_compile": (c_int, [c_str, c_size, ctypes.POINTER(FilterOptions), _PP, _E]),
    "asff_filter_match": (c_bool, [c_ptr, c_ptr]),
    "asff_filter_to_json": (c_int, [c_ptr, _PP, _PSZ, _E]),

    "asff_filter_free": (None, [c_ptr]),
    "asff_batch_reader_new_path": (c_int, [c_str, ctypes.POINTER(BatchOptions), _PP, _E]),
    "asff_batch_reader_new_buffer": (c_int, [c_ptr, c_size, ctypes.POINTER(BatchOptions), _PP, _E]),
    "asff_batch_reader_new_read": (c_int, [READ_FN, c_ptr, ctypes.POINTER(BatchOptions), _PP, _E]),
    "asff_batch_reader_next": (c_int, [c_ptr, c_ptr, c_size, _PSZ, _PSZ, _E]),
    "asff_batch_reader_counts": (None, [c_ptr, ctypes.POINTER(c_u64), ctypes.POINTER(c_u64),
                                        ctypes.POINTER(c_u64)]),
    "asff_batch_reader_free": (None, [c_ptr]),
    "asff_insight_new": (c_int, [c_ptr, c_str, ctypes.POINTER(InsightOptions), _PP, _E]),
    "asff_insight_add": (c_int, [c_ptr, c_ptr]),
    "asff_insight_results": (c_int, [c_ptr, ctypes.POINTER(ctypes.POINTER(InsightResult)), _PSZ]),
    "asff_insight_free": (None, [c_ptr]),
    "asff_managed_insight_count": (c_uint, []),
    "asff_managed_insight_get": (ctypes.POINTER(ManagedInsight), [c_uint]),
    "asff_managed_insight_find": (ctypes.POINTER(ManagedInsight), [c_str]),
    # validate
    "asff_report_new": (c_int, [c_ptr, ctypes.POINTER(c_ptr), _E]),
    "asff_report_free": (None, [c_ptr]),
    "asff_report_to_json": (c_int, [c_ptr, ctypes.POINTER(c_str), _PSZ]),
    "asff_validate": (c_int, [c_ptr, ctypes.POINTER(ValidateOptions), c_ptr]),
    "asff_validate_batch": (c_int, [_PP, c_size, ctypes.POINTER(ValidateOptions), c_ptr]),
    "asff_normalize": (c_int, [c_ptr, ctypes.POINTER(NormalizeOptions), c_ptr]),
    # client
    "asff_client_new": (c_int, [ctypes.POINTER(ClientOptions), _PP, _E]),
    "asff_client_free": (None, [c_ptr]),
    "asff_client_region": (c_str, [c_ptr]),
    "asff_client_endpoint": (c_str, [c_ptr]),
    "asff_operation_find": (c_int, [c_str]),
    "asff_client_invoke": (c_int, [c_ptr, c_int, c_str, c_size, ctypes.POINTER(Response), _E]),
    "asff_client_call": (c_int, [c_ptr, c_str, c_str, c_str, c_str, c_size, ctypes.POINTER(Response), _E]),
    "asff_response_cleanup": (None, [c_ptr, ctypes.POINTER(Response)]),
    "asff_importer_new": (c_int, [c_ptr, ctypes.POINTER(ImportOptions), IMPORT_FN, c_ptr, _PP, _E]),
    "asff_importer_add": (c_int, [c_ptr, c_ptr, _E]),
    "asff_importer_add_json": (c_int, [c_ptr, c_str, c_size, _E]),
    "asff_importer_flush": (c_int, [c_ptr, _E]),
    "asff_importer_free": (None, [c_ptr]),
    "asff_client_batch_update_findings": (c_int, [c_ptr, c_str, c_size, ctypes.POINTER(UpdateOptions), UPDATE_FN,
                                                  c_ptr, ctypes.POINTER(UpdateStats), _E]),
    # convert
    "asff_ocsf_class_uid": (c_int, [c_ptr]),
    "asff_to_ocsf": (c_int, [c_ptr, ctypes.POINTER(OcsfOptions), WRITE_FN, c_ptr, _E]),
    "asff_csv_writer_new": (c_int, [ctypes.POINTER(CsvOptions), WRITE_FN, c_ptr, _PP, _E]),
    "asff_csv_writer_write": (c_int, [c_ptr, c_ptr, _E]),
    "asff_csv_writer_finish": (c_int, [c_ptr, _E]),
    "asff_csv_writer_free": (None, [c_ptr]),
    "asff_sarif_reader_new": (c_int, [ctypes.POINTER(SarifOptions), FINDING_FN, c_ptr, _PP, _E]),
    "asff_sarif_reader_feed": (c_int, [c_ptr, c_ptr, c_size, _E]),
    "asff_sarif_reader_finish": (c_int, [c_ptr, _E]),
    "asff_sarif_reader_count": (c_u64, [c_ptr]),
    "asff_sarif_reader_free": (None, [c_ptr]),
}


class _Lib:
    """The loaded library with every prototype declared, plus what is read from it once."""

    def __init__(self, cdll: ctypes.CDLL) -> None:
        self.cdll = cdll
        for name, (restype, argtypes) in _PROTOTYPES.items():
            f = getattr(cdll, name)
            f.restype = restype
            f.argtypes = argtypes
            setattr(self, name, f)
        # status codes by name, read from the library: 0 .. the first code it has no name for
        self.status_names: Dict[int, str] = {}
        code = 0
        while code < 1000:
            name = cdll.asff_status_name(code).decode()
            if name == "ASFF_ERR_UNKNOWN":
                break
            self.status_names[code] = name
            code += 1
        self.status_codes: Dict[str, int] = {v: k for k, v in self.status_names.items()}

        class _TypeHead(ctypes.Structure):
            _fields_ = [("name", c_str), ("id", c_uint)]
        t = cdll.asff_type_find(b"AwsSecurityFinding", len(b"AwsSecurityFinding"))
        self.tid_finding: int = ctypes.cast(t, ctypes.POINTER(_TypeHead)).contents.id

    def __getattr__(self, name: str) -> Any:  # typed access to the declared functions
        raise AttributeError(name)

    def status(self, name: str) -> int:
        """The code of a status by its C name ("ASFF_ERR_ABORTED")."""
        return self.status_codes[name]


_loaded: Optional[_Lib] = None
_load_lock = threading.Lock()


def lib() -> _Lib:
    """The library, loaded on first use (thread-safe)."""
    global _loaded
    if _loaded is None:
        with _load_lock:
            if _loaded is None:
                _loaded = _Lib(_open())
    return _loaded


def _open() -> ctypes.CDLL:
    tried = []
    for how, path in _candidates():
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            tried.append("%s: %s (%s)" % (how, path, e))
    raise LibraryNotFound("libasff was not found. Set ASFF_LIBRARY to the path of %s, install libasff "
                          "(cmake --install), or copy the library beside the asff package. Tried:\n  %s"
                          % (SONAME, "\n  ".join(tried) or "(nothing)"))


def new_report(lib: "_Lib") -> int:
    """A new asff_report (asff_report_new gives it through an out-parameter)."""
    out = c_ptr()
    if lib.asff_report_new(None, ctypes.byref(out), None) != 0 or not out.value:
        raise MemoryError("asff_report_new failed")
    return int(out.value)
