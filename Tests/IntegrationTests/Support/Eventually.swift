/// Waits until `condition` holds, checking every 50 ms; throws `ChildProcessError.timedOut` naming `what`
/// (and `details()` at that moment) when `timeout` passes first. `timeout` is a hang bound, never a
/// performance expectation.
func eventually(
    _ what: String,
    timeout: Duration = .seconds(120),
    details: () -> String = { "" },
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            throw ChildProcessError(description: "timed out after \(timeout) waiting for \(what) \(details())")
        }
        try await Task.sleep(for: .milliseconds(50))
    }
}
