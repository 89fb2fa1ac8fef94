import Kafka
import KafkaMockCluster

extension ControlCommand {
    /// Carries out a cluster command. `ping` and `quit` change nothing here; the caller handles `quit`.
    func apply(to cluster: MockCluster) throws(KafkaError) {
        switch self {
        case let .createTopic(name, partitions, replicationFactor):
            try cluster.createTopic(name: name, partitions: partitions, replicationFactor: replicationFactor)
        case let .brokerDown(broker):
            try cluster.setBrokerDown(broker)
        case let .brokerUp(broker):
            try cluster.setBrokerUp(broker)
        case let .roundTripTime(broker, milliseconds):
            try cluster.setBrokerRTT(broker, milliseconds: milliseconds)
        case let .pushErrors(apiKey, errorCodes):
            try cluster.pushRequestErrors(apiKey: apiKey, errors: errorCodes)
        case let .clearErrors(apiKey):
            try cluster.clearRequestErrors(apiKey: apiKey)
        case let .coordinator(group, broker):
            try cluster.setCoordinator(group: group, brokerID: broker)
        case let .leader(topic, partition, broker):
            try cluster.setPartitionLeader(topic: topic, partition: partition, brokerID: broker)
        case let .topicError(topic, errorCode):
            try cluster.setTopicError(topic: topic, errorCode: errorCode)
        case .ping, .quit:
            break
        }
    }
}
