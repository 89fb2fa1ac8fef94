import Observability
import XCTest

final class MetricNamesTests: XCTestCase {
    func testCounterNamesEndInTotal() {
        for name in [MetricNames.recordsConsumed, MetricNames.eventsProcessed, MetricNames.rebalances] {
            XCTAssertTrue(name.hasSuffix("_total"), name)
        }
    }
}
