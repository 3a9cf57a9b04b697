import BGPCodecWorkloads
import BGPWire
import Benchmark

/// Whole-message decode of `workload` from a borrowed buffer (what a framer hands over), to typed values.
func decodeBenchmark(_ title: String, _ workload: Workload, _ configuration: Benchmark.Configuration) {
    Benchmark(title, configuration: configuration) { benchmark in
        let options = workload.decoding
        workload.bytes.withUnsafeBytes { raw in
            for _ in benchmark.scaledIterations {
                do {
                    blackHole(try BGPMessage.decode(raw, options: options))
                } catch {
                    fatalError("decode failed: \(error)")
                }
            }
        }
    }
}

/// Whole-message encode of `workload` into one reused writer (its capacity kept across messages).
func encodeBenchmark(_ title: String, _ workload: Workload, _ configuration: Benchmark.Configuration) {
    Benchmark(title, configuration: configuration) { benchmark in
        let message = workload.message
        let options = workload.encoding
        var writer = ByteWriter(capacity: 65536)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            writer.bytes.removeAll(keepingCapacity: true)
            message.encode(into: &writer, options: options)
            blackHole(writer.count)
        }
        benchmark.stopMeasurement()
        precondition(writer.bytes == workload.bytes, "encode produced other bytes")
    }
}

let benchmarks: @Sendable () -> Void = {
    // Messages decoded or encoded per measured sample: samples of a millisecond or more, so the harness's
    // own per-sample work (clock and malloc counters) is noise. Raw results are per sample; scripts/bench
    // divides by this (the "batch" tag) for per-message figures.
    let messagesPerSample = BenchmarkScalingFactor.kilo
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 3,
        scalingFactor: messagesPerSample,
        maxDuration: .seconds(3),
        maxIterations: 10_000
    )

    for workload in Workloads.all() {
        if let problem = Workloads.validate(workload) { fatalError("bad workload: \(problem)") }
        // The tags carry what scripts/bench needs to turn time per sample into NLRI/s and MB/s.
        var configuration = Benchmark.defaultConfiguration
        configuration.tags = [
            "nlri": "\(workload.nlriCount)", "bytes": "\(workload.bytes.count)",
            "batch": "\(messagesPerSample.rawValue)",
        ]
        decodeBenchmark("\(workload.title) decode", workload, configuration)
        if workload.id.hasPrefix("vpnv4-") && !workload.id.contains("withdraw") {
            // A session that did not negotiate Multiple Labels (RFC 8277 §2.1): one label per NLRI.
            var single = workload
            single.decoding.maximumLabels = 1
            decodeBenchmark("\(workload.title) decode, maximumLabels 1", single, configuration)
        }
        encodeBenchmark("\(workload.title) encode", workload, configuration)
    }
}
