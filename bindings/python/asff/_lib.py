"""Finding and loading libasff, and the ctypes declarations of its C API."""
import ctypes
import ctypes.util
import os
import subprocess
import sys

SONAME = "libasff.so.0" if sys.platform != "darwin" else "libasff.0.dylib"


class LibraryNotFound(OSError):
    """libasff could not be loaded; the message lists every place that was tried."""


def _candidates():
    """Where to look, in order: ASFF_LIBRARY, beside the package, pkg-config, the system."""
    env = os.environ.get("ASFF_LIBRARY")
    if env:
        yield "ASFF_LIBRARY", env
        return
    here = os.path.dirname(os.path.abspath(__file__))
    for fn in sorted(os.listdir(here)):
        if fn.startswith("libasff.so") or fn.startswith("libasff.") and fn.endswith(".dylib"):
            yield "bundled", os.path.join(here, fn)
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


def load():
    tried = []
    for how, path in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            tried.append("%s: %s (%s)" % (how, path, e))
            continue
        _declare(lib)
        return lib
    raise LibraryNotFound("libasff was not found. Set ASFF_LIBRARY to the path of %s, install libasff "
                          "(cmake --install), or copy the library beside the asff package. Tried:\n  %s"
                          % (SONAME, "\n  ".join(tried) or "(nothing)"))


# ---- C structures ---------------------------------------------------------------------------

class Error(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("message", ctypes.c_char * 256), ("path", ctypes.c_char * 512),
                ("offset", ctypes.c_uint64), ("line", ctypes.c_uint64), ("column", ctypes.c_uint64),
                ("http_status", ctypes.c_int), ("aws_code", ctypes.c_char * 128),
                ("request_id", ctypes.c_char * 128)]


class ParseOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("envelope", ctypes.c_int), ("type_id", ctypes.c_uint),
                ("max_depth", ctypes.c_size_t), ("max_string", ctypes.c_size_t),
                ("max_finding", ctypes.c_size_t), ("max_members", ctypes.c_size_t),
                ("skip_invalid", ctypes.c_bool), ("keep", ctypes.c_bool), ("allocator", ctypes.c_void_p)]


class Document(ctypes.Structure):
    _fields_ = [("envelope", ctypes.c_int)] + [(n, ctypes.c_char_p) for n in (
        "next_token", "other_members", "event_id", "detail_type", "source", "account", "time", "region",
        "resources", "action_name", "action_description", "insight_arn", "insight_name", "result_type",
        "insight_results")] + [("values", ctypes.c_uint64)]


class FindingInfo(ctypes.Structure):
    _fields_ = [("index", ctypes.c_uint64), ("path", ctypes.c_char_p), ("offset", ctypes.c_uint64),
                ("length", ctypes.c_uint64), ("line", ctypes.c_uint64),
                ("document", ctypes.POINTER(Document))]


class WriteOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("format", ctypes.c_int), ("pretty", ctypes.c_bool),
                ("indent", ctypes.c_char_p), ("allocator", ctypes.c_void_p)]


FINDING_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(FindingInfo))
PARSE_ERROR_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(Error),
                                  ctypes.POINTER(FindingInfo))

TID_AwsSecurityFinding = None  # filled by _declare from the type table


def _fn(lib, name, restype, argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = argtypes
    return f


def _declare(lib):
    """Set restype/argtypes of every function the bindings call; optional modules are skipped."""
    global TID_AwsSecurityFinding
    P, S, I, U64, SZ = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint64, ctypes.c_size_t
    E = ctypes.POINTER(Error)
    _fn(lib, "asff_version", S, [])
    _fn(lib, "asff_model_version", S, [])
    _fn(lib, "asff_status_name", S, [I])
    _fn(lib, "asff_type_find", P, [S, SZ])
    _fn(lib, "asff_object_free", None, [P])
    _fn(lib, "asff_parser_new", I, [ctypes.POINTER(ParseOptions), FINDING_FN, PARSE_ERROR_FN, P,
                                    ctypes.POINTER(P), E])
    _fn(lib, "asff_parser_feed", I, [P, S, SZ, E])
    _fn(lib, "asff_parser_finish", I, [P, E])
    _fn(lib, "asff_parser_free", None, [P])
    _fn(lib, "asff_parser_count", U64, [P])
    _fn(lib, "asff_parse_object", I, [S, SZ, ctypes.c_uint, ctypes.POINTER(ParseOptions),
                                      ctypes.POINTER(P), E])
    _fn(lib, "asff_to_json", I, [P, ctypes.c_bool, ctypes.POINTER(P), ctypes.POINTER(SZ), E])
    _fn(lib, "asff_free_string", None, [P])
    _fn(lib, "asff_writer_new_buffer", I, [ctypes.POINTER(WriteOptions), ctypes.POINTER(P), E])
    _fn(lib, "asff_writer_write", I, [P, P, E])
    _fn(lib, "asff_writer_finish", I, [P, E])
    _fn(lib, "asff_writer_buffer", P, [P, ctypes.POINTER(SZ)])
    _fn(lib, "asff_writer_free", None, [P])
    # the id of AwsSecurityFinding, read from the type table (asff_type: name, id, ...)
    t = lib.asff_type_find(b"AwsSecurityFinding", len(b"AwsSecurityFinding"))

    class _TypeHead(ctypes.Structure):
        _fields_ = [("name", ctypes.c_char_p), ("id", ctypes.c_uint)]
    TID_AwsSecurityFinding = ctypes.cast(t, ctypes.POINTER(_TypeHead)).contents.id
