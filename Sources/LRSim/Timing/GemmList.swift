import Foundation
import LRCore

/// A named GEMM of a GEMM list (a layer of a topology file).
public struct NamedGemm: Sendable, Hashable, Codable {
    public var name: String
    public var shape: GemmShape
    public init(name: String, shape: GemmShape) { self.name = name; self.shape = shape }
}

/// GEMM lists for `lrsim gemm`: SCALE-Sim topology files (GEMM `Layer, M, N, K,` or convolution `Layer name, IFMAP
/// Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,`), presets, and the forward GEMMs of
/// a network.
public enum GemmList {
    /// Parses a SCALE-Sim topology CSV. The header decides the format: 4 numeric columns (M, N, K) or 7 (convolution;
    /// the IFMAP size includes any padding, as in SCALE-Sim). Errors name the file and line.
    public static func parse(text: String, file: String) throws -> [NamedGemm] {
        var result: [NamedGemm] = []
        var header: [String]? = nil
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            var fields = line.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if fields.last == "" { fields.removeLast() }
            guard header != nil else { header = fields; continue }
            let where_ = "\(file):\(n + 1)"
            guard fields.count >= 4 else {
                throw SimulationError.invalidGemmList(
                    "\(where_): expected 'name, M, N, K' or 'name, IFMAP H, IFMAP W, filter H, filter W, channels, filters, stride', got \(fields.count) fields"
                )
            }
            let numbers = try fields.dropFirst().prefix(7).enumerated().map { (i, f) -> Int in
                guard let v = Int(f.split(separator: ":").first.map(String.init) ?? f), v >= 1, v <= 1 << 30 else {
                    throw SimulationError.invalidGemmList(
                        "\(where_): field \(i + 2) ('\(f)'): expected a positive integer (at most 2^30)")
                }
                return v
            }
            let name = fields[0]
            if numbers.count >= 7 {
                let (ih, iw, fh, fw, ch, nf, s) = (
                    numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5], numbers[6]
                )
                guard fh <= ih, fw <= iw else {
                    throw SimulationError.invalidGemmList(
                        "\(where_): filter \(fh)x\(fw) larger than the IFMAP \(ih)x\(iw)")
                }
                let oh = (ih - fh) / s + 1, ow = (iw - fw) / s + 1
                result.append(NamedGemm(name: name, shape: GemmShape(m: oh * ow, n: nf, k: fh * fw * ch)))
            } else {
                result.append(NamedGemm(name: name, shape: GemmShape(m: numbers[0], n: numbers[1], k: numbers[2])))
            }
        }
        guard !result.isEmpty else {
            throw SimulationError.invalidGemmList("\(file): no GEMMs (expected a header line and one line per layer)")
        }
        return result
    }

    /// Named GEMM lists: `resnet18` (the 21 conv/fc layers of ResNet-18 at 224x224, padding folded into the IFMAP
    /// sizes, as in SCALE-Sim's topologies) and `alexnet-conv1`.
    public static func preset(_ name: String) -> [NamedGemm]? {
        switch name {
        case "resnet18":
            typealias Conv = (String, Int, Int, Int, Int, Int)  // name, ifmap (square, padded), filter, channels, filters, stride
            var convs: [Conv] = [("conv1", 230, 7, 3, 64, 2)]
            for i in 1...4 { convs.append(("layer1_conv\(i)", 58, 3, 64, 64, 1)) }
            let stages: [(Int, Int, Int, Int)] = [(2, 58, 64, 128), (3, 30, 128, 256), (4, 16, 256, 512)]
            for (s, ifmap, cin, cout) in stages {
                let inner = (ifmap - 3) / 2 + 1 + 2
                convs.append(("layer\(s)_conv1", ifmap, 3, cin, cout, 2))
                convs.append(("layer\(s)_downsample", ifmap - 2, 1, cin, cout, 2))
                for i in 2...4 { convs.append(("layer\(s)_conv\(i)", inner, 3, cout, cout, 1)) }
            }
            var list = convs.map { c -> NamedGemm in
                let o = (c.1 - c.2) / c.5 + 1
                return NamedGemm(name: c.0, shape: GemmShape(m: o * o, n: c.4, k: c.2 * c.2 * c.3))
            }
            list.append(NamedGemm(name: "fc", shape: GemmShape(m: 1, n: 1000, k: 512)))
            return list
        case "alexnet-conv1":
            return [NamedGemm(name: "conv1", shape: GemmShape(m: 3025, n: 96, k: 363))]
        default:
            return nil
        }
    }

    public static let presetNames = ["alexnet-conv1", "resnet18"]

    /// The forward GEMMs of a network for a batch.
    public static func forward(_ network: NetworkSpec, batch: Int) throws -> [NamedGemm] {
        try ComputeLayer.plan(network).map {
            NamedGemm(name: "L\($0.index) \($0.summary)", shape: $0.forwardGemm(rows: batch))
        }
    }
}
