import Prometheus

/// A swift-prometheus registry that makes instruments only from `MetricCatalog` definitions, so every
/// series matches its documented name, kind, labels and help.
struct MetricRegistry {
    let prometheus = PrometheusCollectorRegistry()

    private func descriptor(_ definition: MetricDefinition) -> MetricNameDescriptor {
        // The catalog's names are whole (unit suffix included), so the unit component stays empty.
        MetricNameDescriptor(metricName: definition.name, unitName: "", helpText: definition.help)
    }

    private func labels(_ definition: MetricDefinition, _ values: [String]) -> [(String, String)] {
        precondition(values.count == definition.labels.count, "\(definition.name) takes labels \(definition.labels)")
        return Array(zip(definition.labels, values))
    }

    func counter(_ definition: MetricDefinition, _ values: String...) -> Counter {
        precondition(definition.kind == .counter)
        return values.isEmpty
            ? prometheus.makeCounter(descriptor: descriptor(definition))
            : prometheus.makeCounter(descriptor: descriptor(definition), labels: labels(definition, values))
    }

    func gauge(_ definition: MetricDefinition, _ values: String...) -> Gauge {
        precondition(definition.kind == .gauge)
        return values.isEmpty
            ? prometheus.makeGauge(descriptor: descriptor(definition))
            : prometheus.makeGauge(descriptor: descriptor(definition), labels: labels(definition, values))
    }

    func histogram(_ definition: MetricDefinition, _ values: String...) -> ValueHistogram {
        precondition(definition.kind == .histogram)
        return values.isEmpty
            ? prometheus.makeValueHistogram(descriptor: descriptor(definition), buckets: definition.buckets)
            : prometheus.makeValueHistogram(
                descriptor: descriptor(definition), labels: labels(definition, values),
                buckets: definition.buckets)
    }

    func unregister(_ counter: Counter) { prometheus.unregisterCounter(counter) }
    func unregister(_ gauge: Gauge) { prometheus.unregisterGauge(gauge) }

    /// Every registered series in the text exposition format.
    func exposition() -> [UInt8] { prometheus.emitToBuffer() }
}
