import BGPRouting
public import BGPSpeaker
public import BGPWire
public import BagpipeVPN
import Logging
import NIOCore

/// The I/O shell around ``VPNManager``: carries its effects out on the speaker (subscriptions, local routes) and on
/// the dataplane drivers, and feeds it the route changes the speaker delivers to each instance. One actor owns the
/// manager and the drivers, so attaches, detaches and route changes are handled one at a time.
///
/// The actor runs on the speaker's event loop, so it calls the speaker synchronously (`assumeIsolated`): every
/// effect is carried out in the order the manager returned it, dataplane calls and BGP requests alike (a detach
/// withdraws the route before the port leaves the dataplane), and effects of two calls never interleave.
public actor VPNService {
    let speaker: BGPSpeaker
    /// The speaker's event loop is this actor's executor too: attach → speaker → wire without a thread switch.
    nonisolated let eventLoop: any EventLoop
    public nonisolated var unownedExecutor: UnownedSerialExecutor { eventLoop.executor.asUnownedSerialExecutor() }
    var manager: VPNManager
    let drivers: [VPNType: any DataplaneDriver]
    let logger: Logger
    private var routeTasks: [SubscriberID: Task<Void, Never>] = [:]
    /// Failed dataplane calls, for the looking glass; the manager's state stays as computed.
    public private(set) var dataplaneErrors: [String] = []

    public init(
        speaker: BGPSpeaker, bgpLocalAddress: IPv4Address, drivers: sending [VPNType: any DataplaneDriver],
        logger: Logger
    ) {
        self.speaker = speaker
        eventLoop = speaker.eventLoop
        var traits: [VPNType: DriverTraits] = [:]
        for (type, driver) in drivers { traits[type] = DriverTraits(driver) }
        manager = VPNManager(configuration: .init(bgpLocalAddress: bgpLocalAddress, drivers: traits))
        self.drivers = drivers
        self.logger = logger
    }

    /// `attach_localport`.
    public func attach(_ a: Attachment) throws(VPNError) {
        let isNew = manager.instances[a.instanceID]?.endpoints[EndpointKey(mac: a.mac, ip: a.ip?.address)] == nil
        let effects = try manager.attach(a)
        listenToNewInstances()
        do {
            try carryOut(effects)
        } catch {
            // A new endpoint whose dataplane failed (e.g. its interface does not exist yet) is taken out again, so
            // that the client's retry plugs it from scratch; the original kept it half-plugged and a retry changed
            // nothing. An existing endpoint stays: it was working before this attach.
            if isNew { rollBack(a) }
            throw error
        }
    }

    private func rollBack(_ a: Attachment) {
        let d = Detachment(instanceID: a.instanceID, type: a.type, mac: a.mac, ip: a.ip, port: a.port)
        do {
            try carryOut(try manager.detach(d))
        } catch {
            logger.error("rolling back the failed attach of \(a.mac) to \(a.instanceID): \(error)")
        }
    }

    /// Instances appear on attach, and on a received redirection (a redirect VRF, §4.3).
    private func listenToNewInstances() {
        for instance in manager.instances.values where routeTasks[instance.subscriber] == nil {
            listen(to: instance.subscriber)
        }
    }

    /// `detach_localport`.
    public func detach(_ d: Detachment) throws(VPNError) {
        let effects = try manager.detach(d)
        try carryOut(effects)
    }

    /// The manager as it is now, for the looking glass.
    public var state: VPNManager { manager }

    public func dataplaneState(of instance: DataplaneInstance) -> [String: String] {
        drivers[instance.type]?.state(of: instance) ?? [:]
    }

    /// Stops the route tasks.
    public func stop() {
        for task in routeTasks.values { task.cancel() }
        routeTasks = [:]
    }

    private func listen(to subscriber: SubscriberID) {
        let speaker = self.speaker
        routeTasks[subscriber] = Task {
            let changes = await speaker.routeChanges(for: subscriber)
            for await change in changes { self.routeChanged(change, for: subscriber) }
        }
    }

    private func routeChanged(_ change: RouteChange, for subscriber: SubscriberID) {
        let effects = manager.routeChanged(change, for: subscriber)
        listenToNewInstances()
        do { try carryOut(effects) } catch {
            logger.error("dataplane: \(error)", metadata: ["instance": "\(subscriber)"])
        }
    }

    private func carryOut(_ effects: [VPNEffect]) throws(VPNError) {
        var failure: VPNError?
        for effect in effects {
            switch effect {
            case .dataplane(let instance, let call):
                guard let driver = drivers[instance.type] else { continue }
                do { try driver.apply(call, instance: instance) } catch {
                    let text = "\(instance.name): \(call): \(error)"
                    logger.error("dataplane call failed: \(text)")
                    dataplaneErrors.append(text)
                    if dataplaneErrors.count > 100 { dataplaneErrors.removeFirst() }
                    failure = failure ?? .internalError("dataplane: \(text)")
                }
            case .removeSubscriber(let s):
                routeTasks.removeValue(forKey: s)?.cancel()
                perform(effect)
            default:
                perform(effect)
            }
        }
        if let failure { throw failure }
    }

    /// A BGP request, on the speaker, now: both actors run on the same event loop.
    private func perform(_ effect: VPNEffect) {
        speaker.assumeIsolated { speaker in
            switch effect {
            case .subscribe(let s):
                speaker.subscribe(
                    family: s.family, routeTarget: s.routeTarget, subscriber: s.subscriber, multipath: s.multipath)
            case .unsubscribe(let s):
                speaker.unsubscribe(family: s.family, routeTarget: s.routeTarget, subscriber: s.subscriber)
            case .advertise(let route, let s): speaker.advertise(route, subscriber: s)
            case .withdraw(let key, let s): speaker.withdraw(key, subscriber: s)
            case .removeSubscriber(let s): speaker.removeSubscriber(s)
            case .dataplane: break
            }
        }
    }
}

extension VPNService {
    /// Runs `body` on a driver inside the actor (tests and the looking glass read the recording driver this way).
    public func withDriver<T: Sendable>(_ type: VPNType, _ body: (any DataplaneDriver) -> T) -> T? {
        drivers[type].map(body)
    }
}
