import ArgumentParser

/// A topic to create at start-up, written `NAME:PARTITIONS` on the command line (`NAME` alone means one
/// partition).
struct TopicSpecification: ExpressibleByArgument, Equatable, Sendable {
    var name: String
    var partitions: Int

    init(name: String, partitions: Int) {
        self.name = name
        self.partitions = partitions
    }

    init?(argument: String) {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1 where !parts[0].isEmpty:
            self.init(name: String(parts[0]), partitions: 1)
        case 2 where !parts[0].isEmpty:
            guard let partitions = Int(parts[1]), partitions >= 1 else { return nil }
            self.init(name: String(parts[0]), partitions: partitions)
        default:
            return nil
        }
    }

    static var defaultValueDescription: String { "NAME:PARTITIONS" }
}
