#!/usr/bin/env python3
"""`asff import` against servers that lie (tests/servers/lying_server.py), issue 19; the import that
validates first (issue 14 item 4) and the import stopped by missing credentials (issue 20).

Each case checks the per-finding report: every finding read is reported exactly once (in --failed or
counted imported, the summary adding up), none is reported imported from an answer that does not
match BatchImportFindingsResponse, and no secret (nor its first 12 characters) appears in stdout,
stderr or the --failed file. Every case runs with 10,000 findings (issue 19), those retried with
backoff (malformed, truncated, deep, missing, flaky) too.

`asff update` (BatchUpdateFindings) meets the same lies in its own response shape: every identifier is
reported exactly once (one JSON line each), none "updated" from an answer that does not match
BatchUpdateFindingsResponse or that contradicts itself, contradictions are warnings, no secret shows.

usage: import_lying.py ASFF_BINARY [import|update]   (both when not given; ctest runs them as two tests)
"""
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzLYINGzzSECRET"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLELYINGTOKENzz" + "Q" * 300 + "zzEND"


def finding(i, bad=None):
    f = {"SchemaVersion": "2018-10-08", "Id": "lying-%05d" % i,
         "ProductArn": "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default",
         "GeneratorId": "libasff-lying", "AwsAccountId": "123456789012",
         "Types": ["Software and Configuration Checks"], "CreatedAt": "2024-01-01T00:00:00Z",
         "UpdatedAt": "2024-01-01T00:00:00Z", "Severity": {"Label": "LOW"}, "Title": "t %d" % i,
         "Description": "d", "Resources": [{"Type": "Other", "Id": "r-%d" % i}]}
    if bad == "title":
        f["Title"] = "x" * 300
    elif bad == "severity":
        f["Severity"] = {"Label": "HIGHEST"}
    elif bad == "resources":
        f["Resources"] = []
    elif bad == "account":
        f["AwsAccountId"] = "12345"
    elif bad == "created":
        f["CreatedAt"] = "yesterday"
    return f


def write_findings(path, n, bad=None):
    with open(path, "w") as out:
        for i in range(n):
            out.write(json.dumps(finding(i, (bad or {}).get(i))) + "\n")


class Server:
    def __init__(self, case):
        self.p = subprocess.Popen([sys.executable, os.path.join(HERE, "servers", "lying_server.py"), "--case", case,
                                   "--exit-on-eof"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        assert line.startswith("PORT "), line
        self.endpoint = "http://127.0.0.1:%d" % int(line.split()[1])

    def stats(self):
        import urllib.request
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(self.endpoint + "/__stats", timeout=10) as r:
            return json.loads(r.read())

    def stop(self):
        self.p.stdin.close()
        self.p.terminate()
        self.p.wait()


def env(creds=True):
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update({"AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": "/nonexistent/c",
              "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/k", "AWS_EC2_METADATA_DISABLED": "true",
              "NO_PROXY": "127.0.0.1,localhost"})
    if creds:
        e.update({"AWS_ACCESS_KEY_ID": "AKIDLYINGTEST", "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SESSION_TOKEN": TOKEN})
    return e


FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL: " + what, flush=True)


def run_import(asff, tmp, case, n, endpoint, bad=None, creds=True, extra=()):
    src = os.path.join(tmp, "in-%s.ndjson" % case)
    failed = os.path.join(tmp, "failed-%s.ndjson" % case)
    write_findings(src, n, bad)
    t0 = time.monotonic()
    p = subprocess.run([asff, "import", "--endpoint-url", endpoint, "--no-rate-limit", "--failed", failed] +
                       list(extra) + [src], env=env(creds), capture_output=True, text=True, timeout=120)
    took = time.monotonic() - t0
    with open(failed) as f:
        text = f.read()
    records = [json.loads(line) for line in text.splitlines()]
    out = p.stdout + p.stderr + text
    # never a secret, nor a piece of one
    for s in (SECRET, TOKEN, TOKEN[:12], SECRET[:12], "Q" * 40):
        check(s not in out, "%s: a secret (%s...) appears in the output" % (case, s[:6]))
    # every finding reported exactly once
    ids = [r["Id"] for r in records]
    check(len(ids) == len(set(ids)), "%s: a finding is in --failed twice" % case)
    summary = [line for line in p.stderr.splitlines() if " findings: " in line]
    check(len(summary) == 1, "%s: no summary line: %r" % (case, p.stderr[-500:]))
    imported = failed_n = -1
    if summary:
        words = summary[0].split()
        total, imported, failed_n = int(words[2]), int(words[4]), int(words[6])
        check(total == n, "%s: %d findings reported for %d read" % (case, total, n))
        check(imported + failed_n == n, "%s: %d + %d != %d" % (case, imported, failed_n, n))
        check(failed_n == len(records), "%s: %d failed but %d in --failed" % (case, failed_n, len(records)))
    print("%-10s %6d findings: %5d imported, %5d failed, exit %d, %.1f s" % (case, n, imported, failed_n,
                                                                         p.returncode, took), flush=True)
    return p, records, imported


def run_update(asff, tmp, case, n, endpoint):
    src = os.path.join(tmp, "upd-%s.ndjson" % case)
    write_findings(src, n)
    t0 = time.monotonic()
    p = subprocess.run([asff, "update", "--endpoint-url", endpoint, "--no-rate-limit", "--workflow", "NOTIFIED",
                        src], env=env(),
                       capture_output=True, text=True, timeout=300)
    took = time.monotonic() - t0
    for s in (SECRET, TOKEN, TOKEN[:12], SECRET[:12], "Q" * 40):
        check(s not in p.stdout + p.stderr, "update %s: a secret (%s...) appears in the output" % (case, s[:6]))
    recs = [json.loads(line) for line in p.stdout.splitlines()]
    ids = [r["Id"] for r in recs]
    check(sorted(ids) == sorted("lying-%05d" % i for i in range(n)),
          "update %s: %d lines for %d identifiers (%d distinct)" % (case, len(ids), n, len(set(ids))))
    updated = sum(1 for r in recs if r["Status"] == "updated")
    print("update %-10s %6d identifiers: %5d updated, %5d failed, exit %d, %.1f s" % (
        case, n, updated, len(recs) - updated, p.returncode, took), flush=True)
    return p, recs, updated


def update_cases(asff, tmp):
    n = 10000
    for case in ("malformed", "deep", "missing", "truncated", "redirect"):
        s = Server(case)
        p, recs, updated = run_update(asff, tmp, case, n, s.endpoint)
        s.stop()
        check(updated == 0, "update %s: %d identifiers reported updated from a bad answer" % (case, updated))
        codes = {r["ErrorCode"] for r in recs}
        want = {"malformed": "InvalidResponse", "deep": "InvalidResponse", "missing": "InvalidResponse",
                "truncated": "NetworkError", "redirect": "HttpError"}[case]
        check(codes == {want}, "update %s: codes %s" % (case, sorted(codes)[:5]))
        check(p.returncode != 0, "update %s: exit 0" % case)
    s = Server("flaky")
    p, recs, updated = run_update(asff, tmp, "flaky", n, s.endpoint)
    s.stop()
    check(updated == n and p.returncode == 0, "update flaky: %d updated, exit %d" % (updated, p.returncode))
    # every identifier listed processed twice: contradicts itself, none counted updated, 100 x 100 warnings
    s = Server("counts")
    p, recs, updated = run_update(asff, tmp, "counts", n, s.endpoint)
    s.stop()
    check(updated == 0 and {r["ErrorCode"] for r in recs} == {"InvalidResponse"}, "update counts: %d" % updated)
    check(p.stderr.count("more than once") == n, "update counts: warnings " + p.stderr[:300])
    # a stranger and the first identifier in both lists: 100 of each warned; the first fails, once
    s = Server("ids")
    p, recs, updated = run_update(asff, tmp, "ids", n, s.endpoint)
    s.stop()
    failed = [r for r in recs if r["Status"] != "updated"]
    check(updated == n - 100 and len(failed) == 100 and all(r["ErrorMessage"] == "first" for r in failed),
          "update ids: %d updated" % updated)
    check(p.stderr.count("which was not in the call") == 100 and p.stderr.count("more than once") == 100,
          "update ids: warnings " + p.stderr[:300])
    check("200 warnings about the answers" in p.stderr, "update ids: summary " + p.stderr[-200:])
    s = Server("secrets")
    p, recs, updated = run_update(asff, tmp, "secrets", n, s.endpoint)
    s.stop()
    check(any("<redacted>" in r.get("ErrorMessage", "") for r in recs), "update secrets: no <redacted>")
    check(0 < updated < n, "update secrets: %d updated" % updated)


def main():
    asff = sys.argv[1]
    part = sys.argv[2] if len(sys.argv) > 2 else "both"
    with tempfile.TemporaryDirectory() as tmp:
        if part in ("update", "both"):
            update_cases(asff, tmp)
        if part == "update":
            return finish()
        # answers that do not match the shape: nothing imported, all InvalidResponse, retried
        for case, n in (("malformed", 10000), ("deep", 10000), ("missing", 10000)):
            s = Server(case)
            p, recs, imported = run_import(asff, tmp, case, n, s.endpoint)
            st = s.stats()
            s.stop()
            check(imported == 0, "%s: findings reported imported from an answer that does not match" % case)
            check(all(r["ErrorCode"] == "InvalidResponse" for r in recs), "%s: codes %s" % (case, recs[:1]))
            # a server whose answers cannot be read is the transport's failure: exit 3 (docs/cli.md)
            check(p.returncode == 3, "%s: exit %d" % (case, p.returncode))
            check(st["requests"] == 3 * (n // 100), "%s: %d requests, expected 3 attempts per batch" %
                  (case, st["requests"]))
        # truncated bodies: a network error, retried, then failed
        s = Server("truncated")
        p, recs, imported = run_import(asff, tmp, "truncated", 10000, s.endpoint)
        s.stop()
        check(imported == 0 and all(r["ErrorCode"] == "NetworkError" for r in recs), "truncated: %s" % recs[:1])
        # every other answer malformed: the retries end in success
        s = Server("flaky")
        p, recs, imported = run_import(asff, tmp, "flaky", 10000, s.endpoint)
        st = s.stats()
        s.stop()
        check(imported == 10000 and p.returncode == 0, "flaky: %d imported, exit %d" % (imported, p.returncode))
        check("10000 findings: 10000 imported" in p.stderr and "100 unreadable" in p.stderr, "flaky: " + p.stderr[-300:])
        # counts that contradict the batch: warned, findings named nowhere imported
        s = Server("counts")
        p, recs, imported = run_import(asff, tmp, "counts", 10000, s.endpoint)
        s.stop()
        check(imported == 10000 and p.returncode == 0, "counts: %d imported" % imported)
        check(p.stderr.count("warning: BatchImportFindings answer counts 99999 succeeded") == 100,
              "counts: warnings " + p.stderr[:300])
        # unknown and duplicate Ids: warned; the named finding failed once
        s = Server("ids")
        p, recs, imported = run_import(asff, tmp, "ids", 10000, s.endpoint)
        s.stop()
        check(imported == 9900 and len(recs) == 100, "ids: %d imported, %d failed" % (imported, len(recs)))
        check(all(r["ErrorMessage"] == "first" for r in recs), "ids: " + json.dumps(recs[:1]))
        check(p.stderr.count("which was not in the batch") == 100 and p.stderr.count("more than once") == 100,
              "ids: warnings " + p.stderr[:300])
        check("100 unknown Ids, 100 duplicate Ids" in p.stderr, "ids: summary " + p.stderr[-300:])
        # echoed secrets: redacted everywhere (checked by run_import), the messages still there
        s = Server("secrets")
        p, recs, imported = run_import(asff, tmp, "secrets", 10000, s.endpoint)
        s.stop()
        check(any("<redacted>" in r["ErrorMessage"] for r in recs), "secrets: no <redacted> in --failed")
        check(any("InvalidInputException" in r["ErrorCode"] for r in recs), "secrets: no 400 answers")
        check(imported > 0 and p.returncode == 1, "secrets: %d imported, exit %d" % (imported, p.returncode))
        # a redirect is not followed and not retried: every finding failed, each batch sent once
        s = Server("redirect")
        p, recs, imported = run_import(asff, tmp, "redirect", 10000, s.endpoint)
        st = s.stats()
        s.stop()
        check(imported == 0 and all(r["ErrorCode"] == "HttpError" for r in recs), "redirect: %s" % recs[:1])
        check(st["requests"] == 100, "redirect: %d requests" % st["requests"])
        # validation before sending: 500 findings, 5 invalid -> 495 sent, 5 in --failed with rule ids, exit 1
        s = Server("honest")
        bad = {7: "title", 99: "severity", 250: "resources", 251: "account", 499: "created"}
        p, recs, imported = run_import(asff, tmp, "validate", 500, s.endpoint, bad=bad)
        st = s.stats()
        s.stop()
        check(sum(st["ids"].values()) == 495 and imported == 495, "validate: %d sent" % sum(st["ids"].values()))
        check(sorted(r["Id"] for r in recs) == sorted("lying-%05d" % i for i in bad), "validate: failed %s" % recs)
        check(all(r["ErrorCode"] == "InvalidFinding" for r in recs), "validate: codes")
        rules = {"lying-00007": "/Title", "lying-00099": "/Severity/Label", "lying-00250": "/Resources",
                 "lying-00251": "/AwsAccountId", "lying-00499": "/CreatedAt"}
        for r in recs:
            check(rules[r["Id"]] in r["ErrorMessage"] and "[" in r["ErrorMessage"], "validate: %s" % r)
        check(p.returncode == 1, "validate: exit %d" % p.returncode)
        # asff validate --valid-out/--invalid-out splits the same file the same way
        src = os.path.join(tmp, "in-validate.ndjson")
        ok, ko = os.path.join(tmp, "valid.ndjson"), os.path.join(tmp, "invalid.ndjson")
        v = subprocess.run([asff, "validate", "--valid-out", ok, "--invalid-out", ko, src], capture_output=True,
                           text=True, timeout=60)
        with open(ok) as f1, open(ko) as f2:
            good = [json.loads(x)["Id"] for x in f1]
            bad_ids = [json.loads(x)["Id"] for x in f2]
        check(v.returncode == 1 and len(good) == 495 and sorted(bad_ids) == sorted(r["Id"] for r in recs),
              "validate --valid-out: exit %d, %d valid, %d invalid" % (v.returncode, len(good), len(bad_ids)))
        # --no-validate sends them all
        s = Server("honest")
        p, recs, imported = run_import(asff, tmp, "novalidate", 500, s.endpoint, bad=bad, extra=["--no-validate"])
        st = s.stats()
        s.stop()
        check(sum(st["ids"].values()) == 500 and imported == 500, "--no-validate: %d sent" % sum(st["ids"].values()))
        # no credentials: every finding read is reported (250 in, 250 reported), exit 3
        s = Server("honest")
        p, recs, imported = run_import(asff, tmp, "nocreds", 250, s.endpoint, creds=False)
        st = s.stats()
        s.stop()
        check(len(recs) == 250 and all(r["ErrorCode"] == "Credentials" for r in recs), "nocreds: %d" % len(recs))
        check(st["requests"] == 0 and p.returncode == 3, "nocreds: exit %d" % p.returncode)
    return finish()


def finish():
    print("%d passed, %d failed" % (0 if FAILURES else 1, 1 if FAILURES else 0))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
