import BGPSession
import BGPWire

/// Two state machines wired back to back through BGPWire bytes: what one sends is encoded with its encoding
/// options, and decoded by the other with its decoding options when the other gets to it, in order. Opening a
/// connection connects both; closing one makes the other see the connection fail, after what was sent before.
/// Timers are not run: tests fire them by hand.
struct BackToBack {
    enum Side: Hashable, CustomStringConvertible {
        case a, b
        var other: Side { self == .a ? .b : .a }
        var description: String { self == .a ? "A" : "B" }
    }

    private enum Pending {
        case event(SessionEvent)
        case bytes([UInt8])
    }

    var a: SessionStateMachine
    var b: SessionStateMachine
    /// Every action either machine returned, in order.
    private(set) var log: [(side: Side, action: SessionAction)] = []
    /// Whether the connection between the two is up (so that bytes can cross it).
    private(set) var connected = false

    private var queue: [(Side, Pending)] = []

    init(a: SessionConfiguration, b: SessionConfiguration) {
        self.a = SessionStateMachine(configuration: a, jitter: .seeded(1))
        self.b = SessionStateMachine(configuration: b, jitter: .seeded(2))
    }

    subscript(side: Side) -> SessionStateMachine {
        get { side == .a ? a : b }
        set { if side == .a { a = newValue } else { b = newValue } }
    }

    /// Gives `event` to `side`, then runs everything that follows until both machines are quiet.
    mutating func run(_ side: Side, _ event: SessionEvent) {
        queue.append((side, .event(event)))
        while !queue.isEmpty {
            let (target, pending) = queue.removeFirst()
            let event: SessionEvent
            switch pending {
            case .event(let e):
                event = e
            case .bytes(let bytes):
                // Decoded only now, with the options the receiver has at this point of its session.
                do throws(BGPWireError) {
                    event = .received(try BGPMessage.decode(bytes, options: self[target].decodingOptions), bytes: bytes)
                } catch {
                    event = .decodeFailed(error, bytes: bytes)
                }
            }
            for action in self[target].handle(event) {
                log.append((target, action))
                perform(action, by: target)
            }
        }
    }

    private mutating func perform(_ action: SessionAction, by side: Side) {
        switch action {
        case .send(let message):
            guard connected else { return }
            queue.append((side.other, .bytes(message.encode(options: self[side].encodingOptions))))
            queue.append((side, .event(.messageSent(message.type))))
        case .openConnection:
            // The other side accepts only when it waits for connections.
            let listener = self[side.other].state
            guard listener == .active || listener == .connect else {
                queue.append((side, .event(.tcpConnectionFails)))
                return
            }
            connected = true
            queue.append((side, .event(.tcpConnectionAcknowledged)))
            queue.append((side.other, .event(.tcpConnectionConfirmed)))
        case .closeConnection:
            guard connected else { return }
            connected = false
            queue.append((side.other, .event(.tcpConnectionFails)))
        default:
            break
        }
    }

    /// The actions of `side` since log entry `start`.
    func actions(of side: Side, since start: Int = 0) -> [SessionAction] {
        log[start...].filter { $0.side == side }.map(\.action)
    }

    /// The messages `side` sent since log entry `start`.
    func sent(by side: Side, since start: Int = 0) -> [BGPMessage] {
        actions(of: side, since: start).compactMap { if case .send(let m) = $0 { m } else { nil } }
    }
}
