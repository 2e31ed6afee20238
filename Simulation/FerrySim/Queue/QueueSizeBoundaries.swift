/// Which message shapes (`MessageShape`) a seed's producers send, and how often: a swarm draw, so each
/// seed tries a different mix and the options line says which. Large shapes (about 1 MiB a request) are
/// rare, so a seed that draws them stays within a few percent of the speed of one that does not.
public struct QueueSizeBoundaries: Sendable {
    /// Small shapes besides plain bodies, and the share of sends that take one of them.
    var small: [MessageShape]
    var smallChance: Double
    /// Shapes at the 1 MiB limits or one byte past them, and the share of sends that take one of them.
    var large: [MessageShape]
    var largeChance: Double
    /// Small shapes one byte past a limit, and the share of sends that take one of them.
    var over: [MessageShape]
    var overChance: Double
    /// Shapes sent first, one request each in this order (the producers take turns), before any draw.
    var tour: [MessageShape] = []

    static func draw(_ random: inout Xoshiro256StarStar) -> QueueSizeBoundaries {
        let small = MessageShape.small.filter { _ in random.chance(0.7) }
        let large = MessageShape.large.filter { _ in random.chance(0.7) }
        let over = MessageShape.over.filter { _ in random.chance(0.5) }
        return QueueSizeBoundaries(
            small: small, smallChance: random.logUniform(in: 0.05...0.6),
            large: large, largeChance: random.logUniform(in: 0.001...0.004),
            over: over, overChance: random.logUniform(in: 0.002...0.02))
    }

    /// Every shape: each once at the start of the seed, then all of them drawn often.
    public static let everyShape = QueueSizeBoundaries(
        small: MessageShape.small, smallChance: 0.5,
        large: MessageShape.large, largeChance: 0.04,
        over: MessageShape.over, overChance: 0.04,
        tour: MessageShape.allCases)

    /// The shape of the next send.
    func pick(_ random: inout Xoshiro256StarStar) -> MessageShape {
        let draw = random.unit()
        if draw < largeChance { return large.isEmpty ? .plain : random.pick(large) }
        if draw < largeChance + overChance { return over.isEmpty ? .plain : random.pick(over) }
        if draw < largeChance + overChance + smallChance { return small.isEmpty ? .plain : random.pick(small) }
        return .plain
    }
}

extension QueueSizeBoundaries: CustomStringConvertible {
    public var description: String {
        func list(_ shapes: [MessageShape], _ chance: Double) -> String {
            shapes.isEmpty
                ? "none"
                : "\(shapes.map(\.rawValue).joined(separator: " ")) \(Double(Int((chance * 1000).rounded())) / 10)%"
        }
        let tour = self.tour.isEmpty ? "" : "each shape once, then "
        return tour
            + "small [\(list(small, smallChance))] large [\(list(large, largeChance))] over a limit [\(list(over, overChance))]"
    }
}

/// `ferry-sim --sizes`: the seed's own draw, plain bodies only, or every shape in every seed.
public enum QueueSizesMode: String, CaseIterable, Sendable {
    case drawn
    case off
    case every

    public func apply(to options: inout QueueSimOptions) {
        switch self {
        case .drawn: break
        case .off: options.sizes = nil
        case .every: options.sizes = .everyShape
        }
    }
}
