import CLRShims

/// Process-wide allocator settings for loops that allocate megabyte buffers every iteration.
public enum MemoryTuning {
    /// Blocks up to `mmapThreshold` bytes come from the heap, and freed heap tops up to `trimThreshold` bytes stay
    /// mapped (glibc `mallopt`; nothing elsewhere). Later allocations of the same sizes then reuse pages instead of
    /// faulting zeroed ones in.
    public static func keepLargeBlocks(mmapThreshold: Int32, trimThreshold: Int32) {
        lrsim_keep_large_blocks(mmapThreshold, trimThreshold)
    }
}
