/// The networks the LR papers train, as simulator workloads at CIFAR scale (3x32x32 inputs, 10 classes):
/// `resnet5`, `resnet9`, `resnet18` and `vgg8` (also spelled `resnet18:cifar`, ...). Every convolution is followed by
/// batch normalisation and a ReLU; residual blocks add their input (or its strided 1x1 projection) before the last
/// ReLU. The trainer does not train them (it has no batch-norm or shortcut kernels); `lrsim sim` does.
extension NetworkSpec {
    public static let presetNames = ["resnet5", "resnet9", "resnet18", "vgg8"]

    /// A preset by name (`nil` for any other spelling).
    static func preset(_ text: String, activation: Activation) throws -> NetworkSpec? {
        let name = text.hasSuffix(":cifar") ? String(text.dropLast(6)) : text
        var b = PresetBuilder(activation: activation)
        switch name {
        case "resnet18":
            // He et al. 2016 for CIFAR (the 3x3 stem): 4 stages of 2 basic blocks, 64-128-256-512 channels.
            b.conv(3, 64)
            for (stage, channels) in [64, 128, 256, 512].enumerated() {
                for block in 0..<2 { b.basicBlock(channels, stride: stage > 0 && block == 0 ? 2 : 1) }
            }
            b.layers.append(.pool(.avg, size: 4, stride: 4))
            b.dense(512, 10)
        case "resnet9":
            // The DAWNBench ResNet-9 (Page, 2018): prep 64; 128 + pool + residual(128, 128); 256 + pool;
            // 512 + pool + residual(512, 512); pool 4; dense.
            b.conv(3, 64)
            b.conv(64, 128); b.layers.append(.pool(.max, size: 2, stride: 2)); b.identityBlock(128)
            b.conv(128, 256); b.layers.append(.pool(.max, size: 2, stride: 2))
            b.conv(256, 512); b.layers.append(.pool(.max, size: 2, stride: 2)); b.identityBlock(512)
            b.layers.append(.pool(.max, size: 4, stride: 4))
            b.dense(512, 10)
        case "resnet5":
            // A 5-layer residual network in the spirit of ULR's ResNet-5 (its exact layers are not published in a
            // readable form): stem 64 + pool; one residual block of two 64-channel convolutions; 128 + pool; pool 4;
            // dense.
            b.conv(3, 64); b.layers.append(.pool(.max, size: 2, stride: 2))
            b.identityBlock(64)
            b.conv(64, 128); b.layers.append(.pool(.max, size: 2, stride: 2))
            b.layers.append(.pool(.avg, size: 4, stride: 4))
            b.dense(128 * 2 * 2, 10)
        case "vgg8":
            // VGG-style, 6 convolutions and 2 dense layers: 64 P 128 P 256 256 P 512 512 P, dense 2048-256-10.
            for (cin, cout, pool) in [
                (3, 64, true), (64, 128, true), (128, 256, false), (256, 256, true),
                (256, 512, false), (512, 512, true),
            ] {
                b.conv(cin, cout)
                if pool { b.layers.append(.pool(.max, size: 2, stride: 2)) }
            }
            b.dense(512 * 2 * 2, 256, activated: true)
            b.dense(256, 10)
        default:
            return nil
        }
        return NetworkSpec(name: text, inputShape: [3, 32, 32], layers: b.layers)
    }

    /// Whether the trainer can run every layer (the simulator-only layers: batch norm and shortcuts).
    public var isTrainable: Bool { !layers.contains(where: \.isSimulatorOnly) }
}

/// Builds a preset layer by layer.
private struct PresetBuilder {
    let activation: Activation
    var layers: [LayerSpec] = []

    /// 3x3 convolution (padding 1), batch norm, activation.
    mutating func conv(_ cin: Int, _ cout: Int, stride: Int = 1, activated: Bool = true) {
        layers.append(.conv2d(ConvSpec(inChannels: cin, outChannels: cout, kernel: 3, stride: stride, padding: 1)))
        layers.append(.batchNorm)
        if activated { layers.append(.activation(activation)) }
    }

    mutating func dense(_ i: Int, _ o: Int, activated: Bool = false) {
        if !layers.contains(.flatten) { layers.append(.flatten) }
        layers.append(.dense(inputs: i, outputs: o))
        if activated { layers.append(.activation(activation)) }
    }

    /// Two 3x3 convolutions whose result is added to the block's input, then the activation.
    mutating func identityBlock(_ channels: Int) {
        let input = layers.count - 1
        conv(channels, channels)
        conv(channels, channels, activated: false)
        layers.append(.residual(from: input))
        layers.append(.activation(activation))
    }

    /// ResNet's basic block: with a stride or a channel change the shortcut is a strided 1x1 projection.
    mutating func basicBlock(_ channels: Int, stride: Int) {
        let input = layers.count - 1
        let cin = inputChannels()
        conv(cin, channels, stride: stride)
        conv(channels, channels, activated: false)
        if stride != 1 || cin != channels {
            layers.append(
                .projection(ConvSpec(inChannels: cin, outChannels: channels, kernel: 1, stride: stride), from: input))
        } else {
            layers.append(.residual(from: input))
        }
        layers.append(.activation(activation))
    }

    /// Channels of the current tensor (the last convolution's output).
    func inputChannels() -> Int {
        for l in layers.reversed() {
            if case let .conv2d(c) = l { return c.outChannels }
            if case let .projection(c, _) = l { return c.outChannels }
        }
        return 3
    }
}
