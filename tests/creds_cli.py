#!/usr/bin/env python3
"""End to end: `asff credentials` and `asff hub describe` with credentials from a profile chain
(static keys -> role A -> role B in another account), a web identity token file and a
credential_process profile, against moto_server (STS and Security Hub) on 127.0.0.1.

  creds_cli.py ASFF_BINARY
HOME is a temporary directory (never the real ~/.aws); every output is checked for the secrets used."""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SECRETS = ["BASE-SECRET-DO-NOT-PRINT", "PROCESS-SECRET-DO-NOT-PRINT", "PROCESS-TOKEN-DO-NOT-PRINT",
           "WEB-IDENTITY-TOKEN-DO-NOT-PRINT", "SSO-ACCESS-1", "SSO-ACCESS-2", "SSO-REFRESH-1", "SSO-REFRESH-2",
           "SSO-CLIENT-SECRET", "SSO-SECRET-DO-NOT-PRINT", "SSO-SESSION-DO-NOT-PRINT", "POD-SECRET-DO-NOT-PRINT",
           "POD-SESSION-DO-NOT-PRINT", "POD-IDENTITY-TOKEN-DO-NOT-PRINT"]
printed = []


def run(asff, env, args, expect=0):
    r = subprocess.run([asff] + args, env=env, capture_output=True, text=True, timeout=60)
    printed.append(r.stdout + r.stderr)
    if r.returncode != expect:
        print("asff %s: exit %d (wanted %d)\n%s\n%s" % (" ".join(args), r.returncode, expect, r.stdout, r.stderr),
              file=sys.stderr)
        sys.exit(1)
    return r


def fields(text):
    out = {}
    for line in text.splitlines():
        k, _, v = line.partition(":")
        out[k.strip()] = v.strip()
    return out


def main():
    asff = sys.argv[1]
    sso = subprocess.Popen([sys.executable, os.path.join(HERE, "servers", "sso_server.py")],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    harness = subprocess.Popen([sys.executable, os.path.join(HERE, "servers", "moto_harness")],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = harness.stdout.readline()
        if not line.startswith("PORT "):
            print("moto_harness did not start", file=sys.stderr)
            return 1
        endpoint = "http://127.0.0.1:%d" % int(line.split()[1])
        sso_endpoint = "http://127.0.0.1:%d" % int(sso.stdout.readline().split()[1])
        with tempfile.TemporaryDirectory() as home:
            aws = os.path.join(home, ".aws")
            os.makedirs(aws)
            token_file = os.path.join(home, "web-token")
            with open(token_file, "w") as f:
                f.write("WEB-IDENTITY-TOKEN-DO-NOT-PRINT\n")
            helper = os.path.join(home, "cred helper.py")
            with open(helper, "w") as f:
                f.write("import json, sys\nsys.stderr.write('helper ran\\n')\n"
                        "print(json.dumps({'Version': 1, 'AccessKeyId': 'AKIAPROCESS000000333',\n"
                        "  'SecretAccessKey': 'PROCESS-SECRET-DO-NOT-PRINT',\n"
                        "  'SessionToken': 'PROCESS-TOKEN-DO-NOT-PRINT', 'Expiration': '2099-01-01T00:00:00Z'}))\n")
            with open(os.path.join(aws, "credentials"), "w") as f:
                f.write("[base]\naws_access_key_id = AKIABASEKEY000000001\n"
                        "aws_secret_access_key = BASE-SECRET-DO-NOT-PRINT\n")
            with open(os.path.join(aws, "config"), "w") as f:
                f.write("[default]\nregion = us-east-1\n\n"
                        "[profile roleA]\nrole_arn = arn:aws:iam::111111111111:role/A\nsource_profile = base\n\n"
                        "[profile roleB]\nrole_arn = arn:aws:iam::222222222222:role/B\nsource_profile = roleA\n"
                        "role_session_name = sessB\nregion = us-east-1\n\n"
                        "[profile loop1]\nrole_arn = arn:aws:iam::111111111111:role/A\nsource_profile = loop2\n\n"
                        "[profile loop2]\nrole_arn = arn:aws:iam::111111111111:role/A\nsource_profile = loop1\n\n"
                        "[profile mfa]\nrole_arn = arn:aws:iam::111111111111:role/A\nsource_profile = base\n"
                        "mfa_serial = arn:aws:iam::123456789012:mfa/me\n\n"
                        "[profile web]\nrole_arn = arn:aws:iam::333333333333:role/Web\n"
                        "web_identity_token_file = %s\n\n"
                        "[profile proc]\ncredential_process = %s \"%s\"\n\n"
                        "[profile badproc]\ncredential_process = /bin/false\n\n"
                        "[profile sso]\nsso_session = my-sso\nsso_account_id = 555555555555\n"
                        "sso_role_name = Admin\nregion = us-east-1\n\n"
                        "[sso-session my-sso]\nsso_start_url = https://example.awsapps.com/start\n"
                        "sso_region = us-east-1\n\n"
                        "[profile ssolegacy]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\n"
                        "sso_account_id = 555555555555\nsso_role_name = Admin\n"
                        % (token_file, sys.executable, helper))
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env.update({"HOME": home, "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": endpoint,
                        "NO_PROXY": "127.0.0.1,localhost"})

            # static keys -> role A (account 111111111111) -> role B (account 222222222222)
            r = run(asff, env, ["credentials", "--profile", "roleB"])
            f = fields(r.stdout)
            assert f["source"] == "assume-role", r.stdout
            assert f["account"] == "222222222222", r.stdout
            assert "role/B" in f["arn"] and "sessB" in f["arn"], r.stdout
            assert f["expires"] != "never" and f["session token"] == "yes", r.stdout
            r = run(asff, env, ["credentials", "--profile", "roleA"])
            assert fields(r.stdout)["account"] == "111111111111", r.stdout
            run(asff, env, ["hub", "enable", "--profile", "roleB"])
            r = run(asff, env, ["hub", "describe", "--profile", "roleB"])
            assert ":222222222222:hub/default" in r.stdout, r.stdout
            # the base profile is itself
            r = run(asff, env, ["credentials", "--profile", "base"])
            f = fields(r.stdout)
            assert f["source"] == "credentials-file" and f["access key id"] == "AKIABASEKEY000000001", r.stdout
            # cycles and MFA: clear errors
            r = run(asff, env, ["credentials", "--profile", "loop1"], expect=3)
            assert "comes back" in r.stderr, r.stderr
            r = run(asff, env, ["credentials", "--profile", "mfa"], expect=3)
            assert "MFA" in r.stderr, r.stderr

            # web identity: the profile's token file, then the environment variables
            r = run(asff, env, ["credentials", "--profile", "web"])
            f = fields(r.stdout)
            assert f["source"] == "web-identity" and f["account"] == "333333333333", r.stdout
            e2 = dict(env, AWS_WEB_IDENTITY_TOKEN_FILE=token_file,
                      AWS_ROLE_ARN="arn:aws:iam::444444444444:role/Irsa", AWS_ROLE_SESSION_NAME="irsa")
            r = run(asff, e2, ["credentials"])
            f = fields(r.stdout)
            assert f["source"] == "web-identity" and f["account"] == "444444444444", r.stdout
            run(asff, e2, ["hub", "enable"])
            r = run(asff, e2, ["hub", "describe"])
            assert ":444444444444:hub/default" in r.stdout, r.stdout

            # credential_process (a path with a space: quoted, so run through /bin/sh); stderr passes through
            r = run(asff, env, ["credentials", "--profile", "proc", "--no-identity"])
            f = fields(r.stdout)
            assert f["source"] == "process" and f["access key id"] == "AKIAPROCESS000000333", r.stdout
            assert f["expires"] == "2099-01-01T00:00:00Z", r.stdout
            assert "helper ran" in r.stderr, r.stderr
            r = run(asff, env, ["credentials", "--profile", "badproc"], expect=3)
            assert "exit status 1" in r.stderr, r.stderr
            # --export prints them for a shell (the only output allowed to hold the secret)
            r = subprocess.run([asff, "credentials", "--profile", "proc", "--export"], env=env, capture_output=True,
                               text=True, timeout=60)
            assert r.returncode == 0, r.stderr
            assert "export AWS_SECRET_ACCESS_KEY=PROCESS-SECRET-DO-NOT-PRINT" in r.stdout, r.stdout
            assert "export AWS_CREDENTIAL_EXPIRATION=2099-01-01T00:00:00Z" in r.stdout, r.stdout
            printed.append(r.stderr)

            # IAM Identity Center against the local SSO server
            env_sso = dict(env, AWS_ENDPOINT_URL_SSO=sso_endpoint, AWS_ENDPOINT_URL_SSO_OIDC=sso_endpoint)
            r = run(asff, env_sso, ["credentials", "--profile", "sso"], expect=3)
            assert "aws sso login" in r.stderr, r.stderr
            cache = os.path.join(aws, "sso", "cache")
            os.makedirs(cache)
            # the AWS CLI's file names: SHA-1 of the session name, or of the start URL (legacy)
            session_file = os.path.join(cache, hashlib.sha1(b"my-sso").hexdigest() + ".json")
            legacy_file = os.path.join(cache, hashlib.sha1(b"https://legacy.awsapps.com/start").hexdigest() + ".json")
            future = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
            past = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
            tok = {"startUrl": "https://example.awsapps.com/start", "region": "us-east-1",
                   "accessToken": "SSO-ACCESS-1", "expiresAt": future, "clientId": "cid",
                   "clientSecret": "SSO-CLIENT-SECRET", "refreshToken": "SSO-REFRESH-1"}
            with open(session_file, "w") as f:
                json.dump(tok, f)
            r = run(asff, env_sso, ["credentials", "--profile", "sso"])
            f = fields(r.stdout)
            assert f["source"] == "sso" and f["access key id"] == "ASIASSO00000000001", r.stdout
            assert f["account"], r.stdout
            run(asff, env_sso, ["hub", "enable", "--profile", "sso"])
            run(asff, env_sso, ["hub", "describe", "--profile", "sso"])
            # an expired token is refreshed with its refresh token, and the cache rewritten
            tok.update({"accessToken": "SSO-ACCESS-0", "expiresAt": past})
            with open(session_file, "w") as f:
                json.dump(tok, f)
            r = run(asff, env_sso, ["credentials", "--profile", "sso", "--no-identity"])
            assert fields(r.stdout)["source"] == "sso", r.stdout
            with open(session_file) as f:
                cached = json.load(f)
            assert cached["accessToken"] == "SSO-ACCESS-2" and cached["refreshToken"] == "SSO-REFRESH-2", cached
            assert cached["expiresAt"] > future[:10], cached
            # legacy sso_* keys cannot refresh: an expired token asks for a login
            with open(legacy_file, "w") as f:
                json.dump({"startUrl": "https://legacy.awsapps.com/start", "region": "us-east-1",
                           "accessToken": "SSO-ACCESS-1", "expiresAt": past}, f)
            r = run(asff, env_sso, ["credentials", "--profile", "ssolegacy"], expect=3)
            assert "expired" in r.stderr and "aws sso login" in r.stderr, r.stderr
            with open(legacy_file, "w") as f:
                json.dump({"startUrl": "https://legacy.awsapps.com/start", "region": "us-east-1",
                           "accessToken": "SSO-ACCESS-1", "expiresAt": future}, f)
            r = run(asff, env_sso, ["credentials", "--profile", "ssolegacy", "--no-identity"])
            assert fields(r.stdout)["source"] == "sso", r.stdout
            # a token the portal no longer accepts
            with open(legacy_file, "w") as f:
                json.dump({"accessToken": "SSO-ACCESS-REVOKED", "expiresAt": future}, f)
            r = run(asff, env_sso, ["credentials", "--profile", "ssolegacy", "--no-identity"], expect=3)
            assert "HTTP 401" in r.stderr and "aws sso login" in r.stderr, r.stderr

            # STS refusing: the AWS code, a printable message and the request id
            e3 = dict(env, AWS_ENDPOINT_URL_STS=sso_endpoint)
            r = run(asff, e3, ["credentials", "--profile", "roleB"], expect=3)
            assert "AccessDenied" in r.stderr and "req-denied-1" in r.stderr and "HTTP 403" in r.stderr, r.stderr
            assert "User is not authorized? to perform" in r.stderr, r.stderr

            # EKS Pod Identity style container credentials with a token file
            pod_token = os.path.join(home, "pod-token")
            with open(pod_token, "w") as f:
                f.write("POD-IDENTITY-TOKEN-DO-NOT-PRINT\n")
            env_pod = dict(env, AWS_CONTAINER_CREDENTIALS_FULL_URI=sso_endpoint + "/container",
                           AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=pod_token)
            r = run(asff, env_pod, ["credentials", "--no-identity"])
            f = fields(r.stdout)
            assert f["source"] == "container" and f["access key id"] == "ASIAPOD00000000001", r.stdout
            with open(pod_token, "w") as f:
                f.write("WRONG\n")
            r = run(asff, env_pod, ["credentials", "--no-identity"], expect=3)
            assert "HTTP 401" in r.stderr, r.stderr
    finally:
        harness.stdin.close()
        harness.wait(timeout=30)
        sso.stdin.close()
        sso.wait(timeout=30)
    for text in printed:
        for s in SECRETS:
            if s in text:
                print("a secret (%s) was printed:\n%s" % (s, text), file=sys.stderr)
                return 1
    print("creds_cli: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
