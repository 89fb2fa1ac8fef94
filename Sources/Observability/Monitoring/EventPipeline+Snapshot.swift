import ProcessingCore

extension EventPipeline: PipelineSnapshotSource {
    /// The pipeline's statistics as a `PipelineSnapshot`.
    public func pipelineSnapshot() -> PipelineSnapshot {
        let statistics = self.statistics
        return PipelineSnapshot(
            totals: ServiceStatus.Totals(
                consumed: statistics.received,
                processed: statistics.processed,
                failedAttempts: statistics.failedAttempts,
                retries: 0,
                deadLettered: statistics.deadLettered,
                invalid: statistics.invalid,
                halted: statistics.halted
            ),
            failedAttemptsByClass: statistics.failedAttempts > 0 ? ["processing_failed": statistics.failedAttempts] : [:]
        )
    }
}
