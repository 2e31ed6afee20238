/// FerrySim: the deterministic simulator library behind `ferry-sim`.
public enum FerrySimModule {}
