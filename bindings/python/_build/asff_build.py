"""A minimal PEP 517 build backend for the pure-Python asff package (standard library only).

It packs asff/*.py (and a bundled libasff.so*, if one was copied beside them) into a wheel. Kept
in-tree so that installing needs nothing from a package index.
"""
import base64
import hashlib
import os
import tarfile
import zipfile

NAME = "asff"
VERSION = "0.1.0"
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAG = "py3-none-any"


def _package_files():
    pkg = os.path.join(HERE, NAME)
    for fn in sorted(os.listdir(pkg)):
        if fn.endswith(".py") or fn == "py.typed" or ".so" in fn or fn.endswith(".dylib"):
            yield os.path.join(pkg, fn), "%s/%s" % (NAME, fn)


def _metadata():
    return ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n"
            "Summary: ctypes bindings to libasff (AWS Security Finding Format)\n"
            "License: Apache-2.0\nRequires-Python: >=3.8\n" % (NAME, VERSION))


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (arcname, digest, len(data))


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    distinfo = "%s-%s.dist-info" % (NAME, VERSION)
    os.makedirs(os.path.join(metadata_directory, distinfo), exist_ok=True)
    with open(os.path.join(metadata_directory, distinfo, "METADATA"), "w") as fh:
        fh.write(_metadata())
    return distinfo


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    distinfo = "%s-%s.dist-info" % (NAME, VERSION)
    wheel_name = "%s-%s-%s.whl" % (NAME, VERSION, TAG)
    records = []
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w", zipfile.ZIP_DEFLATED) as zf:
        for path, arc in _package_files():
            with open(path, "rb") as fh:
                data = fh.read()
            zf.writestr(arc, data)
            records.append(_record_line(arc, data))
        extra = {
            "METADATA": _metadata().encode(),
            "WHEEL": ("Wheel-Version: 1.0\nGenerator: asff_build\nRoot-Is-Purelib: true\nTag: %s\n" % TAG).encode(),
        }
        for fn, data in extra.items():
            arc = "%s/%s" % (distinfo, fn)
            zf.writestr(arc, data)
            records.append(_record_line(arc, data))
        records.append("%s/RECORD,," % distinfo)
        zf.writestr("%s/RECORD" % distinfo, "\n".join(records) + "\n")
    return wheel_name


def build_sdist(sdist_directory, config_settings=None):
    base = "%s-%s" % (NAME, VERSION)
    name = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as tf:
        for rel in ["pyproject.toml", "_build/asff_build.py", "README.md"]:
            p = os.path.join(HERE, rel)
            if os.path.exists(p):
                tf.add(p, arcname="%s/%s" % (base, rel))
        for path, arc in _package_files():
            tf.add(path, arcname="%s/%s" % (base, arc))
        info = tarfile.TarInfo("%s/PKG-INFO" % base)
        data = _metadata().encode()
        info.size = len(data)
        import io
        tf.addfile(info, io.BytesIO(data))
    return name
