import BGPCodecWorkloads
import BGPWire
import Foundation

// Writes each benchmark input as `<id>.bin` (the whole message) into the directory given, plus
// `index.tsv` (id, NLRI count, octets, extended-message flag), for the GoBGP comparison in gobgp/.
let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: dump-workloads DIRECTORY\n".utf8))
    exit(2)
}
let directory = URL(fileURLWithPath: arguments[1], isDirectory: true)
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
var index = "id\tnlri\tbytes\textended\n"
for w in Workloads.all() {
    if let problem = Workloads.validate(w) {
        FileHandle.standardError.write(Data("bad workload: \(problem)\n".utf8))
        exit(1)
    }
    try Data(w.bytes).write(to: directory.appendingPathComponent("\(w.id).bin"))
    index += "\(w.id)\t\(w.nlriCount)\t\(w.bytes.count)\t\(w.decoding.extendedMessage ? 1 : 0)\n"
}
try Data(index.utf8).write(to: directory.appendingPathComponent("index.tsv"))
print(index, terminator: "")
