#!/usr/bin/env python3
"""Security Hub for the rollout tests: a proxy to moto_server that adds what moto lacks (stdlib only).

  rollout_server.py --upstream http://127.0.0.1:MOTO
Every request goes to moto as it is, except the invitation calls, served here per account:
  POST /members/invite     (administrator) records an invitation for each AccountIds entry
  GET  /invitations        (member) the pending invitations sent to the caller
  POST /administrator      (member) AcceptAdministratorInvitation: AdministratorId + InvitationId
GET /organization/admin (ListOrganizationAdminAccounts) answers from the EnableOrganizationAdminAccount
calls that moto accepted, and ListMembers (GET /members) answers from moto with MemberStatus set to Invited / Enabled as the
invitations went. Invitations are kept per region (from the signature's scope). The caller's account is asked from moto's STS (GetCallerIdentity with the caller's
access key id). GET /__log gives counts of each call. Prints "PORT <n>"; exits when stdin reaches EOF.
"""
import argparse
import json
import re
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

LOCK = threading.Lock()
INVITES = {}    # (region, member) -> {admin: {"id": ..., "accepted": bool}}
COUNTS = {}
ORG_ADMINS = {}  # region -> set of delegated administrator accounts
UPSTREAM = ""
ACCOUNTS = {}   # access key id -> account


def count(name):
    with LOCK:
        COUNTS[name] = COUNTS.get(name, 0) + 1


def region_of(auth):
    m = re.search(r"Credential=[^/]+/[0-9]+/([a-z0-9-]+)/", auth or "")
    return m.group(1) if m else "us-east-1"


def caller_account(auth):
    m = re.search(r"Credential=([^/]+)/", auth or "")
    if not m:
        return None
    key = m.group(1)
    with LOCK:
        if key in ACCOUNTS:
            return ACCOUNTS[key]
    hdr = "AWS4-HMAC-SHA256 Credential=%s/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0" % key
    req = urllib.request.Request(UPSTREAM + "/", data=b"Action=GetCallerIdentity&Version=2011-06-15", method="POST",
                                 headers={"Authorization": hdr,
                                          "Content-Type": "application/x-www-form-urlencoded"})
    body = urllib.request.urlopen(req, timeout=30).read().decode()
    acc = re.search(r"<Account>(\d+)</Account>", body).group(1)
    with LOCK:
        ACCOUNTS[key] = acc
    return acc


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body, headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        for k, v in (headers or {"Content-Type": "application/json"}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def forward(self, body):
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
        req = urllib.request.Request(UPSTREAM + self.path, data=body if body else None, method=self.command,
                                     headers=headers)
        try:
            r = urllib.request.urlopen(req, timeout=60)
            status, data, rh = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            status, data, rh = e.code, e.read(), e.headers
        keep = {k: v for k, v in rh.items() if k.lower() in ("content-type", "x-amzn-requestid", "x-amzn-errortype")}
        return status, data, keep

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        path = urlsplit(self.path).path
        if path == "/__log":
            with LOCK:
                return self.reply(200, {"counts": COUNTS})
        auth = self.headers.get("Authorization")
        if self.command == "POST" and path == "/members/invite":
            count("InviteMembers")
            admin = caller_account(auth)
            ids = json.loads(body or b"{}").get("AccountIds", [])
            with LOCK:
                for m in ids:
                    INVITES.setdefault((region_of(auth), m), {}).setdefault(admin, {"id": str(uuid.uuid4()), "accepted": False})
            return self.reply(200, {"UnprocessedAccounts": []})
        if self.command == "GET" and path == "/invitations":
            count("ListInvitations")
            me = caller_account(auth)
            with LOCK:
                inv = [{"AccountId": a, "InvitationId": v["id"], "InvitedAt": "2026-12-04T00:00:00Z",
                        "MemberStatus": "Invited"} for a, v in INVITES.get((region_of(auth), me), {}).items() if not v["accepted"]]
            return self.reply(200, {"Invitations": inv})
        if self.command == "POST" and path == "/administrator":
            count("AcceptAdministratorInvitation")
            me = caller_account(auth)
            d = json.loads(body or b"{}")
            with LOCK:
                v = INVITES.get((region_of(auth), me), {}).get(d.get("AdministratorId"))
                if not v or v["id"] != d.get("InvitationId"):
                    return self.reply(400, {"__type": "InvalidInputException", "message": "no such invitation"},
                                      {"Content-Type": "application/json",
                                       "x-amzn-ErrorType": "InvalidInputException"})
                v["accepted"] = True
            return self.reply(200, {})
        if self.command == "GET" and path == "/organization/admin":
            count("ListOrganizationAdminAccounts")
            with LOCK:
                admins = sorted(ORG_ADMINS.get(region_of(auth), set()))
            return self.reply(200, {"AdminAccounts": [{"AccountId": a, "Status": "ENABLED"} for a in admins]})
        count("%s %s" % (self.command, path))
        status, data, headers = self.forward(body)
        if self.command == "POST" and path == "/organization/admin/enable" and status == 200:
            with LOCK:
                ORG_ADMINS.setdefault(region_of(auth), set()).add(json.loads(body or b"{}").get("AdminAccountId"))
        if self.command == "GET" and path == "/members" and status == 200:
            admin = caller_account(auth)
            d = json.loads(data)
            with LOCK:
                for m in d.get("Members", []):
                    v = INVITES.get((region_of(auth), m.get("AccountId")), {}).get(admin)
                    if v:
                        m["MemberStatus"] = "Enabled" if v["accepted"] else "Invited"
            data = json.dumps(d).encode()
        return self.reply(status, data, headers)

    do_GET = do_POST = do_DELETE = do_PATCH = handle_any


def main():
    global UPSTREAM
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    UPSTREAM = ap.parse_args().upstream.rstrip("/")
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print("PORT %d" % srv.server_address[1], flush=True)
    sys.stdin.read()
    srv.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
