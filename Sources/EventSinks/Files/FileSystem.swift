#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX file calls the file sink needs, with `errno` turned into ``FileSystemError``. Foundation's
/// `FileManager` has no `fsync`, no way to sync a directory and no non-replacing rename, which durability
/// and idempotence need.
enum FileSystem {
    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `mkdir -p`; returns the directories it created, outermost first.
    @discardableResult
    static func makeDirectories(_ path: String) throws(FileSystemError) -> [String] {
        if isDirectory(path) { return [] }
        var created: [String] = []
        let parent = parent(of: path)
        if parent != path, !parent.isEmpty { created = try makeDirectories(parent) }
        if mkdir(path, 0o755) != 0 {
            let code = errno
            // Made meanwhile by another writer: fine.
            guard code == EEXIST, isDirectory(path) else { throw FileSystemError("mkdir", path, code) }
            return created
        }
        return created + [path]
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates (or truncates) `path`, writes `bytes`, `fsync`s it when `sync`, and closes it.
    static func write(_ bytes: UnsafeRawBufferPointer, to path: String, sync: Bool) throws(FileSystemError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileSystemError("open", path, errno) }
        var written = 0
        while written < bytes.count {
            let result = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if result < 0 {
                let code = errno
                if code == EINTR { continue }
                close(descriptor)
                throw FileSystemError("write", path, code)
            }
            written += result
        }
        if sync, fsync(descriptor) != 0 {
            let code = errno
            close(descriptor)
            throw FileSystemError("fsync", path, code)
        }
        guard close(descriptor) == 0 else { throw FileSystemError("close", path, errno) }
    }

    /// Links `source` to `destination`; false when `destination` exists already.
    static func link(_ source: String, to destination: String) throws(FileSystemError) -> Bool {
        if Glibc.link(source, destination) == 0 { return true }
        let code = errno
        if code == EEXIST { return false }
        throw FileSystemError("link", destination, code)
    }

    /// Linux's `syncfs(2)`, looked up at run time: Swift's Glibc module does not declare it (it is a GNU
    /// extension), and it does not exist elsewhere.
    private static let syncfsFunction: (@convention(c) (Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
    }()

    /// Whether ``syncFileSystem(containing:)`` is available.
    static var canSyncFileSystem: Bool { syncfsFunction != nil }

    /// Writes out and waits for everything pending on the file system holding `path` (data and metadata),
    /// reporting write-back errors (Linux 5.8 and later).
    static func syncFileSystem(containing path: String) throws(FileSystemError) {
        guard let syncfs = syncfsFunction else { throw FileSystemError("syncfs", path, ENOSYS) }
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileSystemError("open", path, errno) }
        defer { close(descriptor) }
        guard syncfs(descriptor) == 0 else { throw FileSystemError("syncfs", path, errno) }
    }

    /// `fsync` on a directory: makes the names created in it durable.
    static func syncDirectory(_ path: String) throws(FileSystemError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileSystemError("open", path, errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw FileSystemError("fsync", path, errno) }
    }

    /// Removes every file in `directory` (not in its subdirectories): the temporary files a crash left.
    static func removeFiles(in directory: String) {
        guard let handle = opendir(directory) else { return }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            guard name != ".", name != ".." else { continue }
            unlink("\(directory)/\(name)")
        }
    }
}

/// A failed file call: which, on what, and `strerror`'s text.
struct FileSystemError: Error, CustomStringConvertible {
    var call: String
    var path: String
    var code: Int32

    init(_ call: String, _ path: String, _ code: Int32) {
        self.call = call
        self.path = path
        self.code = code
    }

    var description: String { "\(call) \(path): \(String(cString: strerror(code)))" }
}
