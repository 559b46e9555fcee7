"""A stub CloudTrail endpoint that answers LookupEvents (which moto does not implement).

usage: lookup_stub.py PORT EVENTS_JSON

EVENTS_JSON maps a region to a list of CloudTrail records. The region of a request is taken
from its SigV4 credential scope, as AWS routes it. Pages hold at most MaxResults events
(default 50) and continue with an opaque NextToken; StartTime/EndTime filter on eventTime.
Serves 127.0.0.1 only; prints "listening" once ready and one line per call on stderr.
"""
import datetime
import http.server
import json
import re
import sys

TARGET_SUFFIX = "CloudTrail_20131101.LookupEvents"


def epoch(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


class Handler(http.server.BaseHTTPRequestHandler):
    events = {}

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        target = self.headers.get("X-Amz-Target", "")
        if not target.endswith(TARGET_SUFFIX):
            return self.reply(400, {"__type": "UnknownOperationException",
                                    "message": f"expected X-Amz-Target ...{TARGET_SUFFIX}, found {target!r}"})
        scope = re.search(r"Credential=[^/]+/\d{8}/([^/]+)/cloudtrail/", self.headers.get("Authorization", ""))
        region = scope.group(1) if scope else "missing"
        start = body.get("StartTime", float("-inf"))
        end = body.get("EndTime", float("inf"))
        selected = [r for r in self.events.get(region, []) if start <= epoch(r["eventTime"]) <= end]
        selected.sort(key=lambda r: r["eventTime"], reverse=True)
        size = int(body.get("MaxResults", 50))
        offset = int(body.get("NextToken", "0"))
        page = selected[offset:offset + size]
        out = {"Events": [{
            "EventId": r["eventID"], "EventName": r["eventName"], "ReadOnly": "true",
            "EventTime": epoch(r["eventTime"]), "EventSource": r["eventSource"],
            "Username": "alice", "Resources": [], "CloudTrailEvent": json.dumps(r)} for r in page]}
        if offset + size < len(selected):
            out["NextToken"] = str(offset + size)
        sys.stderr.write(f"LookupEvents {region} offset={offset} events={len(page)}\n")
        self.reply(200, out)

    def log_message(self, *args):
        pass


def main():
    with open(sys.argv[2]) as f:
        Handler.events = json.load(f)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    print("listening", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
