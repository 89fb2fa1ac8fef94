/// One line of the control protocol that `mock-kafka` reads on standard input.
///
/// Every line gets exactly one answer line, `OK` or `ERR <reason>`, so a client can send a command and
/// wait for its answer without any other framing. Words are separated by spaces or tabs.
enum ControlCommand: Equatable, Sendable {
    case createTopic(name: String, partitions: Int, replicationFactor: Int)
    case brokerDown(Int32)
    case brokerUp(Int32)
    case roundTripTime(broker: Int32, milliseconds: Int)
    case pushErrors(apiKey: Int16, errorCodes: [Int32])
    case clearErrors(apiKey: Int16)
    case coordinator(group: String, broker: Int32)
    case leader(topic: String, partition: Int32, broker: Int32?)
    case topicError(topic: String, errorCode: Int32)
    case ping
    case quit

    /// The protocol as shown by `help` and `--help`.
    static let usage = """
          create-topic NAME PARTITIONS [REPLICATION]
              create a topic
          broker-down ID | broker-up ID
              take broker ID (1...N) down, or bring it back
          rtt ID MS
              delay every response of broker ID by MS milliseconds (0 = none)
          push-errors APIKEY ERRCODE [ERRCODE...]
              fail the next requests of Kafka API APIKEY with these Kafka error
              codes, in order (0 = let one through). APIKEY: 0 Produce, 1 Fetch,
              8 OffsetCommit, 11 JoinGroup, 12 Heartbeat, 14 SyncGroup
          clear-errors APIKEY
              drop the pushed errors of APIKEY not used yet
          coordinator GROUP ID
              make broker ID the coordinator of consumer group GROUP
          leader TOPIC PARTITION ID|none
              make broker ID the partition's leader (none = no leader)
          topic-error TOPIC ERRCODE
              make metadata report ERRCODE for TOPIC (0 clears it)
          ping
              answer OK (liveness check)
          quit
              answer OK, stop the cluster and exit
        """

    /// Parses one line.
    /// - Throws: `ControlCommandError` with a one-line reason for an unknown command or bad arguments.
    init(parsing line: String) throws(ControlCommandError) {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let verb = words.first else { throw ControlCommandError("empty command") }
        var arguments = ArgumentReader(verb: verb, words: words.dropFirst())
        switch verb {
        case "create-topic":
            let name = try arguments.word("NAME")
            let partitions = try arguments.integer("PARTITIONS", as: Int.self, minimum: 1)
            let replication = try arguments.optionalInteger("REPLICATION", as: Int.self, minimum: 1) ?? 1
            self = .createTopic(name: name, partitions: partitions, replicationFactor: replication)
        case "broker-down":
            self = .brokerDown(try arguments.integer("ID", as: Int32.self, minimum: 1))
        case "broker-up":
            self = .brokerUp(try arguments.integer("ID", as: Int32.self, minimum: 1))
        case "rtt":
            let broker = try arguments.integer("ID", as: Int32.self, minimum: 1)
            let milliseconds = try arguments.integer("MS", as: Int.self, minimum: 0)
            self = .roundTripTime(broker: broker, milliseconds: milliseconds)
        case "push-errors":
            let apiKey = try arguments.integer("APIKEY", as: Int16.self, minimum: 0)
            var codes = [try arguments.integer("ERRCODE", as: Int32.self, minimum: Int32.min)]
            while let code = try arguments.optionalInteger("ERRCODE", as: Int32.self, minimum: Int32.min) {
                codes.append(code)
            }
            self = .pushErrors(apiKey: apiKey, errorCodes: codes)
        case "clear-errors":
            self = .clearErrors(apiKey: try arguments.integer("APIKEY", as: Int16.self, minimum: 0))
        case "coordinator":
            let group = try arguments.word("GROUP")
            self = .coordinator(group: group, broker: try arguments.integer("ID", as: Int32.self, minimum: 1))
        case "leader":
            let topic = try arguments.word("TOPIC")
            let partition = try arguments.integer("PARTITION", as: Int32.self, minimum: 0)
            let broker: Int32?
            if arguments.peek() == "none" {
                _ = try arguments.word("ID")
                broker = nil
            } else {
                broker = try arguments.integer("ID", as: Int32.self, minimum: 1)
            }
            self = .leader(topic: topic, partition: partition, broker: broker)
        case "topic-error":
            let topic = try arguments.word("TOPIC")
            self = .topicError(topic: topic, errorCode: try arguments.integer("ERRCODE", as: Int32.self, minimum: Int32.min))
        case "ping":
            self = .ping
        case "quit":
            self = .quit
        default:
            throw ControlCommandError("unknown command '\(verb)' (commands: create-topic, broker-down, broker-up, rtt, push-errors, clear-errors, coordinator, leader, topic-error, ping, quit)")
        }
        try arguments.expectEnd()
    }
}

/// Why a control line was rejected; `reason` is one line, sent back as `ERR <reason>`.
struct ControlCommandError: Error, Equatable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Reads the arguments of one command, producing errors that name the command and the argument.
private struct ArgumentReader {
    let verb: String
    var words: ArraySlice<String>

    func peek() -> String? { words.first }

    mutating func word(_ name: String) throws(ControlCommandError) -> String {
        guard let word = words.popFirst() else { throw ControlCommandError("\(verb): missing \(name)") }
        return word
    }

    mutating func integer<Value: FixedWidthInteger>(
        _ name: String, as type: Value.Type, minimum: Value
    ) throws(ControlCommandError) -> Value {
        let word = try word(name)
        guard let value = Value(word), value >= minimum else {
            throw ControlCommandError("\(verb): \(name) must be an integer of at least \(minimum), got '\(word)'")
        }
        return value
    }

    mutating func optionalInteger<Value: FixedWidthInteger>(
        _ name: String, as type: Value.Type, minimum: Value
    ) throws(ControlCommandError) -> Value? {
        guard !words.isEmpty else { return nil }
        return try integer(name, as: type, minimum: minimum)
    }

    func expectEnd() throws(ControlCommandError) {
        if let extra = words.first {
            throw ControlCommandError("\(verb): unexpected argument '\(extra)'")
        }
    }
}
