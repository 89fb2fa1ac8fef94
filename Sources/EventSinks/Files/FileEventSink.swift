#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Logging
import ProcessingCore
import Synchronization

/// Stores each event as a file, `FILES_DIR/YYYY/MM/DD/<event_id>.json` (see ``EventFileLayout``): the
/// record's value exactly as received.
///
/// Durable and atomic: each file is written under a temporary name in `FILES_DIR/.incoming`, made durable,
/// then linked to its final name, and the directories that changed are made durable before `write`
/// returns; a reader never sees a partial file, and a crash leaves at most temporary files in `.incoming`
/// (emptied at the next start, without walking the whole tree). `link` rather than `rename` because it
/// fails when the name exists instead of replacing it: an existing file is a duplicate, counted and left as
/// it is.
///
/// Durable how: on Linux with one `syncfs(2)` of the file system for the batch's contents and one for its
/// names — two flushes per batch instead of an `fsync` per file and directory (a few milliseconds each on
/// a journaling file system: a plain loop doing that manages a few hundred files a second). `syncfs` also
/// flushes whatever else is pending on that file system, so give `FILES_DIR` a file system of its own
/// when other heavy writers share the disk. Elsewhere, each file and directory is `fsync`ed.
///
/// Files are written by several threads of its own at once, off Swift's cooperative pool.
public final class FileEventSink: EventSink {
    public let name = "files"
    private let layout: EventFileLayout
    private let logger: Logger
    /// Threads writing files at once (each blocks in `fsync` most of the time).
    private let lanes: Int
    private let queue = DispatchQueue(label: "file-event-sink")

    public init(directory: String, logger: Logger, concurrentWrites: Int = 8) {
        self.layout = EventFileLayout(root: directory)
        self.logger = logger
        self.lanes = max(1, concurrentWrites)
    }

    public func open() async throws(EventSinkError) {
        let root = layout.root
        let layout = layout
        let result: Result<Void, EventSinkError> = await onQueue {
            do throws(FileSystemError) {
                try FileSystem.makeDirectories(layout.incoming)
                FileSystem.removeFiles(in: layout.incoming)
                return .success(())
            } catch {
                return .failure(.unavailable("\(root): \(error)"))
            }
        }
        try result.get()
        logger.info("Connected to the event store", metadata: ["sink": "\(name)", "directory": "\(root)"])
    }

    public func write(_ batch: [SinkEvent]) async throws(EventSinkError) -> SinkWriteResult {
        let layout = layout
        let lanes = lanes
        let result: Result<SinkWriteResult, EventSinkError> = await onQueue {
            Self.write(batch, layout: layout, lanes: lanes)
        }
        return try result.get()
    }

    public func close() async {}

    private static func write(_ batch: [SinkEvent], layout: EventFileLayout, lanes: Int) -> Result<SinkWriteResult, EventSinkError> {
        // Names first: a bad event_id rejects the event before anything is written.
        var directories: [String] = []
        directories.reserveCapacity(batch.count)
        for (index, event) in batch.enumerated() {
            if let problem = EventFileLayout.problem(withFileName: event.event.eventID) {
                return .failure(.rejected(problem, eventIndex: index))
            }
            directories.append(layout.directory(for: event.event.timestamp))
        }
        // Directories next, remembering the ones created: their parents must be synced too.
        var changedDirectories = Set<String>()
        do throws(FileSystemError) {
            try FileSystem.makeDirectories(layout.incoming)
            for directory in Set(directories) {
                for created in try FileSystem.makeDirectories(directory) {
                    changedDirectories.insert(FileSystem.parent(of: created))
                }
            }
        } catch {
            return .failure(.unavailable("\(error)"))
        }
        // Files: contents under temporary names, `lanes` at a time, made durable (one `syncfs` for the
        // batch where the system has it, else an `fsync` each), then linked to their names.
        let syncWholeFileSystem = FileSystem.canSyncFileSystem
        let targets = directories
        let outcomes = Mutex([FileOutcome](repeating: .duplicate, count: batch.count))
        DispatchQueue.concurrentPerform(iterations: min(lanes, batch.count)) { lane in
            var index = lane
            while index < batch.count {
                let outcome = writeContent(
                    batch[index], directory: targets[index], incoming: layout.incoming, sync: !syncWholeFileSystem)
                outcomes.withLock { $0[index] = outcome }
                index += lanes
            }
        }
        var written = outcomes.withLock { $0 }
        defer {
            for case .written(let temporary, _) in written { unlink(temporary) }
        }
        do throws(FileSystemError) {
            if syncWholeFileSystem, written.contains(where: { if case .written = $0 { true } else { false } }) {
                try FileSystem.syncFileSystem(containing: layout.incoming)
            }
            var result = SinkWriteResult.zero
            for index in written.indices {
                switch written[index] {
                case .written(let temporary, let final):
                    if try FileSystem.link(temporary, to: final) {
                        result.stored += 1
                        changedDirectories.insert(directories[index])
                    } else {
                        result.duplicates += 1
                    }
                case .duplicate:
                    result.duplicates += 1
                case .failed(let error):
                    throw error
                }
            }
            // The new names (and the directories made for them) are durable only once their directories are.
            if syncWholeFileSystem {
                if !changedDirectories.isEmpty { try FileSystem.syncFileSystem(containing: layout.root) }
            } else {
                for directory in changedDirectories { try FileSystem.syncDirectory(directory) }
            }
            return .success(result)
        } catch {
            return .failure(.unavailable("\(error)"))
        }
    }

    private enum FileOutcome {
        /// The content is in `temporary`, to be linked to `final`.
        case written(temporary: String, final: String)
        /// `final` exists already.
        case duplicate
        case failed(FileSystemError)
    }

    /// Writes the event's value under a temporary name in `incoming` (synced when `sync`), unless its file
    /// exists already.
    private static func writeContent(_ event: SinkEvent, directory: String, incoming: String, sync: Bool) -> FileOutcome {
        let eventID = event.event.eventID
        let final = "\(directory)/\(eventID).json"
        if FileSystem.exists(final) { return .duplicate }
        // Unique per record and process: the same event_id twice in a batch (two records) or the same record
        // written by two instances during a rebalance never share a temporary file.
        let temporary = "\(incoming)/\(eventID).\(event.topicPartition.partition).\(event.offset).\(getpid()).tmp"
        do throws(FileSystemError) {
            try event.record.withUnsafeValue { value throws(FileSystemError) in
                try FileSystem.write(value ?? UnsafeRawBufferPointer(start: nil, count: 0), to: temporary, sync: sync)
            }
            return .written(temporary: temporary, final: final)
        } catch {
            unlink(temporary)
            return .failed(error)
        }
    }

    /// Runs `body` on the sink's queue (blocking file calls stay off the cooperative pool).
    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }
}
