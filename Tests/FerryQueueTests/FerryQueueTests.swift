import XCTest
@testable import FerryQueue

final class FerryQueueModuleTests: XCTestCase {
    func testModuleLinks() {
        XCTAssertNotNil(FerryQueueModule.self)
    }
}
