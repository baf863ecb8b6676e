"""Exec probe for Hermes Agent's loopback-only API server (k8s4claw hermesclaw adapter).

usage: probe.py live|ready

live   GET /health must answer 200 with {"status": "ok", "platform": "hermes-agent"}.
ready  GET /health/detailed (bearer API_SERVER_KEY) answers 200 even when degraded, so its body is read:
       readiness.checks.gateway.status must be "ok" and its state (when given) "running"; older builds without
       the check: gateway_state "running". A draining gateway is not ready.
A catch-all 200 (any other JSON or HTML) fails. The key is read from the environment, never printed.
"""
import json
import os
import sys
import urllib.request

BASE = "http://127.0.0.1:%s" % os.environ.get("API_SERVER_PORT", "8642")
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(path, auth):
    request = urllib.request.Request(BASE + path, headers={"Accept": "application/json"})
    if auth:
        request.add_header("Authorization", "Bearer " + os.environ.get("API_SERVER_KEY", ""))
    with OPENER.open(request, timeout=float(os.environ.get("CLAW_PROBE_TIMEOUT", "4"))) as response:
        return response.status, json.loads(response.read().decode("utf-8"))


def live():
    status, body = get("/health", False)
    if status == 200 and isinstance(body, dict) and body.get("status") == "ok" and body.get("platform") == "hermes-agent":
        return True, "ok"
    return False, "unexpected /health answer: HTTP %s status=%r" % (status, body.get("status") if isinstance(body, dict) else None)


def ready():
    status, body = get("/health/detailed", True)
    if status != 200 or not isinstance(body, dict):
        return False, "HTTP %s from /health/detailed" % status
    checks = (body.get("readiness") or {}).get("checks") or {}
    gateway = checks.get("gateway")
    if isinstance(gateway, dict):
        state = gateway.get("state", "running")
        ok = gateway.get("status") == "ok" and state == "running"
        return ok, "gateway check %r (state %r)" % (gateway.get("status"), state)
    state = body.get("gateway_state")
    return state == "running", "gateway_state %r" % state


def main(argv):
    mode = argv[1] if len(argv) > 1 else "live"
    check = {"live": live, "ready": ready}.get(mode)
    if check is None:
        print("unknown probe %r (live|ready)" % mode)
        return 2
    try:
        ok, reason = check()
    except Exception as e:  # connection refused, timeout, HTTP error, non-JSON body
        ok, reason = False, "%s: %s" % (type(e).__name__, e)
    print("hermes %s: %s" % (mode, reason))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
