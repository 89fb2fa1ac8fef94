import CRdKafka

/// The rebalance callback, for both protocols. librdkafka calls it on the poll thread, inside
/// `rd_kafka_consumer_poll` or `rd_kafka_consumer_close`; the group protocol does not proceed
/// until it returns, and a member that does not (un)assign here stays stuck in the rebalance.
///
/// - EAGER (`range`, `roundrobin`): every rebalance revokes the whole assignment, then assigns a new
///   whole assignment; `rd_kafka_assign` replaces it.
/// - COOPERATIVE (`cooperative-sticky`): only moved partitions are revoked, only added partitions are
///   assigned; `rd_kafka_incremental_(un)assign` change it.
extension ConsumerPollLoop {
    func handleRebalance(
        client: OpaquePointer, code: rd_kafka_resp_err_t, partitions list: NativeTopicPartitionList.Pointer
    ) {
        let incremental = rebalanceProtocol(client) == "COOPERATIVE"
        switch code {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            assign(list, client: client, incremental: incremental)
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            revoke(list, client: client, incremental: incremental)
        default:
            // A rebalance error: librdkafka expects the assignment to be dropped (rdkafka.h).
            report(KafkaError(code: code, context: "rebalance"))
            state.observations.recordRebalance(.lost)
            let everything = Array(state.withLock { $0.assignment })
            let pausedAndRevoked = state.withLock { $0.didRevoke(everything, incremental: false) }
            resumeBeforeUnassign(pausedAndRevoked)
            rd_kafka_assign(client, nil)
        }
    }

    /// `rd_kafka_rebalance_protocol`, which is documented to return NULL on error: then the protocol
    /// the consumer was configured with (`cooperative-sticky` alone means COOPERATIVE), never a trap.
    func rebalanceProtocol(_ client: OpaquePointer) -> String {
        if let name = rd_kafka_rebalance_protocol(client) { return String(cString: name) }
        return configuredCooperative ? "COOPERATIVE" : "EAGER"
    }

    private func assign(_ list: NativeTopicPartitionList.Pointer, client: OpaquePointer, incremental: Bool) {
        hasBeenAssigned = true
        let partitions = NativeTopicPartitionList.partitions(of: list)
        // Debug: the delegate (the service's pipeline) logs assignments at info, with what it stored.
        logger.debug(
            "Partitions assigned",
            metadata: ["partitions": "\(partitions.map(\.description).joined(separator: ","))",
                       "protocol": "\(incremental ? "cooperative" : "eager")"])
        state.withLock { $0.didAssign(partitions, incremental: incremental) }
        state.observations.recordRebalance(.assigned)
        if let consumer {
            delegate.consumer(consumer, didAssign: partitions)
        }
        if options.readFromBeginning {
            // Setting the start offset in the list passed to assign is how librdkafka starts a partition
            // somewhere else than its committed offset (seeking needs an assigned, fetching partition).
            // Only the first assignment of a partition in this run starts at the beginning; later ones
            // resume from what this run committed.
            for index in NativeTopicPartitionList.elements(of: list).indices {
                let element = list.pointee.elems[index]
                if partitionsStartedFromBeginning.insert(TopicPartition(element)).inserted {
                    list.pointee.elems[index].offset = Int64(RD_KAFKA_OFFSET_BEGINNING)
                }
            }
        }
        if incremental {
            if let error = rd_kafka_incremental_assign(client, list) {
                report(KafkaError(consuming: error, context: "incremental assign"))
            }
        } else {
            let err = rd_kafka_assign(client, list)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { report(KafkaError(code: err, context: "assign")) }
        }
    }

    /// Revoke order (the delegate contract depends on it): apply queued requests (stores of finished
    /// work while the partitions are still assigned) -> ask the delegate for its last finished offsets
    /// -> apply requests it made meanwhile -> store the returned offsets (unless lost) -> commit synchronously in manual mode (automatic mode commits on
    /// unassign by itself) -> forget paused state -> unassign.
    private func revoke(_ list: NativeTopicPartitionList.Pointer, client: OpaquePointer, incremental: Bool) {
        applyPendingRequests()
        let partitions = NativeTopicPartitionList.partitions(of: list)
        let lost = rd_kafka_assignment_lost(client) != 0
        state.observations.recordRebalance(lost ? .lost : .revoked)
        logger.debug(
            lost ? "Partitions lost" : "Partitions revoked",
            metadata: ["partitions": "\(partitions.map(\.description).joined(separator: ","))"])
        let finished = consumer.map { delegate.consumer($0, willRevoke: partitions, lost: lost) } ?? []
        // Requests the delegate made from inside willRevoke (e.g. a last storeOffsets) apply now, while
        // the partitions are still assigned.
        applyPendingRequests()
        if lost {
            // Another member may already own these partitions: storing or committing now could move
            // its committed offsets backwards.
            if !finished.isEmpty {
                logger.debug("Ignored offsets of lost partitions", metadata: ["count": "\(finished.count)"])
            }
        } else {
            let revoked = Set(partitions)
            var stores = finished.filter { revoked.contains($0.topicPartition) }
            // During the close these are what its final commit must take (reported if it does not).
            if finalCommit != nil {
                finalCommit?.expect(stores)
                state.withLock { $0.recordStoredAtClose(stores) }
            }
            storeNow(&stores)
            if commitMode == .manual {
                commitNow(asynchronously: false)
            }
        }
        let pausedAndRevoked = state.withLock { $0.didRevoke(partitions, incremental: incremental) }
        resumeBeforeUnassign(pausedAndRevoked)
        if incremental {
            if let error = rd_kafka_incremental_unassign(client, list) {
                report(KafkaError(consuming: error, context: "incremental unassign"))
            }
        } else {
            let err = rd_kafka_assign(client, nil)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { report(KafkaError(code: err, context: "unassign")) }
        }
        revokedDuringPoll = true
    }

    /// Clears librdkafka's application pause flag of partitions being revoked, so that a later
    /// re-assignment of the same partition (which starts from the committed offset) fetches again
    /// instead of staying silently paused.
    private func resumeBeforeUnassign(_ partitions: [TopicPartition]) {
        guard !partitions.isEmpty else { return }
        NativeTopicPartitionList.withList(partitions) { list in
            _ = rd_kafka_resume_partitions(handle.client, list)
        }
    }

}
