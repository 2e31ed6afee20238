/// A message attribute's DataType is a base (`String`, `Number`, `Binary`) with an optional `.custom` suffix.
enum AttributeDataType {
    /// The first run of characters other than `.`, as `split(separator: ".", maxSplits: 1).first` gives it
    /// ("" when there is none), sliced rather than copied: every replica asks this for every attribute of
    /// every message it applies and every publish it filters.
    static func base(_ dataType: String) -> Substring {
        let utf8 = dataType.utf8
        let dot = UInt8(ascii: ".")
        guard let start = utf8.firstIndex(where: { $0 != dot }) else { return dataType[dataType.endIndex...] }
        let stop = utf8[start...].firstIndex(of: dot) ?? utf8.endIndex
        return dataType[start..<stop]
    }
}
