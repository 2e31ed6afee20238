import XCTest
@testable import FerrySQS

final class FerrySQSModuleTests: XCTestCase {
    func testModuleLinks() {
        XCTAssertNotNil(FerrySQSModule.self)
    }
}
