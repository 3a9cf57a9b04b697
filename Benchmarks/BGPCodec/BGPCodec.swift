import BGPCodecWorkloads
import BGPWire
import Benchmark

/// Messages decoded or encoded per measured sample: samples of about a millisecond or more, so the
/// harness's own per-sample work (clock and malloc counters) is noise. Raw results are per sample; divide
/// by this for per-message figures (scripts/bench does).
let messagesPerSample = BenchmarkScalingFactor.kilo

let benchmarks: @Sendable () -> Void = {
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
        let tags = [
            "nlri": "\(workload.nlriCount)", "bytes": "\(workload.bytes.count)",
            "batch": "\(messagesPerSample.rawValue)",
        ]
        var configuration = Benchmark.defaultConfiguration
        configuration.tags = tags

        // Whole-message decode from a borrowed buffer (what a framer hands over), to typed values.
        Benchmark("\(workload.title) decode", configuration: configuration) { benchmark in
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

        // Whole-message encode into one reused writer (capacity kept across messages).
        Benchmark("\(workload.title) encode", configuration: configuration) { benchmark in
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
}
