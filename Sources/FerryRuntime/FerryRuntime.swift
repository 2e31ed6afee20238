import CLibUV
/// FerryRuntime: the production Environment on libuv.
public enum FerryRuntimeModule {
    /// The libuv version this binary runs against, e.g. "1.44.2".
    public static var libuvVersion: String { String(cString: uv_version_string()) }
}
