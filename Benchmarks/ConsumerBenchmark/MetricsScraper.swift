import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `--scrape-metrics`: GETs the service's `/metrics` every second while it is measured, as a Prometheus
/// would, so the benchmark shows what the HTTP server and a live scrape cost the service. Runs on a thread of
/// the benchmark process (its CPU time is not the service's); failures before the server is up are counted,
/// not fatal.
final class MetricsScraper: @unchecked Sendable {
    // `@unchecked`: the counters are guarded by `lock`; `stopped` is read by the scraping thread under it.
    private let lock = NSLock()
    private var stopped = false
    private var scrapes = 0
    private var failures = 0
    private var bytes = 0
    private let url: URL

    init(port: Int) {
        url = URL(string: "http://127.0.0.1:\(port)/metrics")!
        let thread = Thread { [self] in loop() }
        thread.name = "metrics-scraper"
        thread.start()
    }

    /// A loopback port that was free a moment ago (the service is told it up front: at LOG_LEVEL=warning it
    /// does not log the port it bound).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchmarkError("socket: errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard ok else { throw BenchmarkError("cannot find a free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Stops scraping. - Returns: a one-line summary.
    func stop() -> String {
        lock.withLock {
            stopped = true
            return "\(scrapes) scrapes of /metrics (\(bytes / max(1, scrapes)) bytes each), \(failures) failed"
        }
    }

    private func loop() {
        while !lock.withLock({ stopped }) {
            let done = DispatchSemaphore(value: 0)
            var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: 2)
            request.httpMethod = "GET"
            URLSession.shared.dataTask(with: request) { [self] data, response, _ in
                lock.withLock {
                    if let data, (response as? HTTPURLResponse)?.statusCode == 200 {
                        scrapes += 1
                        bytes += data.count
                    } else {
                        failures += 1
                    }
                }
                done.signal()
            }.resume()
            done.wait()
            Thread.sleep(forTimeInterval: 1)
        }
    }
}
