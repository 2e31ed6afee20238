import XCTest

@testable import FerryRuntime

final class FrameDecoderTests: XCTestCase {
    /// Frames concatenated and cut at arbitrary (seeded) boundaries, including inside length prefixes,
    /// decode to exactly the frames sent, for several seeds.
    func testFramesSplitAtArbitraryChunkBoundariesDecodeExactly() throws {
        let frames = (0..<300).map { testPayload($0, bytesMax: 2_000) } + [[], [42], []]
        let stream = frames.flatMap(FrameEncoder.frame)
        for seed in UInt64(1)...8 {
            var random = SeededGenerator(seed: seed)
            var decoder = FrameDecoder()
            var decoded: [[UInt8]] = []
            var offset = 0
            while offset < stream.count {
                let chunkBytes = min(
                    stream.count - offset, Int.random(in: 1...(seed.isMultiple(of: 2) ? 7 : 5_000), using: &random))
                decoder.append(Array(stream[offset..<(offset + chunkBytes)]))
                offset += chunkBytes
                while let frame = try decoder.nextFrame() { decoded.append(frame) }
            }
            XCTAssertTrue(decoded == frames, "seed \(seed)")
            XCTAssertEqual(decoder.bufferedBytes, 0)
        }
    }

    /// Frames handed out where they lie: each is its payload's bytes, and one kept past the next append (as a
    /// handler that stores it does) keeps its bytes while the decoder reuses its buffer.
    func testFramesInPlaceAreTheirPayloadsAndSurviveLaterAppends() throws {
        let frames: [[UInt8]] = [[1, 2, 3], [], Array(repeating: 7, count: 300), [9]]
        var decoder = FrameDecoder()
        decoder.append(FrameEncoder.frame(frames[0]) + FrameEncoder.frame(frames[1]))
        let first = try XCTUnwrap(try decoder.nextFrameInPlace())
        let second = try XCTUnwrap(try decoder.nextFrameInPlace())
        XCTAssertNil(try decoder.nextFrameInPlace())
        XCTAssertEqual(first.bytes, frames[0])
        XCTAssertEqual(first.payload, 4..<7, "in place: just past its length prefix, not copied out")
        XCTAssertEqual(second.bytes, frames[1])
        decoder.append(FrameEncoder.frame(frames[2]) + FrameEncoder.frame(frames[3]).prefix(4))
        let third = try XCTUnwrap(try decoder.nextFrameInPlace())
        XCTAssertNil(try decoder.nextFrameInPlace(), "the fourth frame is incomplete")
        decoder.append(Array(FrameEncoder.frame(frames[3]).dropFirst(4)))
        XCTAssertEqual(try decoder.nextFrameInPlace()?.bytes, frames[3])
        XCTAssertEqual([first.bytes, second.bytes, third.bytes], Array(frames[0..<3]), "kept frames keep their bytes")
        XCTAssertEqual(decoder.bufferedBytes, 0)
    }

    func testLengthAboveTheBoundIsANamedError() {
        var decoder = FrameDecoder(frameBytesMax: 16)
        decoder.append(FrameEncoder.header(payloadBytes: 17))
        XCTAssertThrowsError(try decoder.nextFrame()) { error in
            XCTAssertEqual(error as? FrameError, .frameTooLarge(payloadBytes: 17, frameBytesMax: 16))
        }
    }

    func testDefaultBoundFitsA16MiBSnapshotChunk() throws {
        var decoder = FrameDecoder()
        decoder.append(FrameEncoder.header(payloadBytes: 16 << 20))
        XCTAssertNil(try decoder.nextFrame(), "a 16 MiB frame is accepted, just incomplete")
    }

    func testBackoffDoublesFromTheMinimumAndIsCapped() {
        var backoff = ExponentialBackoff(backoffMsMin: 50, backoffMsMax: 2_000)
        var random = SeededGenerator(seed: 7)
        var nominal: [UInt64] = []
        for _ in 0..<10 {
            let n = backoff.nominalDelayMs
            nominal.append(n)
            let delay = backoff.nextDelayMs(using: &random)
            XCTAssertTrue((n / 2)...n ~= delay)
        }
        XCTAssertEqual(nominal, [50, 100, 200, 400, 800, 1_600, 2_000, 2_000, 2_000, 2_000])
        backoff.reset()
        XCTAssertEqual(backoff.nominalDelayMs, 50)
    }
}
