import XCTest
@testable import FerryRuntime

final class FerryRuntimeModuleTests: XCTestCase {
    func testLinksAgainstSystemLibuv() {
        XCTAssertTrue(FerryRuntimeModule.libuvVersion.hasPrefix("1."), FerryRuntimeModule.libuvVersion)
    }
}
