/// A dense, row-major Float32 tensor on one contiguous buffer.
///
/// Kept deliberately plain: the hot loops take `withUnsafe(Mutable)BufferPointer` and work on raw pointers; the type
/// exists to carry a shape with its storage and to make copies explicit (Swift arrays are copy-on-write).
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var data: [Float]

    @inlinable public var count: Int { data.count }
    @inlinable public var rank: Int { shape.count }

    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count, "Tensor shape \(shape) does not match \(data.count) elements")
        self.shape = shape
        self.data = data
    }

    public init(zeros shape: [Int]) {
        self.shape = shape
        self.data = [Float](repeating: 0, count: shape.reduce(1, *))
    }

    public init(repeating value: Float, shape: [Int]) {
        self.shape = shape
        self.data = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// Rows of a rank-2 view (first dimension) and the product of the remaining dimensions.
    @inlinable public var rows: Int { shape.first ?? 1 }
    @inlinable public var rowLength: Int { rows == 0 ? 0 : count / rows }

    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }

    @inlinable
    public subscript(row r: Int) -> ArraySlice<Float> {
        let n = rowLength
        return data[(r * n)..<((r + 1) * n)]
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String { "Tensor\(shape)" }
}
