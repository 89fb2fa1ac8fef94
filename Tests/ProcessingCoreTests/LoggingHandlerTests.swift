import Foundation
import Logging
import Testing

@testable import ProcessingCore

@Suite("JSON and text log handlers")
struct LoggingHandlerTests {
    struct SampleError: Error, CustomStringConvertible {
        var description: String { "broker went away" }
    }

    /// Parses one JSON line into a dictionary, failing the test if it is not a JSON object.
    static func object(_ line: String) throws -> [String: Any] {
        let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(parsed as? [String: Any], "not a JSON object: \(line)")
    }

    @Test("JSON lines carry timestamp, level, logger, message and nested metadata")
    func jsonFields() throws {
        let writer = CapturingLogWriter()
        var logger = LoggingSetup.makeLogger(label: "ProcessingService", format: .json, level: .info, writer: writer)
        logger[metadataKey: "instance"] = "a"
        logger.info(
            "Processing event: page_view",
            metadata: [
                "event_type": "page_view",
                "partition": .stringConvertible(3),
                "nested": ["list": ["x", .dictionary(["deep": "y"])]],
            ]
        )
        let lines = writer.lines
        try #require(lines.count == 1)
        let object = try Self.object(lines[0])
        #expect(object["level"] as? String == "info")
        #expect(object["logger"] as? String == "ProcessingService")
        #expect(object["message"] as? String == "Processing event: page_view")
        let timestamp = try #require(object["timestamp"] as? String)
        #expect(timestamp.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil, "\(timestamp)")
        let parsedDate = try Date(timestamp, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true))
        #expect(abs(parsedDate.timeIntervalSinceNow) < 60)
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["event_type"] as? String == "page_view")
        #expect(metadata["partition"] as? String == "3")
        #expect(metadata["instance"] as? String == "a")
        let nested = try #require(metadata["nested"] as? [String: Any])
        let list = try #require(nested["list"] as? [Any])
        #expect(list.first as? String == "x")
        #expect((list.last as? [String: Any])?["deep"] as? String == "y")
        #expect(object["file"] == nil, "source location only at debug and trace")
        #expect(writer.rawLines[0].last == UInt8(ascii: "\n"))
        #expect(writer.rawLines[0].dropLast().contains(UInt8(ascii: "\n")) == false)
    }

    @Test("JSON strings are escaped: quotes, backslashes, control characters, unicode")
    func jsonEscaping() throws {
        let writer = CapturingLogWriter()
        let logger = LoggingSetup.makeLogger(format: .json, level: .info, writer: writer)
        let nasty = "quote \" backslash \\ newline \n tab \t cr \r nul \u{0} bell \u{7} emoji 🎉 é \u{2028}"
        logger.error("\(nasty)", metadata: ["key \"with\" quotes\n": "\(nasty)"])
        let lines = writer.lines
        try #require(lines.count == 1)
        let object = try Self.object(lines[0])
        #expect(object["message"] as? String == nasty)
        #expect((object["metadata"] as? [String: Any])?["key \"with\" quotes\n"] as? String == nasty)
        #expect(lines[0].contains(#"\u0000"#))
        #expect(lines[0].contains(#"\u0007"#))
    }

    @Test("JSON lines at debug carry the source location; an attached error becomes metadata")
    func jsonDebugAndError() throws {
        let writer = CapturingLogWriter()
        let logger = LoggingSetup.makeLogger(format: .json, level: .trace, writer: writer)
        logger.debug("looking")
        // swift-log 1.16's Logger has no call taking an error yet; LogEvent carries one, so use the handler.
        LoggingSetup.makeHandler(label: "ProcessingService", format: .json, level: .trace, writer: writer).log(event: LogEvent(
            level: .warning, message: "connect failed", error: SampleError(), metadata: nil, source: nil,
            file: #fileID, function: #function, line: #line
        ))
        let lines = writer.lines
        try #require(lines.count == 2)
        let debug = try Self.object(lines[0])
        #expect(debug["level"] as? String == "debug")
        #expect((debug["file"] as? String)?.hasSuffix("LoggingHandlerTests.swift") == true)
        #expect(debug["line"] as? Int != nil)
        #expect(debug["source"] as? String == "ProcessingCoreTests")
        let warning = try Self.object(lines[1])
        #expect((warning["metadata"] as? [String: Any])?["error"] as? String == "broker went away")
    }

    @Test("text lines match the original service's format, with sorted key=value metadata")
    func textFormat() throws {
        let writer = CapturingLogWriter()
        let logger = LoggingSetup.makeLogger(label: "ProcessingService", format: .text, level: .info, writer: writer)
        logger.info("Processing event: page_view", metadata: ["user_id": "user-123", "partition": .stringConvertible(3)])
        logger.warning("Starting Processing Service...")
        logger.error("Invalid event", metadata: ["reason": "not valid JSON", "empty": ""])
        logger.info("Nested", metadata: ["properties": ["client.id": "a b"], "list": ["x", "y"]])
        let lines = writer.lines
        try #require(lines.count == 4)
        let prefix = #/(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) - ProcessingService - /#
        let first = try #require(lines[0].prefixMatch(of: prefix), "\(lines[0])")
        #expect(lines[0][first.range.upperBound...] == "INFO - Processing event: page_view partition=3 user_id=user-123")
        #expect(lines[1].hasSuffix(" - ProcessingService - WARNING - Starting Processing Service..."))
        #expect(lines[2].hasSuffix(#" - ERROR - Invalid event empty="" reason="not valid JSON""#))
        #expect(lines[3].hasSuffix(#" - INFO - Nested list=["x","y"] properties={"client.id":"a b"}"#))
    }

    @Test("filtered levels write nothing and never render the message")
    func filtered() {
        let writer = CapturingLogWriter()
        let logger = LoggingSetup.makeLogger(format: .json, level: .warning, writer: writer)
        final class Probe: CustomStringConvertible, @unchecked Sendable {
            var rendered = false
            var description: String {
                rendered = true
                return "probe"
            }
        }
        let probe = Probe()
        logger.info("\(probe)")
        logger.debug("\(probe)")
        #expect(writer.lines.isEmpty)
        #expect(!probe.rendered)
    }

    @Test("lines logged from many threads never interleave")
    func concurrentLinesStayWhole() async throws {
        // A real file descriptor (a pipe) so the test goes through the write(2) path the service uses.
        var descriptors: [Int32] = [0, 0]
        try #require(pipe(&descriptors) == 0)
        let (readEnd, writeEnd) = (descriptors[0], descriptors[1])
        let writer = FileDescriptorLogWriter(fileDescriptor: writeEnd)
        let reading = Task.detached { () -> Data in
            var collected = Data()
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(readEnd, &buffer, buffer.count)
                if count <= 0 { break }
                collected.append(contentsOf: buffer[0..<count])
            }
            return collected
        }
        // Five values of 1,000 bytes (the longest a metadata value is written, see LogStringEscaping): a
        // line longer than PIPE_BUF, which may be written in pieces.
        let long = String(repeating: "x", count: 1_000)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    let logger = LoggingSetup.makeLogger(format: .json, level: .info, writer: writer)
                    for index in 0..<50 {
                        logger.info("line", metadata: [
                            "task": "\(task)", "index": "\(index)", "payload": "\(long)", "p2": "\(long)", "p3": "\(long)",
                            "p4": "\(long)", "p5": "\(long)",
                        ])
                    }
                }
            }
        }
        close(writeEnd)
        let output = String(decoding: await reading.value, as: UTF8.self)
        close(readEnd)
        let lines = output.split(separator: "\n")
        #expect(lines.count == 400)
        for line in lines {
            let object = try Self.object(String(line))
            let payloadWhole = (object["metadata"] as? [String: Any])?["payload"] as? String == long
            #expect(payloadWhole)
        }
    }

    @Test("bootstrap installs handlers only once")
    func bootstrapOnce() {
        // The first call may or may not be this one (other tests could bootstrap); the second never installs.
        LoggingSetup.bootstrap(format: .text, level: .critical)
        #expect(LoggingSetup.bootstrap(format: .json, level: .trace) == false)
    }
}
