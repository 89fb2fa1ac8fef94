import ProcessingCore
import Testing

@Suite("HTTP and progress-log settings")
struct ObservabilitySettingsTests {
    @Test("defaults: HTTP on 0.0.0.0:8080, progress every 30 s")
    func defaults() throws {
        let configuration = try ServiceConfiguration.load(environment: [:], environmentFilePath: nil)
        #expect(configuration.observability == ObservabilitySettings(
            httpEnabled: true, httpHost: "0.0.0.0", httpPort: 8080, progressLogInterval: .seconds(30)))
    }

    @Test("HTTP_ENABLED, HTTP_HOST, HTTP_PORT=0 and PROGRESS_LOG_INTERVAL=0 are read")
    func readsEveryVariable() throws {
        let configuration = try ServiceConfiguration.load(
            environment: ["HTTP_ENABLED": "false", "HTTP_HOST": "127.0.0.1", "HTTP_PORT": "0", "PROGRESS_LOG_INTERVAL": "0"],
            environmentFilePath: nil)
        #expect(configuration.observability == ObservabilitySettings(
            httpEnabled: false, httpHost: "127.0.0.1", httpPort: 0, progressLogInterval: .zero))
    }

    @Test("bad values are errors naming the variable", arguments: [
        ("HTTP_PORT", "65536", "HTTP_PORT"), ("HTTP_PORT", "-1", "HTTP_PORT"), ("HTTP_PORT", "http", "HTTP_PORT"),
        ("HTTP_ENABLED", "maybe", "HTTP_ENABLED"), ("PROGRESS_LOG_INTERVAL", "-5s", "PROGRESS_LOG_INTERVAL"),
    ])
    func badValuesAreReported(variable: String, value: String, named: String) throws {
        do {
            _ = try ServiceConfiguration.load(environment: [variable: value], environmentFilePath: nil)
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect(error.issues.count == 1)
            #expect(error.issues.first?.setting == named, "\(error)")
        }
    }
}
