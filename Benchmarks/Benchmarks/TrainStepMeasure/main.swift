// Where a backprop training step of mlp:784-256-10 (batch 128) spends its time, phase by phase, at the shapes of the
// speed comparison with the numpy peer (docs/results.md section 4). Wall clock, median of many repetitions, on
// Parallel.threads workers (set LRSIM_THREADS to compare). Outside the ordo-one harness because its malloc
// interposer and bookkeeping distort kernels this short.
//   swift run -c release TrainStepMeasure
import COpenBLAS
import Foundation
import LRCore
import LRTrain

func median(_ reps: Int, _ body: () -> Void) -> Double {
    for _ in 0..<max(3, reps / 10) { body() }
    var times = [Double]()
    times.reserveCapacity(reps)
    for _ in 0..<reps {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e3)
    }
    return times.sorted()[reps / 2]
}

func report(_ name: String, _ micros: Double, flops: Double = 0) {
    let rate = flops > 0 ? String(format: "  %6.1f GFLOP/s", flops / micros / 1e3) : ""
    let padded = name.count < 48 ? name + String(repeating: " ", count: 48 - name.count) : name
    print(padded + String(format: "%9.2f us", micros) + rate)
}

/// Busy work proportional to `n` that the optimizer cannot remove (a dependent multiply chain).
@inline(never) func spin(_ n: Int) -> UInt64 {
    var s: UInt64 = 0x1234_5678
    for _ in 0..<(n / 4) { s = s &* 0x5851_F42D_4C95_7F2D &+ (s >> 29) }
    return s
}

/// Deterministic operand values (an LCG), so runs are comparable.
struct LCG {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    mutating func next() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 24)
    }
}

/// A type, not top-level code: top-level closures are main-actor isolated and must not run on workers.
enum TrainStep {
    static func measure() throws {
        var lcg = LCG()
        func next() -> Float { lcg.next() }
        let (B, D, H, C) = (128, 784, 256, 10)
        print("BLAS core \(BLAS.configure().coreName), \(Parallel.threads) threads; batch \(B), mlp:\(D)-\(H)-\(C)")

        // Operands with realistic values (pixels in [0,1] with zeros, small weights).
        let x = (0..<(B * D)).map { _ in max(0, next() * 2 - 1) }
        let w = (0..<(H * D)).map { _ in (next() - 0.5) * 0.1 }
        let dy = (0..<(B * H)).map { _ in (next() - 0.5) * 0.01 }
        var y = [Float](repeating: 0, count: B * H)
        var dw = [Float](repeating: 0, count: H * D)

        print("-- phases")
        // Fork-join cost: a region of two chunks of busy work (one per core) minus one chunk run directly.
        let sink = UnsafeMutablePointer<UInt64>.allocate(capacity: 64)
        defer { sink.deallocate() }
        sink[63] = 0
        let serial = median(5000) { sink[0] = spin(10_000 &+ Int(sink[63])) }
        let forked = median(5000) { Parallel.forEach(chunks: 2) { c in sink[c &* 8] = spin(10_000 &+ Int(sink[63])) } }
        report("fork-join overhead (2 chunks of \(String(format: "%.1f", serial)) us)", forked - serial)
        x.withUnsafeBufferPointer { x in w.withUnsafeBufferPointer { w in dy.withUnsafeBufferPointer { dy in
        y.withUnsafeMutableBufferPointer { y in dw.withUnsafeMutableBufferPointer { dw in
            let fwdFlops = 2.0 * Double(B * H * D)
            report("forward GEMM  X W^T  128x256x784", median(2000) {
                BLAS.sgemm(transB: true, m: B, n: H, k: D, a: x.baseAddress!, lda: D, b: w.baseAddress!, ldb: D,
                           c: y.baseAddress!, ldc: H)
            }, flops: fwdFlops)
            report("weight-gradient GEMM  dY^T X  256x784x128", median(2000) {
                BLAS.sgemm(transA: true, m: H, n: D, k: B, a: dy.baseAddress!, lda: H, b: x.baseAddress!, ldb: D, beta: 1,
                           c: dw.baseAddress!, ldc: D)
            }, flops: fwdFlops)
            print("-- GEMM splits (one single-threaded OpenBLAS call per panel)")
            Splits.run(x: x.baseAddress!, w: w.baseAddress!, dy: dy.baseAddress!, y: y.baseAddress!,
                       dw: dw.baseAddress!, B: B, D: D, H: H)
        } } } } }

        // Adam over the whole parameter vector.
        let spec = try NetworkSpec.parse("mlp:\(D)-\(H)-\(C)")
        // Its own parameter vector: 2,000 updates along one random gradient wreck the weights they move.
        var scratch = Network(spec: spec, seed: 1).parameters
        var scratchAdam = Optimizer(kind: .adam, learningRate: 1e-3, parameterCount: scratch.count)
        let grad = (0..<scratch.count).map { _ in (next() - 0.5) * 1e-3 }
        report("Adam, \(scratch.count) parameters", median(2000) {
            grad.withUnsafeBufferPointer { scratchAdam.apply(gradient: $0.baseAddress!, to: &scratch) }
        })
        var network = Network(spec: spec, seed: 1)
        var adam = Optimizer(kind: .adam, learningRate: 1e-3, parameterCount: network.parameters.count)
        var zeros = grad
        report("zero the gradient vector", median(2000) { zeros.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } })

        // Gathering a shuffled batch out of a 60,000-sample set (188 MB: rows come from DRAM, as in training). Real
        // Fashion-MNIST when installed: synthetic clusters are learnt to a near-zero loss whose subnormal gradients
        // would time the FPU's slow path instead of the training step.
        let real = try? DatasetCatalog.load(name: "fashion-mnist", dataDir: nil, split: .train)
        let train = try real ?? SyntheticDataset.make(SyntheticSpec(trainCount: 60000, testCount: 1), split: .train)
        print("-- data: \(train.name), \(train.count) samples")
        let batcher = try Batcher(sampleCount: train.count, batchSize: B, seed: 1)
        let order = batcher.order(epoch: 0)
        var batch = Batch(capacity: B, features: D)
        var b = 0
        report("gather a shuffled batch (128 x 784)", median(2000) {
            batch.gather(from: train, order: order, batcher: batcher, batch: b)
            b = (b + 1) % batcher.batchesPerEpoch
        })

        // The whole estimate: forward, loss, backward into a zeroed gradient.
        let engine = BackpropEngine(spec: spec)
        var g = [Float](repeating: 0, count: network.parameters.count)
        batch.gather(from: train, order: order, batcher: batcher, batch: 0)
        report("forward only (ForwardWorkspace, both layers)", median(1000) {
            batch.images.withUnsafeBufferPointer { xb in network.parameters.withUnsafeBufferPointer { p in
                _ = engine.workspace.forward(parameters: p.baseAddress!, layout: network.layout, from: 0,
                                             input: xb.baseAddress!, rows: B)
            } }
        }, flops: 2.0 * Double(B * H * D + B * C * H))
        // The backward pass's small pieces, at their shapes.
        let h = (0..<(B * H)).map { _ in max(0, next() - 0.5) }
        let dz = (0..<(B * C)).map { _ in (next() - 0.5) * 0.1 }
        var dh = [Float](repeating: 0, count: B * H), dw1 = [Float](repeating: 0, count: C * H + C)
        var dw0 = [Float](repeating: 0, count: H * D + H)
        h.withUnsafeBufferPointer { h in dz.withUnsafeBufferPointer { dz in dh.withUnsafeMutableBufferPointer { dh in
        dw1.withUnsafeMutableBufferPointer { dw1 in dw0.withUnsafeMutableBufferPointer { dw0 in
        network.parameters.withUnsafeBufferPointer { p in batch.images.withUnsafeBufferPointer { xb in
            let w1 = p.baseAddress! + H * D + H
            report("  layer 2 weight gradient 10x256x128", median(2000) {
                DenseKernels.weightGradient(x: h.baseAddress!, dy: dz.baseAddress!, rows: B, inputs: H, outputs: C, scale: 1,
                                            dWeight: dw1.baseAddress!, dBias: dw1.baseAddress! + C * H, accumulate: false)
            })
            report("  layer 2 input gradient 128x256x10", median(2000) {
                DenseKernels.inputGradient(dy: dz.baseAddress!, rows: B, inputs: H, outputs: C, weight: w1, dx: dh.baseAddress!)
            })
            report("  ReLU backward 128x256", median(2000) {
                ActivationKernels.backward(.relu, x: h.baseAddress!, y: h.baseAddress!, dy: h.baseAddress!, dx: dh.baseAddress!,
                                           count: B * H)
            })
            report("  layer 0 weight + bias gradient (stored)", median(2000) {
                DenseKernels.weightGradient(x: xb.baseAddress!, dy: h.baseAddress!, rows: B, inputs: D, outputs: H, scale: 1,
                                            dWeight: dw0.baseAddress!, dBias: dw0.baseAddress! + H * D, accumulate: false)
            })
            report("  layer 0 weight + bias gradient (accumulated)", median(2000) {
                DenseKernels.weightGradient(x: xb.baseAddress!, dy: h.baseAddress!, rows: B, inputs: D, outputs: H, scale: 1,
                                            dWeight: dw0.baseAddress!, dBias: dw0.baseAddress! + H * D, accumulate: true)
            })
        } } } } } } }
        let gradientReps = CommandLine.arguments.contains("--profile-gradient") ? 20000 : 1000
        report("BackpropEngine.gradient (forward + backward)", median(gradientReps) {
            batch.images.withUnsafeBufferPointer { xb in batch.labels.withUnsafeBufferPointer { yb in
                g.withUnsafeMutableBufferPointer { gb in
                    gb.update(repeating: 0)
                    _ = engine.gradient(network: network, input: xb.baseAddress!, labels: yb.baseAddress!, rows: B,
                                        into: gb.baseAddress!)
                }
            } }
        }, flops: 4.0 * Double(B * H * D + B * C * H))

        report("String(format:) of the progress detail", median(2000) {
            sink[1] = UInt64(String(format: "loss %.4f", Double(sink[63]) + 0.5).utf8.count)
        })
        // The step's phases in sequence, as the loop runs them, to expose cache effects between phases.
        var step = 0
        report("gather + zero + gradient + Adam, in sequence", median(400) {
            batch.gather(from: train, order: order, batcher: batcher, batch: step % batcher.batchesPerEpoch)
            step += 1
            batch.images.withUnsafeBufferPointer { xb in batch.labels.withUnsafeBufferPointer { yb in
                g.withUnsafeMutableBufferPointer { gb in
                    gb.update(repeating: 0)
                    _ = engine.gradient(network: network, input: xb.baseAddress!, labels: yb.baseAddress!, rows: B,
                                        into: gb.baseAddress!)
                }
            } }
            g.withUnsafeBufferPointer { adam.apply(gradient: $0.baseAddress!, to: &network.parameters) }
        })

        // The training loop itself (gather, zero, estimate, Adam, bookkeeping) over a full synthetic epoch.
        var config = TrainingConfiguration(estimator: EstimatorSettings(kind: .bp, copies: [32], sigma: [0.1]))
        config.data = train.name
        config.epochs = 1
        config.seed = 1
        let trainer = try Trainer(config: config, train: train, test: try SyntheticDataset.make(SyntheticSpec(trainCount: 1, testCount: 100), split: .test))
        trainer.showProgress = false
        var epochs = [Double]()
        for e in 0..<3 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = try trainer.trainEpoch(e)
            epochs.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e3)
        }
        report("Trainer.trainEpoch per step (median of 3 epochs)", epochs.sorted()[1] / Double(trainer.stepsPerEpoch))
    }
}


/// GEMM split experiments: C = op(A) op(B) cut into `panels` pieces along rows or columns of C, one single-threaded
/// OpenBLAS call per piece, the pieces spread over Parallel's workers.
enum Splits {
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                     b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                     panels: Int, alongRows: Bool) {
        let extent = alongRows ? m : n
        let width = (extent + panels - 1) / panels
        Parallel.forEach(chunks: panels) { p in
            let lo = p * width, len = min(extent, lo + width) - lo
            if alongRows {
                cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                            Int32(len), Int32(n), Int32(k), 1, a + (transA ? lo : lo * lda), Int32(lda), b, Int32(ldb),
                            0, c + lo * ldc, Int32(ldc))
            } else {
                cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                            Int32(m), Int32(len), Int32(k), 1, a, Int32(lda), b + (transB ? lo * ldb : lo), Int32(ldb),
                            0, c + lo, Int32(ldc))
            }
        }
    }

    static func run(x: UnsafePointer<Float>, w: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                    y: UnsafeMutablePointer<Float>, dw: UnsafeMutablePointer<Float>, B: Int, D: Int, H: Int) {
        let flops = 2.0 * Double(B * H * D)
        for (panels, rows) in [(1, true), (2, true), (2, false), (4, false), (4, true), (8, false)] {
            report("fwd X W^T  \(panels) panels along \(rows ? "rows" : "cols")", median(1000) {
                gemm(transA: false, transB: true, m: B, n: H, k: D, a: x, lda: D, b: w, ldb: D, c: y, ldc: H,
                     panels: panels, alongRows: rows)
            }, flops: flops)
        }
        for (panels, rows) in [(1, true), (2, true), (4, true), (2, false)] {
            report("fwd^T W X^T  \(panels) panels along \(rows ? "rows" : "cols")", median(1000) {
                gemm(transA: false, transB: true, m: H, n: B, k: D, a: w, lda: D, b: x, ldb: D, c: y, ldc: B,
                     panels: panels, alongRows: rows)
            }, flops: flops)
        }
        for (panels, rows) in [(1, true), (2, true), (2, false), (4, false), (4, true)] {
            report("dW dY^T X  \(panels) panels along \(rows ? "rows" : "cols")", median(1000) {
                gemm(transA: true, transB: false, m: H, n: D, k: B, a: dy, lda: H, b: x, ldb: D, c: dw, ldc: D,
                     panels: panels, alongRows: rows)
            }, flops: flops)
        }
        openblas_set_num_threads(Int32(Parallel.threads))
        report("fwd, OpenBLAS's own threading", median(1000) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(B), Int32(H), Int32(D), 1, x, Int32(D), w, Int32(D), 0, y, Int32(H))
        }, flops: flops)
        report("dW, OpenBLAS's own threading", median(1000) {
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(H), Int32(D), Int32(B), 1, dy, Int32(H), x, Int32(D), 0, dw, Int32(D))
        }, flops: flops)
        openblas_set_num_threads(1)
    }
}

try TrainStep.measure()
