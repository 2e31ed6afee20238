/// FerryStorage: the durable Raft log (WAL segments, hard state, snapshots) over a FileSystem seam.
public enum FerryStorageModule {}
