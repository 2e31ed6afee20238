/// FerryQueue: the replicated queue state machine with SQS semantics. Deterministic: standard library only.
public enum FerryQueueModule {}
