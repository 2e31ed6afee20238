import Histogram

#if canImport(Glibc)
import Glibc
#endif

/// The summary printed at the end of a run.
enum BenchReport {
    /// Missing sequence numbers listed in the report, enough to start a search in the node logs.
    static let missingSampleMax = 10
    /// An open-loop run holds its rate if the pacer never fell more than this far behind: a few
    /// batches of rounding and scheduling jitter are not a rate the cluster failed to sustain.
    static let pacerLagToleratedSeconds = 0.1

    static func render(_ driver: BenchDriver, config: BenchConfig) -> String {
        let stats = driver.stats
        let ledger = driver.ledger
        let window = driver.measuredSeconds
        var lines: [String] = []
        lines += header(driver, config: config, window: window)
        if window > 0 {
            lines.append(
                "throughput   sent \(Format.count(Int(Double(stats.sentMeasured) / window))) msgs/s   "
                    + "consumed \(Format.count(Int(Double(stats.consumedMeasured) / window))) msgs/s"
                    + (config.batchEntries == 1 ? "   (= SendMessage calls/s)" : ""))
        }
        let sendName = config.batchEntries == 1 ? "SendMessage" : "SendMessageBatch"
        lines.append("send latency per \(sendName) (µs)".padded(54) + percentiles(stats.sendLatency))
        lines.append("receive latency, non-empty, with long-poll wait (µs)  " + percentiles(stats.receiveLatency))
        lines.append("end-to-end latency, send→receive (µs)                 " + percentiles(stats.endToEndLatency))
        lines.append(
            "requests     send \(Format.count(stats.sendRequests))   receive \(Format.count(stats.receiveRequests)) "
                + "(\(Format.count(stats.emptyReceives)) empty)   delete \(Format.count(stats.deleteRequests)) "
                + "(\(Format.count(stats.deletedMessages)) msgs)")
        let elapsed = Double(driver.endNs - driver.startNs) / 1e9
        if elapsed > 0 {
            lines.append(
                "client CPU   \(Format.fixed(100 * processCPUSeconds() / elapsed, 0))% of one core (the load generator itself)"
            )
        }
        if let rate = config.rateMessagesPerSecond,
            driver.pacerLagBatchesMax > max(2, Int(rate / Double(config.batchEntries) * pacerLagToleratedSeconds))
        {
            lines.append(
                "rate         NOT held: the pacer fell up to \(driver.pacerLagBatchesMax) batches behind "
                    + "(raise --pipeline or --connections)")
        }
        lines += deliveryLines(ledger, config: config)
        if stats.errors.isEmpty {
            lines.append("errors       none")
        } else {
            let byCode = stats.errors.sorted { $0.value > $1.value }.map { "\($0.key) \(Format.count($0.value))" }
            lines.append("errors       " + byCode.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    /// What was run: the send shape, connections, queues and endpoints, and the measured window.
    static func header(_ driver: BenchDriver, config: BenchConfig, window: Double) -> [String] {
        var lines: [String] = []
        lines.append("")
        let sendShape =
            config.batchEntries == 1 ? "ONE message per SendMessage" : "SendMessageBatch of \(config.batchEntries)"
        lines.append(
            "== ferry bench: \(sendShape) x \(driver.requests.bodyBytes) B, receive up to \(driver.requests.receiveMessagesMax), "
                + (driver.requests.signer == nil ? "unsigned" : "SigV4-signed")
                + (config.rateMessagesPerSecond.map { ", target \(Format.count(Int($0))) msgs/s" } ?? ", closed loop"))
        lines.append(
            "   \(config.producerEndpoints.count) producer + \(config.consumerEndpoints.count) consumer connections, "
                + "pipeline \(config.pipelineDepth), \(Format.count(driver.requests.queueURLs.count)) queue(s)"
                + (driver.requests.fifoGroups > 0
                    ? " FIFO over \(Format.count(driver.requests.fifoGroups)) groups, content-based dedup" : "")
                + (driver.targetsBacklogs ? ", consumers receive where acknowledged messages wait" : "")
                + (config.longPollEndpoints.isEmpty
                    ? "" : ", \(Format.count(config.longPollEndpoints.count)) parked long polls"))
        lines.append(
            "   endpoints: producers \(describe(config.producerEndpoints)); consumers \(describe(config.consumerEndpoints + config.longPollEndpoints))"
        )
        lines.append(
            "   measured over \(Format.fixed(window, 1)) s after a \(Format.fixed(config.warmupSeconds, 1)) s warm-up")
        return lines
    }

    /// The delivery ledger's verdict: left queued, drained, or sent and consumed (with what went missing).
    static func deliveryLines(_ ledger: MessageLedger, config: BenchConfig) -> [String] {
        var lines: [String] = []
        if !config.consumesMessages {
            lines.append(
                "backlog      left queued \(Format.count(ledger.acknowledged)) messages (no consumers); drain them with "
                    + "--producers 0 --queue …")
        } else if !config.producesMessages {
            lines.append(
                "delivery     drained \(Format.count(ledger.consumed)) messages   duplicates \(Format.count(ledger.duplicates))"
                    + "   not from ferry bench \(ledger.unexpected)")
        } else {
            lines.append(
                "delivery     sent (acknowledged) \(Format.count(ledger.acknowledged))   consumed \(Format.count(ledger.consumedAcknowledged))   "
                    + "duplicates \(Format.count(ledger.duplicates))   missing \(Format.count(ledger.missing))")
            if ledger.refused + ledger.unknown + ledger.consumedRefused + ledger.unexpected > 0 {
                lines.append(
                    "             refused sends \(Format.count(ledger.refused))   unknown (connection lost / 5xx) "
                        + "\(Format.count(ledger.unknown))   consumed although refused \(ledger.consumedRefused)   "
                        + "unexpected \(ledger.unexpected)")
            }
            if ledger.missing > 0 {
                lines.append(
                    "             missing, first: \(ledger.missingSample(limit: missingSampleMax).map(String.init).joined(separator: ", "))"
                )
            }
        }
        return lines
    }

    /// User + system CPU time of this process so far (getrusage).
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }

    static func percentiles(_ histogram: Histogram<UInt64>) -> String {
        guard histogram.totalCount > 0 else { return "(none)" }
        return
            "p50 \(Format.count(Int(histogram.valueAtPercentile(50))))  p99 \(Format.count(Int(histogram.valueAtPercentile(99))))  "
            + "p99.9 \(Format.count(Int(histogram.valueAtPercentile(99.9))))  max \(Format.count(Int(histogram.max)))  "
            + "(n=\(Format.count(Int(histogram.totalCount))))"
    }

    /// "127.0.0.1:9324 x4" style: each endpoint with its connection count.
    static func describe(_ endpoints: [Endpoint]) -> String {
        var counts: [(String, Int)] = []
        for endpoint in endpoints {
            if let i = counts.firstIndex(where: { $0.0 == endpoint.text }) {
                counts[i].1 += 1
            } else {
                counts.append((endpoint.text, 1))
            }
        }
        return counts.map { "\($0.0) x\($0.1)" }.joined(separator: ", ")
    }
}

/// Number formatting without Foundation.
enum Format {
    /// 12345678 → "12,345,678".
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return value < 0 ? "-" + out : out
    }

    /// `value` with `decimals` digits after the point.
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((value * scale).rounded())
        guard decimals > 0 else { return String(scaled) }
        let whole = scaled / Int(scale)
        let fraction = String(abs(scaled % Int(scale)))
        return "\(whole).\(String(repeating: "0", count: decimals - fraction.count))\(fraction)"
    }
}

extension String {
    func padded(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }

    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
