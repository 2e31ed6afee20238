import XCTest
@testable import FerrySim

final class FerrySimModuleTests: XCTestCase {
    func testModuleLinks() {
        XCTAssertNotNil(FerrySimModule.self)
    }
}
