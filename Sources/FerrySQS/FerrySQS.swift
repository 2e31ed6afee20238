/// FerrySQS: HTTP/1.1, the SQS JSON 1.0 and query protocols, SigV4.
public enum FerrySQSModule {}
