#!/usr/bin/env bash
# libFuzzer run over FerrySQS's request path (HTTP parser, SigV4, JSON and query decoding).
#
#   Scripts/fuzz-sqs.sh [seconds=60] [extra libFuzzer flags...]
#
# Compiles FerrySQS's sources plus Scripts/fuzz/FerrySQSFuzz.swift with swiftc
# -sanitize=fuzzer,address into one executable, linking the swift-crypto objects of an ordinary
# `swift build --target FerrySQS` (uninstrumented: crypto is not what is being fuzzed). This
# avoids a Package.swift fuzz target and an instrumented rebuild of BoringSSL.
# Seeds: the botocore fixtures' request shapes, written to .build/fuzz-corpus on first run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"; shift || true
swift build --target FerrySQS >/dev/null
bin=.build/debug
out=.build/fuzz
mkdir -p "$out" .build/fuzz-corpus
crypto_objects=$(find "$bin/Crypto.build" "$bin/CryptoBoringWrapper.build" "$bin/CCryptoBoringSSL.build" \
    "$bin/CCryptoBoringSSLShims.build" -name '*.o')
swiftc -sanitize=fuzzer,address -parse-as-library -g -Onone -module-name FerrySQSFuzz \
    -I "$bin/Modules" \
    -Xcc -fmodule-map-file=.build/checkouts/swift-crypto/Sources/CCryptoBoringSSL/include/module.modulemap \
    -Xcc -fmodule-map-file=.build/checkouts/swift-crypto/Sources/CCryptoBoringSSLShims/include/module.modulemap \
    $(find Sources/FerrySQS -name '*.swift') Scripts/fuzz/FerrySQSFuzz.swift \
    $crypto_objects -o "$out/FerrySQSFuzz"
if [ -z "$(ls -A .build/fuzz-corpus)" ]; then
    printf '\x05POST / HTTP/1.1\r\nHost: localhost:9324\r\nX-Amz-Target: AmazonSQS.SendMessage\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 96\r\n\r\n{"QueueUrl": "u", "MessageBody": "h", "MessageAttributes": {"a": {"DataType": "String", "StringValue": "x"}}}' > .build/fuzz-corpus/json
    printf '\x07POST /000000000000/q1 HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 112\r\n\r\nAction=SendMessageBatch&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=x&Version=1' > .build/fuzz-corpus/query
    printf '\x01GET /?Action=ListQueues HTTP/1.1\r\nHost: h\r\nX-Amz-Date: 20250115T120000Z\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250115/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=00\r\n\r\n' > .build/fuzz-corpus/sigv4
fi
"$out/FerrySQSFuzz" -max_total_time="$seconds" -max_len=4096 "$@" .build/fuzz-corpus
