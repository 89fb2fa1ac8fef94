import Kafka
import Logging
import Synchronization
import Testing
import TestSupport
@testable import Kafka

/// Issue 12's producer hazards: a close answers every `send` before the handle goes, `produce` waiting
/// for queue space does not hold the producer's lock while it flushes, and a producer whose poll thread
/// cannot start does not destroy its handle on the (maybe cooperative-pool) thread that created it.
@Suite(.timeLimit(.minutes(3)))
struct ProducerCloseTests {
    @Test("every registered send is answered by failAll, once, and a later report finds it answered")
    func pendingSendsAreAnsweredOnce() async throws {
        let registry = PendingSends()
        let results = await withTaskGroup(of: Result<TopicPartitionOffset, KafkaError>.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    await withUnsafeContinuation { continuation in
                        registry.add(DeliveryPromise(topic: "t", registry: registry, continuation: continuation))
                    }
                }
            }
            // Every send registered before the close answers them.
            while registry.count < 3 { await Task.yield() }
            #expect(registry.failAll(KafkaError(kind: .closed, message: "closed")) == 3)
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 3)
        #expect(results.allSatisfy { if case .failure(let error) = $0 { error.kind == .closed } else { false } })
        #expect(registry.count == 0)
    }

    @Test("sends waiting for a partition without leader all throw when the producer closes, and close returns in time")
    func closeAnswersEverySend() async throws {
        let broker = try await MockBroker(topics: ["stuck": 1])
        defer { broker.requestStop() }
        try await broker.send(command: "leader stuck 0 none")
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration([
                "bootstrap.servers": broker.bootstrapServers, "linger.ms": "0", "enable.idempotence": "true", "log_level": "3",
            ]),
            logger: Logger(label: "producer-close"))
        let sends = (0..<5).map { index in
            Task { () -> KafkaError? in
                do throws(KafkaError) {
                    _ = try await producer.send(ProducerRecord(topic: "stuck", partition: 0, key: nil, value: [UInt8(index)]))
                    return nil
                } catch {
                    return error
                }
            }
        }
        let started = ContinuousClock.now
        await producer.close(flushTimeout: .milliseconds(200))
        let took = ContinuousClock.now - started
        for send in sends {
            #expect(await send.value != nil, "a send still waiting for a leader fails at the close")
        }
        #expect(took < .seconds(5), "close took \(took): flush timeout plus the purge's half second")
    }

    @Test("a producer whose poll thread cannot start destroys its handle on a thread of its own, then throws")
    func pollThreadStartFailure() async throws {
        let started = Mutex<[String]>([])
        let (destroyed, signal) = AsyncStream<Void>.makeStream()
        // Refuses the poll thread; starts any other thread for real and reports when its body returned.
        let starter: DedicatedThread.Starter = { name, body in
            started.withLock { $0.append(name) }
            guard name != "kafka-producer" else { return false }
            return DedicatedThread.start(name: name) {
                body()
                signal.yield()
            }
        }
        let failure = #expect(throws: KafkaError.self) {
            try ProducerCore(configuration: KafkaConfiguration(["log_level": "0"]), logger: Logger(label: "producer-start"), startThread: starter)
        }
        #expect(failure?.kind == .other)
        try #require(started.withLock { $0 } == ["kafka-producer", "kafka-destroy"], "the destroy runs on a thread of its own")
        let finished = await value(within: .seconds(60)) { await destroyed.first { _ in true } != nil }
        #expect(finished == true, "the destroy thread finished")
    }
}
