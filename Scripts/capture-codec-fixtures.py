#!/usr/bin/env python3
"""Captures the exact HTTP requests boto3 sends for the three operations `ferry bench` drives, as fixtures
for `ferry bench codec` (Tests/fixtures/codec/<Operation>.http: request head and body, byte for byte).

A loopback stub answers each request with a minimal valid response; nothing else is contacted.
Bodies: 10 x 1 KiB messages, each a small JSON document (quotes to escape, one non-ASCII character),
because real SQS payloads are mostly JSON; receipt handles in Ferry's own form ("FR1" + 42 hex digits).
"""
import json, os, socket, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "Tests", "fixtures", "codec")
captured = {}

class Stub(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        head = self.requestline + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in self.headers.items()) + "\r\n"
        op = self.headers["X-Amz-Target"].split(".")[1]
        captured[op] = head.encode() + body
        answer = {"SendMessageBatch": {"Successful": [], "Failed": []},
                  "DeleteMessageBatch": {"Successful": [], "Failed": []},
                  "ReceiveMessage": {}}[op]
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("x-amzn-RequestId", "00000000-0000-4000-8000-000000000000")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
threading.Thread(target=server.serve_forever, daemon=True).start()
endpoint = f"http://127.0.0.1:{server.server_address[1]}"
sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
queue_url = "http://127.0.0.1:9324/000000000000/orders"

def body(i):
    doc = {"orderId": f"ord-{i:08d}", "customer": {"name": "Zoë Example", "tier": "gold"},
           "items": [], "note": ""}
    n = 0
    while len(json.dumps(doc, ensure_ascii=False).encode()) < 1024:
        doc["items"].append({"sku": f"SKU-{n:05d}", "qty": n % 7 + 1})
        n += 1
    text = json.dumps(doc, ensure_ascii=False)
    return text[:1024 - (len(text.encode()) - len(text))] if len(text.encode()) > 1024 else text

sqs.send_message_batch(QueueUrl=queue_url, Entries=[{"Id": f"m{i}", "MessageBody": body(i)} for i in range(10)])
sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=30)
handles = ["FR1" + f"{i:042x}" for i in range(10)]
sqs.delete_message_batch(QueueUrl=queue_url, Entries=[{"Id": f"m{i}", "ReceiptHandle": h} for i, h in enumerate(handles)])
# (the stub thread is a daemon: it ends with the script)
os.makedirs(OUT, exist_ok=True)
for op, raw in captured.items():
    with open(os.path.join(OUT, f"{op}.http"), "wb") as f:
        f.write(raw)
    print(op, len(raw), "bytes")
