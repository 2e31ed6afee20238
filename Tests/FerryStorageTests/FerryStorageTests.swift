import XCTest
@testable import FerryStorage

final class FerryStorageModuleTests: XCTestCase {
    func testModuleLinks() {
        XCTAssertNotNil(FerryStorageModule.self)
    }
}
