import ArgumentParser
import EventModel
import EventModelTesting

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decode-only micro-benchmark (issue 4): `EnrichedEventDecoder` against the reference decoder (Foundation's
/// `JSONDecoder` into a Codable model) on the same synthetic corpus, one thread.
///
/// A plain timing loop rather than a benchmark framework: the quantity wanted is one number per decoder
/// (events per second on one core), and it must be reproducible with one `swift run` on a machine without
/// extra tooling. It reports wall-clock rate and the rate per CPU-second of the decoding thread, which is
/// the "one core" figure and stays meaningful when other processes share the machine.
@main
struct DecodeBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode-benchmark",
        abstract: "Measures EnrichedEvent decoding speed: our decoder vs Foundation's JSONDecoder.")

    @Option(help: "Distinct synthetic events in the corpus.")
    var events = 20_000

    @Option(help: "Passes over the corpus per measurement for our decoder.")
    var passes = 25

    @Option(help: "Passes over the corpus per measurement for the reference decoder (it is ~30x slower).")
    var referencePasses = 1

    @Option(help: "Measurements per decoder; the best is reported.")
    var repetitions = 5

    @Option(help: "Seed of the synthetic corpus.")
    var seed: UInt64 = 1

    @Option(help: "Also run this many events through the whole pipeline (no Kafka) and report its CPU time per event beside the decoder's; 0 skips it.")
    var pipelineEvents = 0

    mutating func run() async throws {
        var generator = SyntheticEventGenerator(seed: seed)
        let corpus = (0..<events).map { _ in generator.next().value }
        let averageSize = corpus.reduce(0) { $0 + $1.count } / max(corpus.count, 1)
        let decoder = EnrichedEventDecoder()
        let reference = ReferenceEnrichedEventDecoder()

        // Same results first: a fast decoder that decodes differently would be measuring something else.
        for value in corpus {
            let ours = try decoder.decode(value)
            let theirs = try reference.decode(value)
            guard ours.eventID == theirs.eventID, ours.eventType == theirs.eventType,
                ours.timestamp == theirs.timestamp, ours.userID == theirs.userID,
                ours.requestID == theirs.requestID, ours.sessionID == theirs.sessionID,
                ours.pageURL == theirs.pageURL, ours.clientInfo == theirs.clientInfo,
                ours.serviceInfo == theirs.serviceInfo, ours.processingInfo == theirs.processingInfo
            else {
                throw ValidationError("decoders disagree on \(String(decoding: value, as: UTF8.self))")
            }
        }

        print("corpus: \(corpus.count) synthetic EnrichedEvents, \(averageSize) bytes on average (seed \(seed))")
        print("decoder".padding(to: 44) + "events/s (wall)".leftPadded(to: 17) + "events/CPU-s".leftPadded(to: 15))
        let decodeOnly = measure("EnrichedEventDecoder (validate only)", corpus, passes) { value in
            guard let event = try? decoder.decode(value) else { return 0 }
            return Int(event.timestamp.nanoseconds)
        }
        let withFields = measure("EnrichedEventDecoder + event_type/id/user_id", corpus, passes) { value in
            guard let event = try? decoder.decode(value) else { return 0 }
            return event.eventType.utf8.count &+ event.eventID.utf8.count &+ (event.userID?.utf8.count ?? 0)
        }
        let allFields = measure("EnrichedEventDecoder + every member", corpus, passes) { value in
            guard let event = try? decoder.decode(value) else { return 0 }
            return event.eventType.utf8.count &+ event.eventID.utf8.count &+ (event.userID?.utf8.count ?? 0)
                &+ (event.requestID?.utf8.count ?? 0) &+ (event.sessionID?.utf8.count ?? 0)
                &+ (event.pageURL?.utf8.count ?? 0) &+ (event.eventData?.bytes.count ?? 0)
                &+ (event.clientInfo?.userAgent?.utf8.count ?? 0) &+ (event.serviceInfo?.serviceName?.utf8.count ?? 0)
                &+ (event.processingInfo?.processingMs ?? 0)
        }
        let foundation = measure("Foundation JSONDecoder (reference)", corpus, referencePasses) { value in
            guard let event = try? reference.decode(value) else { return 0 }
            return Int(event.timestamp.nanoseconds)
        }
        if pipelineEvents > 0 {
            let overhead = PipelineOverhead(corpus: corpus, events: pipelineEvents, partitions: 48, batchSize: 1024)
            let result = await overhead.measure()
            let decodeMicroseconds = 1e6 / decodeOnly.perCPUSecond
            print(
                "pipeline (48 partitions, default processor): \(format(result.cpuPerEvent * 1e6, digits: 2)) µs CPU/event "
                    + "(decoding \(format(decodeMicroseconds, digits: 2)) µs, the rest \(format(result.cpuPerEvent * 1e6 - decodeMicroseconds, digits: 2)) µs), "
                    + "\(format(1 / result.wallPerEvent, digits: 0)) events/s wall")
        }
        print(
            "speed-up (CPU): \(format(decodeOnly.perCPUSecond / foundation.perCPUSecond, digits: 1))x validate only, "
                + "\(format(withFields.perCPUSecond / foundation.perCPUSecond, digits: 1))x with three fields, "
                + "\(format(allFields.perCPUSecond / foundation.perCPUSecond, digits: 1))x with every member")
    }

    struct Rate {
        var perWallSecond: Double
        var perCPUSecond: Double
    }

    /// Best of `repetitions` timings of decoding the corpus `passes` times.
    func measure(_ name: String, _ corpus: [[UInt8]], _ passes: Int, _ body: ([UInt8]) -> Int) -> Rate {
        var best = Rate(perWallSecond: 0, perCPUSecond: 0)
        var checksum = 0
        for _ in 0..<repetitions {
            let wallStart = Self.now(CLOCK_MONOTONIC)
            let cpuStart = Self.now(CLOCK_THREAD_CPUTIME_ID)
            for _ in 0..<passes {
                for value in corpus { checksum &+= body(value) }
            }
            let cpu = Self.now(CLOCK_THREAD_CPUTIME_ID) - cpuStart
            let wall = Self.now(CLOCK_MONOTONIC) - wallStart
            let decoded = Double(passes * corpus.count)
            best.perWallSecond = max(best.perWallSecond, decoded / wall)
            best.perCPUSecond = max(best.perCPUSecond, decoded / cpu)
        }
        print(
            name.padding(to: 44) + format(best.perWallSecond, digits: 0).leftPadded(to: 17)
                + format(best.perCPUSecond, digits: 0).leftPadded(to: 15) + "   (checksum \(checksum % 1000))")
        return best
    }

    static func now(_ clock: clockid_t) -> Double {
        var time = timespec()
        clock_gettime(clock, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    func format(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "-" }
        if digits == 0 {
            // Thousands separators make rates readable: 1,234,567.
            let whole = String(Int(value.rounded()))
            var grouped = ""
            for (index, character) in whole.reversed().enumerated() {
                if index > 0 && index % 3 == 0 { grouped.append(",") }
                grouped.append(character)
            }
            return String(grouped.reversed())
        }
        let scale = pow(10, Double(digits))
        return String((value * scale).rounded() / scale)
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
