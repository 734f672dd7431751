/// Range checks of a decoded checkpoint. The CRC proves only that the bytes are the ones written: a hand-edited or
/// forged file with a valid CRC could resume at epoch -1 (training an extra epoch), at epoch 99 (training nothing),
/// with a negative Adam step count or with NaN weights (reported later as "training diverged", blaming --lr). Each
/// field is checked against what the trainer will do with it, and a failure names the field (reliability report D14).
extension Checkpoint {
    /// Throws `TrainingError.checkpoint` naming the first field out of range.
    func validate() throws {
        func fail(_ field: String, _ message: String) -> TrainingError {
            .checkpoint(path: path, "field '\(field)': \(message)")
        }
        do { _ = try config.resolved() } catch {
            throw TrainingError.checkpoint(path: path, "field 'config' holds invalid settings: \(error)")
        }
        guard (0...config.epochs).contains(epoch) else {
            throw fail(
                "epoch",
                "expected 0...\(config.epochs) (completed epochs of a \(config.epochs)-epoch run), got \(epoch)")
        }
        guard epochs.count == epoch else {
            throw fail("epochs", "expected \(epoch) records (one per completed epoch), got \(epochs.count)")
        }
        for (i, e) in epochs.enumerated() where e.epoch != i + 1 {
            throw fail("epochs[\(i)].epoch", "expected \(i + 1), got \(e.epoch)")
        }
        guard epoch == 0 ? optimizerSteps == 0 : optimizerSteps >= epoch else {
            throw fail(
                "optimizer_steps",
                epoch == 0
                    ? "expected 0 before the first epoch, got \(optimizerSteps)"
                    : "expected at least \(epoch) (one step per completed epoch or more), got \(optimizerSteps)")
        }
        let n = parameters.count
        let secondCount = config.optimizer == .adam ? n : 0
        guard optimizerFirst.count == n, optimizerSecond.count == secondCount else {
            throw fail(
                "optimizer",
                "\(config.optimizer.rawValue) keeps \(n) + \(secondCount) moment values for \(n) parameters, got \(optimizerFirst.count) + \(optimizerSecond.count)"
            )
        }
        for (name, values) in [
            ("parameters", parameters), ("optimizer first moment", optimizerFirst),
            ("optimizer second moment", optimizerSecond),
        ] {
            if let i = values.firstIndex(where: { !$0.isFinite }) {
                throw fail(name, "value \(i) of \(values.count) is \(values[i]), expected finite numbers")
            }
        }
        if let i = optimizerSecond.firstIndex(where: { $0 < 0 }) {
            throw fail(
                "optimizer second moment",
                "value \(i) of \(n) is \(optimizerSecond[i]), expected >= 0 (a mean of squares)")
        }
    }
}
