import Foundation

/// The few facts read from librdkafka's statistics document (STATISTICS.md): how many brokers have a
/// working connection, and the consumer group's state.
///
/// Parsed with Foundation's `JSONDecoder` on the reader's thread (the poll thread only copies the text);
/// unknown members are ignored, so later librdkafka versions' additions do not matter.
public struct KafkaStatistics: Sendable, Equatable {
    /// Brokers (real ones: node id ≥ 0, not bootstrap or coordinator aliases) in state `UP`.
    public var brokersUp: Int
    /// Real brokers librdkafka knows.
    public var brokersKnown: Int
    /// `cgrp.state`, e.g. `up` once the coordinator is known.
    public var groupState: String?
    /// `cgrp.join_state`, `steady` once the assignment has settled.
    public var joinState: String?
    /// `cgrp.assignment_size`.
    public var assignmentSize: Int?

    public init(brokersUp: Int, brokersKnown: Int, groupState: String?, joinState: String?, assignmentSize: Int?) {
        self.brokersUp = brokersUp
        self.brokersKnown = brokersKnown
        self.groupState = groupState
        self.joinState = joinState
        self.assignmentSize = assignmentSize
    }

    /// Whether the member is in the group with its assignment settled.
    public var isGroupSettled: Bool {
        groupState == "up" && joinState == "steady"
    }

    /// Parses a statistics document; nil when it is not one.
    public init?(json: String) {
        guard let document = try? JSONDecoder().decode(Document.self, from: Data(json.utf8)) else { return nil }
        // The logical GroupCoordinator entry carries the coordinator's node id, and a bootstrap entry
        // takes its broker's id once known: count distinct node ids of non-logical entries.
        let real = (document.brokers ?? [:]).values.filter { ($0.nodeid ?? -1) >= 0 && $0.source != "logical" }
        self.init(
            brokersUp: Set(real.filter { $0.state == "UP" }.compactMap(\.nodeid)).count,
            brokersKnown: Set(real.compactMap(\.nodeid)).count,
            groupState: document.cgrp?.state,
            joinState: document.cgrp?.join_state,
            assignmentSize: document.cgrp?.assignment_size
        )
    }

    // The members of the document this reads, named as librdkafka names them.
    private struct Document: Decodable {
        var brokers: [String: Broker]?
        var cgrp: Group?
    }

    private struct Broker: Decodable {
        var nodeid: Int?
        var state: String?
        /// `configured` (bootstrap), `learned` (from metadata) or `logical` (the coordinator alias).
        var source: String?
    }

    private struct Group: Decodable {
        var state: String?
        var join_state: String?
        var assignment_size: Int?
    }
}
