// Placeholder so the package resolves: main lacks Tests/FerryRaftTests. Delete once the Raft branch lands its tests.
import XCTest
