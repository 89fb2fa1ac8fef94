import EventModel
import Kafka
import Logging
import ProcessingCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pipeline without Kafka: the same corpus as records of `partitions` partitions, handed to an
/// `EventPipeline` (default processor, `LOG_LEVEL=warning`) in batches the way the poll thread hands them
/// over (runs of one partition). Reports the process CPU time per event, so that subtracting the decoder's
/// time per event gives what the pipeline itself costs: workers, hand-offs, offsets, bookkeeping.
struct PipelineOverhead {
    var corpus: [[UInt8]]
    var events: Int
    var partitions: Int32
    var batchSize: Int

    /// A `ConsumerControl` that only counts: the benchmark measures the pipeline, not the consumer.
    final class CountingControl: ConsumerControl {
        func storeOffsets(_ offsets: [TopicPartitionOffset]) {}
        func pause(_ partitions: [TopicPartition]) {}
        func resume(_ partitions: [TopicPartition]) {}
    }

    /// CPU seconds of the whole process per event processed.
    func measure() async -> (cpuPerEvent: Double, wallPerEvent: Double) {
        var logger = Logger(label: "pipeline-overhead")
        logger.logLevel = .warning
        let pipeline = EventPipeline(
            processor: LoggingEventProcessor(), deadLetters: nil,
            settings: PipelineSettings(retryPolicy: .default, deadLetterBackoff: .default, consumerGroup: "benchmark"),
            logger: logger)
        let topicPartitions = (0..<partitions).map { TopicPartition(topic: "benchmark-events", partition: $0) }
        pipeline.assign(topicPartitions, control: CountingControl())

        // Batches as librdkafka hands them out: runs of one partition, partitions taking turns.
        let runLength = max(1, batchSize / Int(partitions))
        var batches: [[KafkaRecord]] = []
        var nextOffset = [Int64](repeating: 0, count: Int(partitions))
        var produced = 0
        var corpusIndex = 0
        var partition = 0
        while produced < events {
            var batch: [KafkaRecord] = []
            batch.reserveCapacity(batchSize)
            while batch.count < batchSize, produced < events {
                for _ in 0..<min(runLength, events - produced) {
                    batch.append(KafkaRecord(
                        topicPartition: topicPartitions[partition], offset: nextOffset[partition], key: nil,
                        value: corpus[corpusIndex], timestampMilliseconds: nil))
                    nextOffset[partition] += 1
                    corpusIndex = (corpusIndex + 1) % corpus.count
                    produced += 1
                }
                partition = (partition + 1) % Int(partitions)
            }
            batches.append(batch)
        }

        let cpuStart = Self.processCPUSeconds()
        let wallStart = ContinuousClock.now
        for batch in batches { pipeline.receive(batch) }
        while pipeline.statistics.processed < events {
            try? await Task.sleep(for: .milliseconds(1))
        }
        let wall = ContinuousClock.now - wallStart
        let cpu = Self.processCPUSeconds() - cpuStart
        pipeline.stopTakingEvents()
        _ = await pipeline.waitForInFlightEvents(timeout: .seconds(10))
        let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        return (cpu / Double(events), wallSeconds / Double(events))
    }

    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}
