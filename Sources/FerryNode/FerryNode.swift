/// FerryNode: one node — Raft, storage and the queue machine — over the Environment seam.
public enum FerryNodeModule {}
