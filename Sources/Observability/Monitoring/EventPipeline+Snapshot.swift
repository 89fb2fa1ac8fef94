import ProcessingCore

extension EventPipeline: PipelineSnapshotSource {
    /// The pipeline's counts, per-partition progress and histograms as a `PipelineSnapshot`.
    public func pipelineSnapshot() -> PipelineSnapshot {
        let statistics = self.statistics
        let progress = partitionProgress()
        return PipelineSnapshot(
            totals: ServiceStatus.Totals(
                consumed: statistics.received,
                processed: statistics.processed,
                failedAttempts: statistics.failedAttempts,
                retries: statistics.retries,
                deadLettered: statistics.deadLettered,
                invalid: statistics.invalid,
                halted: statistics.halted
            ),
            progress: progress.mapValues { PipelineSnapshot.Progress(nextOffset: $0.nextOffset, pauseReasons: $0.pauseReasons) },
            consumedByPartition: consumedByPartition(current: progress),
            failedAttemptsByClass: Dictionary(uniqueKeysWithValues: statistics.failedAttemptsByClass.map { ($0.key.name, $0.value) }),
            deadLettersByClass: Dictionary(uniqueKeysWithValues: statistics.deadLettersByClass.map { ($0.key.name, $0.value) }),
            processingDuration: statistics.histograms.processingDuration,
            eventAge: statistics.histograms.eventAge
        )
    }
}
