/// How the produced events lie in the topic, checked before anything is measured.
struct TopicLayout: Sendable {
    /// Sum of high watermarks: events in the topic.
    var total: Int64
    var fewest: Int64
    var most: Int64

    /// Reads the watermarks and fails if data was trimmed (a low watermark above 0: the mock cluster
    /// dropped the oldest events of a partition, so consumers would see fewer than produced) or, when
    /// `expectedEvents` is given, if the topic does not hold exactly that many.
    static func verify(brokers: String, topic: String, partitions: Int32, expectedEvents: Int64?) throws -> TopicLayout {
        let inspector = try OffsetInspector(
            brokers: brokers, group: "consumer-benchmark-inspector", topic: topic, partitions: partitions)
        let watermarks = try inspector.watermarks()
        if let trimmed = watermarks.firstIndex(where: { $0.low != 0 }) {
            throw BenchmarkError(
                "\(topic) [\(trimmed)] starts at offset \(watermarks[trimmed].low): the mock cluster trimmed it. Produce fewer events per partition.")
        }
        let highs = watermarks.map(\.high)
        let layout = TopicLayout(total: highs.reduce(0, +), fewest: highs.min() ?? 0, most: highs.max() ?? 0)
        if let expectedEvents, layout.total != expectedEvents {
            throw BenchmarkError("\(topic) holds \(layout.total) events, expected \(expectedEvents)")
        }
        return layout
    }
}
