/// Query-protocol requests captured from botocore 1.34.80 (the last query-protocol SQS model; docs/sqs-wire.md, "Query
/// protocol"), signed with AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY in us-east-1. User-Agent dropped.
enum BotocoreQueryFixtures {
    static let queryCreateQueue =
        "POST / HTTP/1.1\r\n"
        + "Host: localhost:9324\r\n"
        + "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
        + "X-Amz-Date: 20261122T171839Z\r\n"
        + "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=cb5a1337f2e1128af4ccb9d5b4c8a80ddb4e34ae3337c777de8b6d2ab6c10fb4\r\n"
        + "amz-sdk-invocation-id: 0ea8773d-2f95-49e7-8c77-0c7003500a24\r\n"
        + "amz-sdk-request: attempt=1\r\n"
        + "Content-Length: 335\r\n"
        + "\r\n"
        + "Action=CreateQueue&Version=2012-11-05&QueueName=q1&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5&Attribute.2.Name=RedrivePolicy&Attribute.2.Value=%7B%22deadLetterTargetArn%22%3A%22arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3Adlq%22%2C%22maxReceiveCount%22%3A%223%22%7D&Tag.1.Key=team&Tag.1.Value=ferry&Tag.2.Key=env&Tag.2.Value=a+b"

    static let querySendMessage =
        "POST / HTTP/1.1\r\n"
        + "Host: localhost:9324\r\n"
        + "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
        + "X-Amz-Date: 20261122T171839Z\r\n"
        + "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=9fba66e527769c64493105743ecdd542a6620aad9027bfec57fdc0e5c0367d2f\r\n"
        + "amz-sdk-invocation-id: 5f2bf71c-4593-47e5-94d7-c4b42245bdfe\r\n"
        + "amz-sdk-request: attempt=1\r\n"
        + "Content-Length: 601\r\n"
        + "\r\n"
        + "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A9324%2F000000000000%2Fq1&MessageBody=h%C3%A9llo+%26+%3Cw%C3%B6rld%3E+%F0%9F%9A%80%0D%0A&MessageAttribute.1.Name=b&MessageAttribute.1.Value.DataType=Binary&MessageAttribute.1.Value.BinaryValue=AAE%3D&MessageAttribute.2.Name=n&MessageAttribute.2.Value.DataType=Number.int&MessageAttribute.2.Value.StringValue=42&MessageSystemAttribute.1.Name=AWSTraceHeader&MessageSystemAttribute.1.Value.DataType=String&MessageSystemAttribute.1.Value.StringValue=Root%3D1-5759e988-bd862e3fe1be46a994272793%3BParent%3D53995c3f42cd8ad8%3BSampled%3D1"

    static let querySendMessageBatch =
        "POST / HTTP/1.1\r\n"
        + "Host: localhost:9324\r\n"
        + "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
        + "X-Amz-Date: 20261122T171839Z\r\n"
        + "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=88782993fa915cb8e04a6db78c15c7087074bef303f957d1c162eec8db8b2a7b\r\n"
        + "amz-sdk-invocation-id: ffa5a23c-d877-4ca3-b41f-42684b89f515\r\n"
        + "amz-sdk-request: attempt=1\r\n"
        + "Content-Length: 512\r\n"
        + "\r\n"
        + "Action=SendMessageBatch&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A9324%2F000000000000%2Fq1&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=one&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=k&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=v&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=two&SendMessageBatchRequestEntry.2.DelaySeconds=3"

    static let queryReceiveMessage =
        "POST / HTTP/1.1\r\n"
        + "Host: localhost:9324\r\n"
        + "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
        + "X-Amz-Date: 20261122T171839Z\r\n"
        + "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=c58e902d7f154f42ccdbbcb9e9b20e1f4db752e2b8d2206e976c6e45dcad46d9\r\n"
        + "amz-sdk-invocation-id: a72aff0d-90c0-4a9c-b195-16f205ecbbdf\r\n"
        + "amz-sdk-request: attempt=1\r\n"
        + "Content-Length: 188\r\n"
        + "\r\n"
        + "Action=ReceiveMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A9324%2F000000000000%2Fq1&AttributeName.1=All&MessageAttributeName.1=All&MaxNumberOfMessages=10&WaitTimeSeconds=20"

    static let queryDeleteMessageBatch =
        "POST / HTTP/1.1\r\n"
        + "Host: localhost:9324\r\n"
        + "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
        + "X-Amz-Date: 20261122T171839Z\r\n"
        + "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=21379f7d209fc39dad0fab57b0d0584259006d24c520453dfd4095a6e855f71c\r\n"
        + "amz-sdk-invocation-id: 86a4902b-543a-4188-a302-7ff4a35433af\r\n"
        + "amz-sdk-request: attempt=1\r\n"
        + "Content-Length: 200\r\n"
        + "\r\n"
        + "Action=DeleteMessageBatch&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A9324%2F000000000000%2Fq1&DeleteMessageBatchRequestEntry.1.Id=a&DeleteMessageBatchRequestEntry.1.ReceiptHandle=rh%2B%2F%3D"

    static let queryGetQueueAttributes =
        "POST / HTTP/1.1\r\n"
        + "Host: localhost:9324\r\n"
        + "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
        + "X-Amz-Date: 20261122T171839Z\r\n"
        + "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=8032a89c4a8bb56190334df585f0cf9119c405002a2e8ae651d3f75c9b9fb125\r\n"
        + "amz-sdk-invocation-id: cc88b811-72af-4c00-8e0d-f69084453c93\r\n"
        + "amz-sdk-request: attempt=1\r\n"
        + "Content-Length: 123\r\n"
        + "\r\n"
        + "Action=GetQueueAttributes&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A9324%2F000000000000%2Fq1&AttributeName.1=All"

    static let queryTagQueue =
        "POST / HTTP/1.1\r\n"
        + "Host: localhost:9324\r\n"
        + "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
        + "X-Amz-Date: 20261122T171839Z\r\n"
        + "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=3fe26cab15f0bdedf29d52bd1d1e126d28bcb965b23a344be33e2ac0f59e9c01\r\n"
        + "amz-sdk-invocation-id: 4c222517-0776-442e-8f90-90ead2568093\r\n"
        + "amz-sdk-request: attempt=1\r\n"
        + "Content-Length: 119\r\n"
        + "\r\n"
        + "Action=TagQueue&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A9324%2F000000000000%2Fq1&Tag.1.Key=k&Tag.1.Value=v"

    static let queryAddPermission =
        "POST / HTTP/1.1\r\n"
        + "Host: localhost:9324\r\n"
        + "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
        + "X-Amz-Date: 20261122T171839Z\r\n"
        + "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=677fb12fd70880e54aab7d5791aa8aa40464a3eb2bf4afd915ca1aab15760f5d\r\n"
        + "amz-sdk-invocation-id: c477c272-1b28-416e-8c7c-91e176084e8b\r\n"
        + "amz-sdk-request: attempt=1\r\n"
        + "Content-Length: 187\r\n"
        + "\r\n"
        + "Action=AddPermission&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A9324%2F000000000000%2Fq1&Label=l&AWSAccountId.1=111122223333&ActionName.1=SendMessage&ActionName.2=ReceiveMessage"

    static let all: [(name: String, text: String)] = [
        ("queryCreateQueue", queryCreateQueue),
        ("querySendMessage", querySendMessage),
        ("querySendMessageBatch", querySendMessageBatch),
        ("queryReceiveMessage", queryReceiveMessage),
        ("queryDeleteMessageBatch", queryDeleteMessageBatch),
        ("queryGetQueueAttributes", queryGetQueueAttributes),
        ("queryTagQueue", queryTagQueue),
        ("queryAddPermission", queryAddPermission),
    ]
}
