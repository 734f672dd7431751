/// A fixed-capacity, uninitialised-on-growth Float32 buffer owned by a class.
///
/// Workspaces hold these so hot loops can use raw pointers without copy-on-write checks or exclusivity traffic.
/// Contents are not preserved across `reserve(_:)`.
public final class FloatBuffer: @unchecked Sendable {
    public private(set) var pointer: UnsafeMutablePointer<Float>
    public private(set) var capacity: Int

    public init(capacity: Int = 0) {
        self.capacity = max(capacity, 1)
        pointer = .allocate(capacity: self.capacity)
        pointer.initialize(repeating: 0, count: self.capacity)
    }

    deinit { pointer.deallocate() }

    /// Ensures room for `count` elements (growing discards the contents) and returns the base pointer.
    @inlinable @discardableResult
    public func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity { grow(count) }
        return pointer
    }

    @usableFromInline func grow(_ count: Int) {
        pointer.deallocate()
        capacity = count
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: 0, count: count)
    }

    @inlinable public func buffer(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: reserve(count), count: count)
    }

    @inlinable public func zero(_ count: Int) {
        reserve(count).update(repeating: 0, count: count)
    }

    public func array(_ count: Int) -> [Float] {
        Array(UnsafeBufferPointer(start: pointer, count: min(count, capacity)))
    }
}
