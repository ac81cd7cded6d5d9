#!/usr/bin/env python3
"""End to end: `asff rollout` of 5 member accounts x 3 regions against moto_server (STS, hubs,
CreateMembers, ListMembers) behind tests/servers/rollout_server.py (invitations). Every line must be
ok; each member's hub is then seen with that member's own credentials (DescribeHub through a role
profile); a second run succeeds and does nothing. No secret may appear in any output.

  rollout_cli.py ASFF_BINARY"""
import json
import os
import subprocess
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SECRET = "ROLLOUT-ADMIN-SECRET-DO-NOT-PRINT"
MEMBERS = ["10000000000%d" % i for i in range(1, 6)]
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
printed = []


def run(asff, env, args, expect=0):
    r = subprocess.run([asff] + args, env=env, capture_output=True, text=True, timeout=300)
    printed.append(r.stdout + r.stderr)
    if r.returncode != expect:
        print("asff %s: exit %d (wanted %d)\n%s\n%s" % (" ".join(args), r.returncode, expect, r.stdout[-3000:],
                                                         r.stderr[-3000:]), file=sys.stderr)
        sys.exit(1)
    return r


def main():
    asff = sys.argv[1]
    moto = subprocess.Popen([sys.executable, os.path.join(HERE, "servers", "moto_harness")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    proxy = None
    try:
        line = moto.stdout.readline()
        if not line.startswith("PORT "):
            print("moto_harness did not start", file=sys.stderr)
            return 1
        upstream = "http://127.0.0.1:%d" % int(line.split()[1])
        proxy = subprocess.Popen([sys.executable, os.path.join(HERE, "servers", "rollout_server.py"),
                                  "--upstream", upstream], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        endpoint = "http://127.0.0.1:%d" % int(proxy.stdout.readline().split()[1])
        with tempfile.TemporaryDirectory() as home:
            aws = os.path.join(home, ".aws")
            os.makedirs(aws)
            with open(os.path.join(aws, "credentials"), "w") as f:
                f.write("[default]\naws_access_key_id = AKIAROLLOUTADMIN0001\naws_secret_access_key = %s\n" % SECRET)
            with open(os.path.join(aws, "config"), "w") as f:
                f.write("[default]\nregion = us-east-1\n")
                for i, m in enumerate(MEMBERS):
                    f.write("\n[profile m%d]\nrole_arn = arn:aws:iam::%s:role/OrgRole\nsource_profile = default\n"
                            % (i, m))
            csv = os.path.join(home, "members.csv")
            with open(csv, "w") as f:
                f.write("AccountId,Email\n")
                for m in MEMBERS:
                    f.write("%s,sec+%s@example.com\n" % (m, m))
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env.update({"HOME": home, "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": endpoint,
                        "NO_PROXY": "127.0.0.1,localhost"})
            args = ["rollout", "--accounts", csv, "--role-name", "OrgRole", "--regions", ",".join(REGIONS)]

            r = run(asff, env, args)
            lines = [json.loads(ln) for ln in r.stdout.splitlines()]
            assert len(lines) == len(REGIONS) * (1 + len(MEMBERS)), r.stdout
            admin = [ln for ln in lines if ln["Role"] == "administrator"]
            assert len(admin) == len(REGIONS) and all(ln["Ok"] for ln in admin), admin
            assert all(ln["Actions"] == ["hub-enabled"] for ln in admin), admin
            for ln in lines:
                assert ln["Ok"], ln
                if ln["Role"] == "member":
                    assert ln["Actions"] == ["hub-enabled", "member-created", "invited", "accepted"], ln
            seen = {(ln["AccountId"], ln["Region"]) for ln in lines if ln["Role"] == "member"}
            assert seen == {(m, g) for m in MEMBERS for g in REGIONS}, seen

            # each member's hub, seen with that member's own credentials
            for i, m in enumerate(MEMBERS):
                r = run(asff, env, ["hub", "describe", "--profile", "m%d" % i, "--regions", ",".join(REGIONS)])
                hubs = [json.loads(ln) for ln in r.stdout.splitlines()]
                assert len(hubs) == len(REGIONS), r.stdout
                for h, g in zip(hubs, REGIONS):
                    assert h["Response"]["HubArn"] == "arn:aws:securityhub:%s:%s:hub/default" % (g, m), h
            # the administrator sees every member enabled, in every region
            r = run(asff, env, ["members", "list", "--regions", ",".join(REGIONS)])
            statuses = [m["MemberStatus"] for ln in r.stdout.splitlines() for m in json.loads(ln).get("Members", [])]
            assert statuses.count("Enabled") == len(MEMBERS) * len(REGIONS), r.stdout

            # a second run: every line ok, nothing done
            r = run(asff, env, args)
            lines = [json.loads(ln) for ln in r.stdout.splitlines()]
            assert len(lines) == len(REGIONS) * (1 + len(MEMBERS)), r.stdout
            for ln in lines:
                assert ln["Ok"] and ln["Actions"] == [], ln
            # `asff hub enable` is idempotent too
            run(asff, env, ["hub", "enable", "--regions", ",".join(REGIONS)])
            # the organization form, in another region: delegate, auto-enable, create; then nothing
            req = urllib.request.Request(
                upstream + "/", data=json.dumps({"FeatureSet": "ALL"}).encode(), method="POST",
                headers={"Authorization": "AWS4-HMAC-SHA256 Credential=AKIAROLLOUTADMIN0001/20240101/us-east-1/"
                                          "organizations/aws4_request, SignedHeaders=host, Signature=0",
                         "X-Amz-Target": "AWSOrganizationsV20161128.CreateOrganization",
                         "Content-Type": "application/x-amz-json-1.1"})
            urllib.request.urlopen(req, timeout=60).read()
            org = ["rollout", "--organization", "--accounts", csv, "--role-name", "OrgRole", "--regions",
                   "eu-central-1"]
            r = run(asff, env, org)
            lines = [json.loads(ln) for ln in r.stdout.splitlines()]
            assert lines[0]["Role"] == "administrator", lines
            assert lines[0]["Actions"] == ["hub-enabled", "org-admin-enabled", "auto-enable"], lines[0]
            for ln in lines[1:]:
                assert ln["Ok"] and ln["Actions"] == ["hub-enabled", "member-created"], ln
            r = run(asff, env, org)
            for ln in (json.loads(x) for x in r.stdout.splitlines()):
                assert ln["Ok"] and ln["Actions"] == [], ln

            # a malformed members file is refused before anything is done
            with open(csv, "a") as f:
                f.write("bad-line\n")
            run(asff, env, args, expect=2)
    finally:
        for p in (proxy, moto):
            if p:
                p.stdin.close()
                p.wait(timeout=30)
    for text in printed:
        if SECRET in text:
            print("the secret was printed:\n" + text, file=sys.stderr)
            return 1
    print("rollout_cli: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
