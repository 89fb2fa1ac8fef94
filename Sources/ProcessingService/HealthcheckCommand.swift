import ArgumentParser
import Foundation
import Observability
import ProcessingCore

/// `processing-service healthcheck`: probes the running service's `/healthz` on the configured
/// `HTTP_HOST`/`HTTP_PORT` (the same configuration the service reads) and exits 0 when it answers 200,
/// 1 otherwise — the Docker `HEALTHCHECK` and compose healthcheck, with no curl in the image.
struct HealthcheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Probe the running service's /healthz (exit 0 healthy, 1 not)."
    )

    /// The same configuration flags as the service (HTTP_* come from the environment or `.env`).
    @OptionGroup var options: ServiceOptions

    @Option(name: .long, help: ArgumentHelp("Port to probe (default: HTTP_PORT).", valueName: "port"))
    var port: Int?

    @Option(name: .long, help: ArgumentHelp("Path to probe.", valueName: "path"))
    var path = "/healthz"

    func run() async throws {
        let settings = try options.loadConfiguration().observability
        let port = self.port ?? settings.httpPort
        let host = HealthProbe.probeHost(forBindHost: settings.httpHost)
        guard settings.httpEnabled || self.port != nil, port > 0 else {
            FileHandle.standardError.write(Data("healthcheck: the HTTP server is disabled (HTTP_ENABLED=false) or HTTP_PORT=0; pass --port\n".utf8))
            throw ExitCode(1)
        }
        do {
            let status = try await HealthProbe.status(host: host, port: port, path: path)
            print("\(path) on \(host):\(port): HTTP \(status)")
            if status != 200 { throw ExitCode(1) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            FileHandle.standardError.write(Data("healthcheck: \(path) on \(host):\(port): \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
