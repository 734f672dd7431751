import Foundation
import LRCore
import LRIO
import LRTrace

/// Checks that a trace header written by lrsim's trainer says what its `config_json` says: the model (spec, activation,
/// the layer table the spec gives), the estimator (name, perturbed layers, copies, sigma, noise, seed, noise-key
/// layout), the optimizer (name, learning rate, batch size, epochs) and `trace_every`. Every one of those fields is a
/// function of the configuration, so the check rebuilds the header the recorder would write and compares field by
/// field.
///
/// `sim` reads the network, batch size and copies from the header and `replay` and `trace verify` rebuild the network
/// from `config_json`: a CRC-valid header whose fields were edited (`spec` mlp:784-99-10 over a 784-32-10 layer table,
/// `batch_size` 99 over batches of 32, `copies` 9 over 4 recorded copies) was simulated or replayed as if true
/// (reliability report D9). LRTrace checks what the format itself fixes (`TraceReader` refuses a header that
/// contradicts itself); this adds what only the trainer knows.
public enum TraceHeaderCheck {
    /// Each field of `header` that differs from what its `config_json` gives, one line each. Traces from other
    /// producers (whose `config_json` is not an lrsim configuration) have nothing to compare: no problems.
    public static func problems(_ header: TraceHeader) -> [String] {
        guard let config = try? JSONReport.decode(TrainingConfiguration.self, from: Data(header.configJSON.utf8)) else {
            return header.producer == TraceRecorder.producer
                ? ["config_json is not an lrsim training configuration, though \(header.producer) wrote the trace"] : []
        }
        let layout: TraceModelLayout
        do {
            let (resolved, _) = try config.resolved()
            layout = try TrainableModels.build(resolved, datapath: nil).traceLayout
            return differences(
                header,
                TraceRecorder.header(
                    config: resolved, layout: layout, dataset: header.dataset,
                    notes: header.notes))
        } catch {
            return ["config_json holds invalid settings: \(error)"]
        }
    }

    /// Throws the first problem as one line naming `file`.
    public static func validate(_ header: TraceHeader, file: String) throws {
        let found = problems(header)
        guard let first = found.first else { return }
        let more = found.count > 1 ? " (and \(found.count - 1) more; `lrsim trace verify` lists them)" : ""
        throw TraceError(file: file, location: .file, category: .malformed, problem: "header: " + first + more)
    }

    static func differences(_ h: TraceHeader, _ e: TraceHeader) -> [String] {
        var out: [String] = []
        func compare<T: Equatable>(_ field: String, _ a: T, _ b: T) {
            if a != b { out.append("field '\(field)' is \(show(a)), but config_json gives \(show(b))") }
        }
        compare("model.spec", h.model.spec, e.model.spec)
        compare("model.activation", h.model.activation, e.model.activation)
        compare("model.input_shape", h.model.inputShape, e.model.inputShape)
        if h.model.layers != e.model.layers {
            if h.model.layers.count != e.model.layers.count {
                out.append(
                    "field 'model.layers' has \(h.model.layers.count) layers, but config_json's model \(e.model.spec) has \(e.model.layers.count)"
                )
            } else if let i = h.model.layers.indices.first(where: { h.model.layers[$0] != e.model.layers[$0] }) {
                out.append(
                    "field 'model.layers[\(i)]' is \(describe(h.model.layers[i])), but config_json's model \(e.model.spec) has \(describe(e.model.layers[i]))"
                )
            }
        }
        let a = h.estimator, b = e.estimator
        compare("estimator.name", a.name, b.name)
        compare("estimator.perturbed_layers", a.perturbedLayers, b.perturbedLayers)
        compare("estimator.copies", a.copies, b.copies)
        compare("estimator.sigma", a.sigma, b.sigma)
        compare("estimator.antithetic", a.antithetic, b.antithetic)
        compare("estimator.baseline", a.baseline, b.baseline)
        compare("estimator.sign_encoding", a.signEncoding, b.signEncoding)
        compare("estimator.noise", a.noise, b.noise)
        compare("estimator.qmc", a.qmc, b.qmc)
        compare("estimator.seed", a.seed, b.seed)
        compare("estimator.noise_key_layout", a.noiseKeyLayout, b.noiseKeyLayout)
        compare("optimizer.name", h.optimizer.name, e.optimizer.name)
        compare("optimizer.learning_rate", h.optimizer.learningRate, e.optimizer.learningRate)
        compare("optimizer.batch_size", h.optimizer.batchSize, e.optimizer.batchSize)
        compare("optimizer.epochs", h.optimizer.epochs, e.optimizer.epochs)
        compare("optimizer.settings", h.optimizer.settings, e.optimizer.settings)
        compare("trace_every", h.traceEvery, e.traceEvery)
        return out
    }

    static func show<T>(_ v: T) -> String {
        if let s = v as? String { return "'\(s)'" }
        if let d = v as? [String: Double] {
            return "{" + d.keys.sorted().map { "\($0): \(d[$0]!)" }.joined(separator: ", ") + "}"
        }
        return "\(v)"
    }

    static func describe(_ l: TraceLayer) -> String {
        let params = l.parameters.map { "\($0.name) \($0.shape)" }.joined(separator: ", ")
        return "\(l.kind) \(l.inputShape) -> \(l.outputShape)" + (params.isEmpty ? "" : " (\(params))")
    }
}
