import CLibUV

/// The process's C heap, as a whole.
public enum ProcessMemory {
    /// Hands the heap's free pages back to the kernel (glibc's `malloc_trim`). `free` returns only the top of
    /// the heap; pages freed below live allocations stay resident until reused. Walks the free lists once:
    /// milliseconds for a heap of a gigabyte, so for rare moments (after a start), not per request.
    public static func returnFreePages() {
        #if os(Linux)
        _ = malloc_trim(0)
        #endif
    }
}
