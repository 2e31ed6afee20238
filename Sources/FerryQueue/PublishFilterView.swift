/// One publish as its subscriptions' filter policies see it, built once per publish rather than once per
/// subscription: the body is parsed as JSON the first time a body-scoped policy asks, and kept for the rest.
struct PublishFilterView {
    let entry: PublishEntry
    /// nil until a body-scoped policy asks; then the parse, itself nil for a body that is not JSON.
    private var bodyDocument: PolicyJSON??

    init(_ entry: PublishEntry) { self.entry = entry }

    mutating func accepts(_ subscription: Subscription) -> Bool {
        guard let filterPolicy = subscription.filterPolicy else { return true }
        switch subscription.filterPolicyScope {
        case .messageAttributes:
            return filterPolicy.matches(AttributeFilterSubject(attributes: entry.attributes))
        case .messageBody:
            if bodyDocument == nil { bodyDocument = .some(PolicyJSON.parse(entry.message)) }
            return filterPolicy.matches(BodyFilterSubject(document: bodyDocument!))
        }
    }
}
