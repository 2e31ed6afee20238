/// HTTP requests captured from botocore 1.43.11 (`SigV4Auth`, region us-east-1 or eu-west-1,
/// key AKIDEXAMPLE / secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY; the session-token one uses
/// ASIAEXAMPLE / secret2 / token SESSIONTOKEN) against a stub transport. Fixtures only: the tests
/// replay the bytes, python is not needed. User-Agent dropped (unsigned, long).
enum BotocoreFixtures {
    static let createQueue =
        "POST / HTTP/1.1\r\n"
        + "Host: localhost:9324\r\n"
        + "X-Amz-Target: AmazonSQS.CreateQueue\r\n"
        + "Content-Type: application/x-amz-json-1.0\r\n"
        + "x-amzn-query-mode: true\r\n"
        + "X-Amz-Date: 20261122T170410Z\r\n"
        + "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target;x-amzn-query-mode, Signature=75b7e677071a1df8cc6b9d9c6444ea0145c8c5447619a81f088c5db6862bfc95\r\n"
        + "amz-sdk-invocation-id: d188760e-1f0f-4905-871f-d32bf53c3ec0\r\n"
        + "amz-sdk-request: attempt=1\r\n"
        + "Content-Length: 115\r\n"
        + "\r\n"
        + "{\"QueueName\": \"q1.fifo\", \"Attributes\": {\"FifoQueue\": \"true\", \"VisibilityTimeout\": \"40\"}, \"tags\": {\"team\": \"ferry\"}}"

    static let sendMessage =
        "POST / HTTP/1.1\r\n"
        + "Host: localhost:9324\r\n"
        + "X-Amz-Target: AmazonSQS.SendMessage\r\n"
        + "Content-Type: application/x-amz-json-1.0\r\n"
        + "x-amzn-query-mode: true\r\n"
        + "X-Amz-Date: 20261122T170410Z\r\n"
        + "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target;x-amzn-query-mode, Signature=964162fa0a85272742f39450d7342c23fcfc787dddaa0589da1d74b6a780d153\r\n"
        + "amz-sdk-invocation-id: 93dc4312-d0b4-404a-ac1e-332b68b86633\r\n"
        + "amz-sdk-request: attempt=1\r\n"
        + "Content-Length: 444\r\n"
        + "\r\n"
        + "{\"QueueUrl\": \"http://localhost:9324/000000000000/q1\", \"MessageBody\": \"h\\u00e9llo \\\"w\\u00f6rld\\\" \\ud83d\\ude80\\r\\n\\t\\\\\", \"DelaySeconds\": 5, \"MessageAttributes\": {\"b\": {\"DataType\": \"Binary\", \"BinaryValue\": \"AAE=\"}, \"n\": {\"DataType\": \"Number\", \"StringValue\": \"12345678901234567890\"}}, \"MessageSystemAttributes\": {\"AWSTraceHeader\": {\"DataType\": \"String\", \"StringValue\": \"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1\"}}}"

    static let sendMessageBatch =
        "POST / HTTP/1.1\r\n"
        + "Host: localhost:9324\r\n"
        + "X-Amz-Target: AmazonSQS.SendMessageBatch\r\n"
        + "Content-Type: application/x-amz-json-1.0\r\n"
        + "x-amzn-query-mode: true\r\n"
        + "X-Amz-Date: 20261122T170410Z\r\n"
        + "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target;x-amzn-query-mode, Signature=c7f73b94a0f1a44061aa394b3cfcdf2237d178c4199769bc46922786f252119f\r\n"
        + "amz-sdk-invocation-id: 4bef1804-ae1e-46f2-97ff-81a609540174\r\n"
        + "amz-sdk-request: attempt=1\r\n"
        + "Content-Length: 190\r\n"
        + "\r\n"
        + "{\"QueueUrl\": \"http://localhost:9324/000000000000/q1\", \"Entries\": [{\"Id\": \"a\", \"MessageBody\": \"one\"}, {\"Id\": \"b\", \"MessageBody\": \"two\", \"MessageGroupId\": \"g\", \"MessageDeduplicationId\": \"d\"}]}"

    static let receiveMessage =
        "POST / HTTP/1.1\r\n"
        + "Host: localhost:9324\r\n"
        + "X-Amz-Target: AmazonSQS.ReceiveMessage\r\n"
        + "Content-Type: application/x-amz-json-1.0\r\n"
        + "x-amzn-query-mode: true\r\n"
        + "X-Amz-Date: 20261122T170410Z\r\n"
        + "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target;x-amzn-query-mode, Signature=14806078f3e14f1a8a0eef236559ce545a2efe9e0b55c97a433cb327fdbce32f\r\n"
        + "amz-sdk-invocation-id: 346ad919-8d8c-4159-bb9c-d2167a7a4b73\r\n"
        + "amz-sdk-request: attempt=1\r\n"
        + "Content-Length: 238\r\n"
        + "\r\n"
        + "{\"QueueUrl\": \"http://localhost:9324/000000000000/q1\", \"MaxNumberOfMessages\": 10, \"WaitTimeSeconds\": 20, \"VisibilityTimeout\": 0, \"MessageAttributeNames\": [\"All\"], \"MessageSystemAttributeNames\": [\"SentTimestamp\"], \"AttributeNames\": [\"All\"]}"

    static let changeMessageVisibilityBatch =
        "POST / HTTP/1.1\r\n"
        + "Host: localhost:9324\r\n"
        + "X-Amz-Target: AmazonSQS.ChangeMessageVisibilityBatch\r\n"
        + "Content-Type: application/x-amz-json-1.0\r\n"
        + "x-amzn-query-mode: true\r\n"
        + "X-Amz-Date: 20261122T170410Z\r\n"
        + "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target;x-amzn-query-mode, Signature=ce880f47829fec3b8be392beb36a0d396179877313d4ba041bdce99fdc1dbca5\r\n"
        + "amz-sdk-invocation-id: 2e4c722d-d0a0-4182-ab91-61b369e84390\r\n"
        + "amz-sdk-request: attempt=1\r\n"
        + "Content-Length: 127\r\n"
        + "\r\n"
        + "{\"QueueUrl\": \"http://localhost:9324/000000000000/q1\", \"Entries\": [{\"Id\": \"x\", \"ReceiptHandle\": \"rh\", \"VisibilityTimeout\": 60}]}"

    static let listQueues =
        "POST / HTTP/1.1\r\n"
        + "Host: localhost:9324\r\n"
        + "X-Amz-Target: AmazonSQS.ListQueues\r\n"
        + "Content-Type: application/x-amz-json-1.0\r\n"
        + "x-amzn-query-mode: true\r\n"
        + "X-Amz-Date: 20261122T170410Z\r\n"
        + "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target;x-amzn-query-mode, Signature=3a652af457ffe3613836337d1f88123347302509e1fbb22f8860b902730730a8\r\n"
        + "amz-sdk-invocation-id: 05ca491b-d9bc-4bee-9831-d7a127b7e097\r\n"
        + "amz-sdk-request: attempt=1\r\n"
        + "Content-Length: 41\r\n"
        + "\r\n"
        + "{\"QueueNamePrefix\": \"q\", \"MaxResults\": 5}"

    static let getQueueUrlWithSessionToken =
        "POST / HTTP/1.1\r\n"
        + "Host: 127.0.0.1:4566\r\n"
        + "X-Amz-Target: AmazonSQS.GetQueueUrl\r\n"
        + "Content-Type: application/x-amz-json-1.0\r\n"
        + "x-amzn-query-mode: true\r\n"
        + "X-Amz-Date: 20261122T170410Z\r\n"
        + "X-Amz-Security-Token: SESSIONTOKEN\r\n"
        + "Authorization: AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20261122/eu-west-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target;x-amzn-query-mode, Signature=d2acdd3a5feb3793a7374cf25b2cac6d9286c5cce2f2cd2d0f3c8a2f8f469af0\r\n"
        + "amz-sdk-invocation-id: 65938604-e866-4039-aff2-07bd98226706\r\n"
        + "amz-sdk-request: attempt=1\r\n"
        + "Content-Length: 19\r\n"
        + "\r\n"
        + "{\"QueueName\": \"q1\"}"

    static let queryGetReceiveMessage =
        "GET /000000000000/q1?Action=ReceiveMessage&Version=2012-11-05&MaxNumberOfMessages=2&AttributeName.1=All&MessageAttributeName.1=a%20b~c HTTP/1.1\r\n"
        + "Host: localhost:9324\r\n"
        + "X-Amz-Date: 20261122T170410Z\r\n"
        + "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=85faabef6ce9840ad518e9e379265e2fa6f267a79289e79d2094533dca0e7250\r\n"
        + "\r\n"

    static let queryPostSendMessage =
        "POST / HTTP/1.1\r\n"
        + "Host: localhost:9324\r\n"
        + "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
        + "X-Amz-Date: 20261122T170410Z\r\n"
        + "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=aa41b9f54fa2232ae807ff258e3bd958db1f3f817b3e9c30b47167c10ab8e405\r\n"
        + "Content-Length: 333\r\n"
        + "\r\n"
        + "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A9324%2F000000000000%2Fq1&MessageBody=a+b%26c&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=x&MessageAttribute.2.Name=b&MessageAttribute.2.Value.DataType=Binary&MessageAttribute.2.Value.BinaryValue=AAE%3D"

    static let all: [(name: String, text: String)] = [
        ("createQueue", createQueue),
        ("sendMessage", sendMessage),
        ("sendMessageBatch", sendMessageBatch),
        ("receiveMessage", receiveMessage),
        ("changeMessageVisibilityBatch", changeMessageVisibilityBatch),
        ("listQueues", listQueues),
        ("getQueueUrlWithSessionToken", getQueueUrlWithSessionToken),
        ("queryGetReceiveMessage", queryGetReceiveMessage),
        ("queryPostSendMessage", queryPostSendMessage),
    ]
}
