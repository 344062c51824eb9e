"""A local OAuth 1.0a provider for the end-to-end tests, on Python's oauthlib (RFC 5849).

    .venv/bin/python www/oauth1/provider.py        # set up by `make setup`

Environment: PORT (default 0: the OS picks a free port), APP_ORIGIN (the test site's origin,
the only one allowed by CORS; its /oauth1-callback.html is the registered callback),
PUBLIC_ORIGIN (the origin browsers use when a proxy is in front; default its own address).
Prints `oauth1-provider ready http://127.0.0.1:PORT` once listening; exits on SIGTERM.

Endpoints (all on 127.0.0.1, plain http: see LoopbackValidator.enforce_ssl):
  POST /initiate          temporary credentials (RFC 5849 §2.1)
  GET  /authorize         the resource owner's approval page; its form POSTs back here and is
                          answered with a redirect to the callback with oauth_token and
                          oauth_verifier (§2.2)
  POST /token             token credentials (§2.3)
  GET|POST /photos        a protected resource: 200 with JSON only when the signature,
                          timestamp, nonce and token check out (§3.2), else 401
  POST /backend/sign      stands in for the app's own backend: signs a base string with the
                          consumer secret, so the page never holds it (the signer hook)
  GET  /stats             counts of issued and rejected requests, for the tests

oauthlib does all of the protocol work (parameter collection, base strings, signatures,
nonce and timestamp checks); this file only stores its tokens in memory and moves bytes.
NO SECURITY: test credentials are constants, and tokens live in a dict for the process.
"""

import base64
import hashlib
import hmac
import html
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

from oauthlib.oauth1 import (
    AccessTokenEndpoint,
    AuthorizationEndpoint,
    RequestTokenEndpoint,
    RequestValidator,
    ResourceEndpoint,
)
from oauthlib.oauth1.rfc5849 import errors

CONSUMER_KEY = "browseroauthdemo1"
# The secret the signer-hook test must never find in the page. Test constant only.
CONSUMER_SECRET = "consumer-secret-that-must-stay-on-the-server"
APP_ORIGIN = os.environ.get("APP_ORIGIN", "http://127.0.0.1:8080")
CALLBACK = APP_ORIGIN + "/oauth1-callback.html"
# The origin browsers reach this provider at when a proxy stands in front of it (the
# end-to-end tests' recording proxy); by default the address it listens on.
PUBLIC_ORIGIN = os.environ.get("PUBLIC_ORIGIN", "")
REALM = "photos"

LOCK = threading.Lock()
STATS = {"rejected": 0, "resource_ok": 0, "signed_by_backend": 0}


class LoopbackValidator(RequestValidator):
    """An in-memory RequestValidator for one client, for loopback testing only."""

    def __init__(self):
        super().__init__()
        self.request_tokens = {}  # token -> {"secret", "verifier", "realms"}
        self.access_tokens = {}  # token -> {"secret", "realms"}
        self.nonces = set()

    # oauthlib refuses plain http by default (RFC 5849 Appendix A wants TLS). The provider
    # listens on 127.0.0.1 only, where nothing crosses a network, and the library under test
    # allows plain http only for loopback hosts; so the check is off here, and only here.
    enforce_ssl = False
    # The library sends 32-character hex nonces (16 random bytes).
    nonce_length = (16, 64)
    client_key_length = (8, 64)
    allowed_signature_methods = ("HMAC-SHA1", "HMAC-SHA256", "PLAINTEXT")
    realms = [REALM]
    dummy_client = "dummyclientkey000"
    dummy_request_token = "dummyrequesttoken0000000000000"
    dummy_access_token = "dummyaccesstoken00000000000000"

    def validate_client_key(self, client_key, request):
        return client_key == CONSUMER_KEY

    def get_client_secret(self, client_key, request):
        return CONSUMER_SECRET if client_key == CONSUMER_KEY else "dummy-secret"

    def get_default_realms(self, client_key, request):
        return [REALM]

    def validate_requested_realms(self, client_key, realms, request):
        return set(realms) <= {REALM}

    def validate_redirect_uri(self, client_key, redirect_uri, request):
        return redirect_uri == CALLBACK

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request,
                                     request_token=None, access_token=None):
        key = (client_key, timestamp, nonce, request_token or access_token)
        with LOCK:
            if key in self.nonces:
                return False
            self.nonces.add(key)
            return True

    def save_request_token(self, token, request):
        with LOCK:
            self.request_tokens[token["oauth_token"]] = {
                "secret": token["oauth_token_secret"], "verifier": None,
                "realms": request.realms, "callback": request.redirect_uri,
            }

    def verify_request_token(self, token, request):
        return token in self.request_tokens

    def validate_request_token(self, client_key, token, request):
        return token in self.request_tokens

    def get_request_token_secret(self, client_key, token, request):
        entry = self.request_tokens.get(token)
        return entry["secret"] if entry else "dummy-secret"

    def get_redirect_uri(self, token, request):
        return self.request_tokens[token]["callback"]

    def get_realms(self, token, request):
        entry = self.request_tokens.get(token)
        return entry["realms"] if entry else []

    def verify_realms(self, token, realms, request):
        return set(realms) <= set(self.get_realms(token, request))

    def save_verifier(self, token, verifier, request):
        with LOCK:
            self.request_tokens[token]["verifier"] = verifier["oauth_verifier"]

    def validate_verifier(self, client_key, token, verifier, request):
        entry = self.request_tokens.get(token)
        return bool(entry and entry["verifier"]) and hmac.compare_digest(entry["verifier"], verifier)

    def invalidate_request_token(self, client_key, request_token, request):
        # RFC 5849 §2.3: temporary credentials are single use.
        with LOCK:
            self.request_tokens.pop(request_token, None)

    def validate_realms(self, client_key, token, request, uri=None, realms=None):
        entry = self.access_tokens.get(token)
        return bool(entry) and set(realms or []) <= set(entry["realms"])

    def save_access_token(self, token, request):
        with LOCK:
            self.access_tokens[token["oauth_token"]] = {
                "secret": token["oauth_token_secret"], "realms": request.realms,
            }

    def validate_access_token(self, client_key, token, request):
        return token in self.access_tokens

    def get_access_token_secret(self, client_key, token, request):
        entry = self.access_tokens.get(token)
        return entry["secret"] if entry else "dummy-secret"


VALIDATOR = LoopbackValidator()
REQUEST_TOKEN = RequestTokenEndpoint(VALIDATOR)
AUTHORIZATION = AuthorizationEndpoint(VALIDATOR)
ACCESS_TOKEN = AccessTokenEndpoint(VALIDATOR)
RESOURCE = ResourceEndpoint(VALIDATOR)


def backend_signature(base_string, method, token_secret):
    """What an app's backend does for the signer hook: RFC 5849 §3.4.2 / §3.4.4 with the
    consumer secret it keeps. A real backend must also check that it signs only requests it
    allows (the method, URL and oauth_token in the base string); this one checks the URL."""
    target = base_string.split("&")[1] if base_string.count("&") >= 2 else ""
    origin = PUBLIC_ORIGIN or f"http://{HOST_PORT[0]}"
    if method != "PLAINTEXT" and not target.startswith(quote(f"{origin}/", safe="")):
        raise ValueError("refusing to sign a request to another server")
    key = quote(CONSUMER_SECRET, safe="~") + "&" + quote(token_secret, safe="~")
    if method == "PLAINTEXT":
        return key
    digest = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}[method]
    mac = hmac.new(key.encode(), base_string.encode(), digest).digest()
    return base64.b64encode(mac).decode()


APPROVE_PAGE = """<!doctype html><meta charset="utf-8"><title>Approve access</title>
<h1>Let the demo app see your photos?</h1>
<form method="post" action="/authorize"><input type="hidden" name="oauth_token" value="{token}">
<button type="submit" id="approve">Approve</button></form>"""

HOST_PORT = ["127.0.0.1"]


class Handler(BaseHTTPRequestHandler):
    """Routes requests to the oauthlib endpoints; adds CORS for APP_ORIGIN."""

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass

    def url(self):
        return f"http://{self.headers.get('Host', HOST_PORT[0])}{self.path}"

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode("utf-8") if length else ""

    def reply(self, status, body="", headers=None):
        data = (body or "").encode("utf-8")
        self.send_response(status)
        if self.headers.get("Origin") == APP_ORIGIN:
            self.send_header("Access-Control-Allow-Origin", APP_ORIGIN)
            self.send_header("Vary", "Origin")
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def count(self, status, ok_key=None):
        with LOCK:
            if status >= 400:
                STATS["rejected"] += 1
            elif ok_key:
                STATS[ok_key] += 1

    def do_OPTIONS(self):  # noqa: N802 (http.server's naming)
        self.reply(204, headers={
            "Access-Control-Allow-Methods": "GET, POST",
            "Access-Control-Allow-Headers": "Authorization, Content-Type",
            "Access-Control-Max-Age": "600",
        })

    def do_GET(self):  # noqa: N802
        path = urlsplit(self.path).path
        if path == "/authorize":
            token = parse_qs(urlsplit(self.path).query).get("oauth_token", [""])[0]
            if not VALIDATOR.verify_request_token(token, None):
                return self.reply(400, "unknown oauth_token", {"Content-Type": "text/plain"})
            return self.reply(200, APPROVE_PAGE.format(token=html.escape(token)),
                              {"Content-Type": "text/html; charset=utf-8"})
        if path == "/photos":
            return self.resource("")
        if path == "/stats":
            with LOCK:
                return self.reply(200, json.dumps(STATS), {"Content-Type": "application/json"})
        self.reply(404)

    def do_POST(self):  # noqa: N802
        path = urlsplit(self.path).path
        body = self.body()
        headers = dict(self.headers.items())
        if path == "/initiate":
            h, b, s = REQUEST_TOKEN.create_request_token_response(self.url(), "POST", body, headers)
            self.count(s)
            return self.reply(s, b, h)
        if path == "/authorize":
            token = parse_qs(body).get("oauth_token", [""])[0]
            try:
                h, b, s = AUTHORIZATION.create_authorization_response(
                    f"{self.url()}?oauth_token={quote(token)}", "GET", realms=[REALM])
            except errors.OAuth1Error as error:
                return self.reply(error.status_code, error.urlencoded)
            return self.reply(s, b, h)
        if path == "/token":
            h, b, s = ACCESS_TOKEN.create_access_token_response(self.url(), "POST", body, headers)
            self.count(s)
            return self.reply(s, b, h)
        if path == "/photos":
            return self.resource(body)
        if path == "/backend/sign":
            try:
                request = json.loads(body)
                signature = backend_signature(
                    request["baseString"], request["method"], request.get("tokenSecret", ""))
            except (ValueError, KeyError, TypeError) as error:
                return self.reply(400, json.dumps({"error": str(error)}), {"Content-Type": "application/json"})
            with LOCK:
                STATS["signed_by_backend"] += 1
            return self.reply(200, json.dumps({"signature": signature}), {"Content-Type": "application/json"})
        self.reply(404)

    def resource(self, body):
        headers = dict(self.headers.items())
        valid, request = RESOURCE.validate_protected_resource_request(
            self.url(), self.command, body, headers, realms=[REALM])
        status = 200 if valid else 401
        self.count(status, "resource_ok")
        if not valid:
            return self.reply(401, "", {"WWW-Authenticate": f'OAuth realm="{REALM}"'})
        reply = {"ok": True, "method": self.command, "token": request.resource_owner_key,
                 "params": {k: v for k, v in request.params if not k.startswith("oauth_")}}
        return self.reply(200, json.dumps(reply), {"Content-Type": "application/json"})


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("PORT", "0"))), Handler)
    HOST_PORT[0] = f"127.0.0.1:{server.server_address[1]}"
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"oauth1-provider ready http://{HOST_PORT[0]}", flush=True)
    server.serve_forever()
    sys.exit(0)


if __name__ == "__main__":
    main()
