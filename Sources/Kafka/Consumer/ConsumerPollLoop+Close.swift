import CRdKafka
import Logging

/// The poll thread's close: leave the group without tripping librdkafka 2.0.2's sticky-assignor bug,
/// and say at error level when the final commit failed.
///
/// librdkafka #4312 (fixed in 2.3.0 by PR #4381): destroying a `cooperative-sticky` consumer aborts the
/// process (`rd_kafka_sticky_assignor_state_destroy: Assertion 'assignor_state' failed`) when a
/// JoinGroup response has chosen the assignor but no SyncGroup assignment has created its state yet —
/// that is, when it is closed in the middle of its first group join (2.0.2's `rd_kafka_cgrp_destroy_final`
/// destroys the state without checking it). The state, once created, lives until the handle is
/// destroyed. So before closing, the loop asks librdkafka which protocol the group chose
/// (`rd_kafka_rebalance_protocol`: "NONE" while no JoinGroup was answered, the assignor unset):
/// - an assignment was received, or the protocol is "NONE" or "EAGER": closing and destroying is safe;
/// - "COOPERATIVE" with no assignment yet: keep polling (bounded, `joinSettleLimit`) until the
///   assignment arrives; if it does not, close (leave the group), but leave the handle undestroyed —
///   the process is about to exit, and destroying it would abort.
/// Residual window: a JoinGroup answer that lands between the "NONE" check and the close taking effect
/// (one round trip to librdkafka's main thread, microseconds) is not covered.
extension ConsumerPollLoop {
    /// How long the close waits at most for a group join in progress to deliver its assignment.
    static let joinSettleLimit: Duration = .seconds(3)

    /// Whether the handle may be destroyed after the close.
    enum CloseOutcome {
        case closed
        /// Closed, but destroying the handle would crash (see above).
        case leftUndestroyed(String)
    }

    func close() -> CloseOutcome {
        // Stores requested before close() are applied while the partitions are still assigned; the
        // revoke that rd_kafka_consumer_close triggers then commits them.
        applyPendingRequests()
        finalCommit = FinalCommitRecord()
        let destroyable = waitForJoinToSettle()
        logger.debug("Closing consumer")
        let err = rd_kafka_consumer_close(handle.client)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR, fatalError == nil {
            logger.warning("Consumer close reported an error", metadata: ["error": "\(KafkaError(code: err))"])
        }
        reportFinalCommit()
        guard destroyable else {
            return .leftUndestroyed("closed during its first group join; destroying it would abort in librdkafka 2.0.2 (#4312)")
        }
        return .closed
    }

    /// Polls (dropping records: the close was requested) until destroying the handle after a close is
    /// safe, at most `joinSettleLimit` and at most until the close deadline.
    /// - Returns: whether the handle may be destroyed.
    private func waitForJoinToSettle() -> Bool {
        let deadline = min(ContinuousClock.now + Self.joinSettleLimit, state.withLock { $0.closeDeadline } ?? .now + Self.joinSettleLimit)
        var waited = false
        while !hasBeenAssigned {
            guard let name = rd_kafka_rebalance_protocol(handle.client) else { return false }
            // "NONE": no JoinGroup answered yet, so no assignor whose state could be missing.
            // "EAGER": range and roundrobin keep no state. Only the cooperative-sticky assignor crashes.
            if String(cString: name) != "COOPERATIVE" { return true }
            if ContinuousClock.now >= deadline {
                logger.notice("The group join did not finish before the close", metadata: ["waited": "\(Self.joinSettleLimit)"])
                return false
            }
            if !waited {
                logger.info("Closing during the group join: waiting for its assignment first (librdkafka #4312)")
                waited = true
            }
            if let message = rd_kafka_consumer_poll(handle.client, Self.pollTimeoutMilliseconds) {
                rd_kafka_message_destroy(message)
            }
        }
        return true
    }

    /// Says what the final commit did: an error line naming every partition and offset that the
    /// brokers did not take (their events will be delivered again), a debug line otherwise.
    private func reportFinalCommit() {
        guard let record = finalCommit else { return }
        if record.failed.isEmpty {
            if !record.expected.isEmpty {
                logger.debug("Final commit done", metadata: ["positions": "\(record.expected.count)"])
            }
            return
        }
        logger.error(
            "Final commit failed: these positions were not committed, so the events from them on will be delivered again",
            metadata: [
                "uncommitted": "\(record.uncommitted.joined(separator: ","))",
                "error": "\(record.errors.joined(separator: "; "))",
            ])
    }
}
