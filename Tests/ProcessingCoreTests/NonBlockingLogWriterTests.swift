import Foundation
import Testing

@testable import ProcessingCore

/// Issue 11, item 3, at the writer: a reader that stops reading never blocks a logging thread; lines
/// beyond the buffer are dropped and counted, and the count is written once the reader resumes.
@Suite("NonBlockingLogWriter")
struct NonBlockingLogWriterTests {
    /// A pipe whose read end nobody reads until the test says so.
    final class UnreadPipe: Sendable {
        let readEnd: Int32
        let writeEnd: Int32

        init() throws {
            var descriptors: [Int32] = [0, 0]
            guard pipe(&descriptors) == 0 else { throw CocoaError(.fileWriteUnknown) }
            readEnd = descriptors[0]
            writeEnd = descriptors[1]
        }

        /// Fills the pipe with `line`s until it takes no more (so the next blocking write waits for a
        /// reader, whatever the thread scheduling); returns how many went in.
        func fill(with line: [UInt8]) -> Int {
            let flags = fcntl(writeEnd, F_GETFL)
            _ = fcntl(writeEnd, F_SETFL, flags | O_NONBLOCK)
            defer { _ = fcntl(writeEnd, F_SETFL, flags) }
            var count = 0
            // A write of at most PIPE_BUF bytes to a pipe is all or nothing: no line is split.
            while line.withUnsafeBytes({ write(writeEnd, $0.baseAddress, $0.count) }) == line.count { count += 1 }
            return count
        }

        /// Starts reading on a thread of its own (a blocking read must not hold a cooperative-pool thread);
        /// the returned function waits for everything written until the write end is closed.
        func readInBackground() -> () -> String {
            let done = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var text = ""
            Thread {
                text = self.readToEnd()
                done.signal()
            }.start()
            return {
                done.wait()
                return text
            }
        }

        private func readToEnd() -> String {
            var data = Data()
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(readEnd, &buffer, buffer.count)
                if count <= 0 { break }
                data.append(contentsOf: buffer[0..<count])
            }
            return String(decoding: data, as: UTF8.self)
        }

        deinit {
            close(readEnd)
        }
    }

    @Test("with nobody reading, writes return at once; kept and dropped lines add up to all lines")
    func dropsAndCounts() throws {
        let pipe = try UnreadPipe()
        let prefilled = pipe.fill(with: Array((String(repeating: "p", count: 99) + "\n").utf8))
        let writer = NonBlockingLogWriter(fileDescriptor: pipe.writeEnd, capacity: 10_000)
        let line = Array((String(repeating: "x", count: 99) + "\n").utf8)
        let lineCount = 5_000  // 500 kB: far more than the buffer (10 kB) holds

        // On a thread of its own: if a write blocked, the test would see the deadline pass, not hang.
        let finished = DispatchSemaphore(value: 0)
        Thread {
            for _ in 0..<lineCount { writer.write(line: line) }
            finished.signal()
        }.start()
        #expect(finished.wait(timeout: .now() + 30) == .success, "writing 5,000 lines blocked on the unread pipe")
        #expect(!writer.flush(timeout: .milliseconds(200)), "nothing can be flushed while nobody reads")

        // The reader resumes: everything kept comes out, each run of drops reported after the lines kept
        // before it. The writer thread takes the buffer (and the drops so far) once, when it first wakes,
        // and then waits on the full pipe until the reader resumes; the buffer refilled meanwhile is its
        // second and last batch. How many lines each batch holds depends on when that first wake-up came
        // (under load, maybe only after all 5,000 writes), so there are one or two reports, never more,
        // and together they count every line not kept.
        let reading = pipe.readInBackground()
        #expect(writer.flush(timeout: .seconds(30)))
        close(pipe.writeEnd)
        let lines = reading().split(separator: "\n")
        #expect(lines.prefix(prefilled).allSatisfy { $0 == String(repeating: "p", count: 99) })
        let kept = lines.filter { $0 == String(repeating: "x", count: 99) }.count
        let reports = lines.filter { $0.hasSuffix("log lines dropped (the log reader did not keep up)") }
        #expect((1...2).contains(reports.count), "\(lines.suffix(3))")
        let counts = try reports.map { report in try #require(Int(report.split(separator: " ")[0]), "\(report)") }
        let dropped = counts.reduce(0, +)
        #expect(counts.allSatisfy { $0 > 0 } && dropped > 0, "\(counts)")
        #expect(kept + dropped == lineCount, "kept \(kept), dropped \(dropped)")
        #expect(lines.last == reports.last, "the last report comes after the lines kept")
    }

    @Test("a live reader gets every line, in order, and nothing is reported dropped")
    func liveReader() throws {
        let pipe = try UnreadPipe()
        let reading = pipe.readInBackground()
        let writer = NonBlockingLogWriter(fileDescriptor: pipe.writeEnd)
        for index in 0..<2_000 { writer.write(line: Array("line \(index)\n".utf8)) }
        #expect(writer.flush(timeout: .seconds(30)))
        close(pipe.writeEnd)
        let lines = reading().split(separator: "\n").map(String.init)
        #expect(lines == (0..<2_000).map { "line \($0)" })
    }

    @Test("the dropped-lines report is a warning line in the configured format")
    func droppedLineFormat() throws {
        let json = String(decoding: LoggingSetup.droppedLineRenderer(format: .json)(42), as: UTF8.self)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "warning")
        #expect(object["message"] as? String == "42 log lines dropped")
        #expect((object["metadata"] as? [String: Any])?["dropped_lines"] as? String == "42")
        #expect(json.hasSuffix("}\n"))
        let text = String(decoding: LoggingSetup.droppedLineRenderer(format: .text)(42), as: UTF8.self)
        #expect(text.contains(" - ProcessingService - WARNING - 42 log lines dropped dropped_lines=42 "))
    }
}
