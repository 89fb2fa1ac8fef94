import Observability
import Testing

@Suite("librdkafka statistics")
struct KafkaStatisticsTests {
    /// Trimmed from a real librdkafka 2.0.2 document against a one-broker mock cluster: a bootstrap entry,
    /// the learned broker, and the logical coordinator entry carrying the coordinator's node id.
    static let document = #"""
    {"name":"rdkafka#consumer-1","type":"consumer","ts":1,"brokers":{
      "127.0.0.1:40001/bootstrap":{"name":"127.0.0.1:40001/bootstrap","nodeid":-1,"source":"configured","state":"UP"},
      "127.0.0.1:40001/1":{"name":"127.0.0.1:40001/1","nodeid":1,"source":"learned","state":"UP","toppars":{}},
      "127.0.0.1:40002/2":{"name":"127.0.0.1:40002/2","nodeid":2,"source":"learned","state":"TRY_CONNECT"},
      "GroupCoordinator":{"name":"GroupCoordinator","nodeid":1,"source":"logical","state":"UP"}},
     "topics":{},"cgrp":{"state":"up","stateage":100,"join_state":"steady","rebalance_age":5,"rebalance_cnt":1,
      "rebalance_reason":"","assignment_size":3}}
    """#

    @Test("counts distinct real brokers that are up, and reads the group's state")
    func parsesBrokersAndGroup() throws {
        let statistics = try #require(KafkaStatistics(json: Self.document))
        #expect(statistics.brokersUp == 1)
        #expect(statistics.brokersKnown == 2)
        #expect(statistics.isGroupSettled)
        #expect(statistics.assignmentSize == 3)
    }

    @Test("a group still joining is not settled; garbage is not a document")
    func joiningIsNotSettled() throws {
        let joining = Self.document.replacingOccurrences(of: #""join_state":"steady""#, with: #""join_state":"wait-sync""#)
        #expect(try #require(KafkaStatistics(json: joining)).isGroupSettled == false)
        #expect(KafkaStatistics(json: "not json") == nil)
    }
}
