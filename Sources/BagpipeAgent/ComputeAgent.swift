import AsyncHTTPClient
import Logging

/// The agent's I/O shell: follows the server's feed for this host, watches the local bagpipe-bgp, and carries out
/// the actions of `AgentState`. It is the only owner of that state.
public actor ComputeAgent {
    public struct Configuration: Sendable {
        /// The bagpipe-server base URL (`http://controller:9696`).
        public var serverURL: String
        /// An admin token: the agent feed is admin-only (docs/server.md).
        public var token: String
        /// This compute node's name, as in the ports' `binding:host_id`.
        public var host: String
        /// The local bagpipe-bgp REST API.
        public var bagpipeBGPURL: String = "http://127.0.0.1:8082"
        /// How often `GET /ping` runs (the original's `ping_interval` is 10 s, bagpipe-bgp.md §8.2).
        public var pingInterval: Duration = .seconds(5)
        /// The long poll's `timeout` (the server allows up to 300).
        public var pollTimeout: Int = 30
        /// The first delay before retrying a failed call; it doubles up to `maxBackoff`.
        public var retryInterval: Duration = .seconds(1)
        public var maxBackoff: Duration = .seconds(30)

        public init(serverURL: String, token: String, host: String) {
            self.serverURL = serverURL
            self.token = token
            self.host = host
        }
    }

    public let configuration: Configuration
    let logger: Logger
    let http: HTTPClient
    let feed: ServerFeed
    let bagpipe: BagpipeBGPClient

    public private(set) var state = AgentState()
    /// The feed cursor; nil until a snapshot is taken, and again when one is needed.
    public private(set) var revision: Int64?
    public private(set) var bagpipeReachable = false
    /// The last `/ping` value seen.
    public private(set) var pingValue: String?
    /// Set once "unreachable" is logged, so that a long outage is logged once, not at every ping.
    var warnedUnreachable = false
    /// Bumped at every bagpipe-bgp restart: the answer of a call sent before it says nothing about the new one.
    var epoch = 0
    /// Attachments that bagpipe-bgp refused: not retried before the instant, then with a doubled delay.
    var backoff: [AttachmentKey: (until: ContinuousClock.Instant, delay: Duration)] = [:]
    let wakeStream: AsyncStream<Void>
    let wakeContinuation: AsyncStream<Void>.Continuation

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        http = HTTPClient(eventLoopGroupProvider: .singleton)
        feed = ServerFeed(
            client: http, serverURL: configuration.serverURL, token: configuration.token, host: configuration.host)
        bagpipe = BagpipeBGPClient(client: http, url: configuration.bagpipeBGPURL)
        (wakeStream, wakeContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Runs until the task is cancelled.
    public func run() async {
        logger.notice(
            "agent for host \(configuration.host): server \(configuration.serverURL), bagpipe-bgp \(configuration.bagpipeBGPURL)"
        )
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.followFeed() }
            group.addTask { await self.watchBagpipeBGP() }
            group.addTask { await self.converge() }
            group.addTask { await self.retryTicker() }
            await group.waitForAll()
        }
        try? await http.shutdown()
    }

    /// True when bagpipe-bgp has exactly what the server wants.
    public var isConverged: Bool { bagpipeReachable && revision != nil && state.isConverged }

    func wake() { wakeContinuation.yield() }

    static func pause(_ d: Duration) async { try? await Task.sleep(for: d) }

    // MARK: - Server feed

    /// Snapshot, then long polls from its revision; a change re-reads the snapshot (docs/server.md "Agent feed").
    /// 410, or any failure (server restarted, unreachable), starts over from a snapshot, with backoff.
    func followFeed() async {
        var delay = configuration.retryInterval
        while !Task.isCancelled {
            do throws(AgentHTTPError) {
                guard let since = revision else {
                    install(try await feed.snapshot())
                    continue
                }
                switch try await feed.poll(since: since, timeout: configuration.pollTimeout) {
                case .resyncRequired:
                    logger.warning("server says revision \(since) is ahead of it (database reset?): new snapshot")
                    revision = nil
                case .changes(let next, let count):
                    if count > 0 {
                        logger.debug("\(count) change(s) up to revision \(next): new snapshot")
                        install(try await feed.snapshot())
                    } else {
                        revision = next
                    }
                }
                delay = configuration.retryInterval
            } catch {
                if Task.isCancelled { return }
                logger.warning("server feed: \(error); retrying in \(delay)")
                revision = nil
                await Self.pause(delay)
                delay = min(delay * 2, configuration.maxBackoff)
            }
        }
    }

    func install(_ snapshot: ServerFeed.Snapshot) {
        let before = state.desired.count
        state.setHostPorts(snapshot.ports)
        for problem in state.rejectedPorts { logger.error("ignoring port \(problem)") }
        if revision == nil {
            logger.info(
                "snapshot at revision \(snapshot.revision): \(snapshot.ports.count) port(s), \(state.desired.count) attachment(s)"
            )
        } else if before != state.desired.count {
            logger.info("revision \(snapshot.revision): \(state.desired.count) attachment(s)")
        }
        revision = snapshot.revision
        wake()
    }

    // MARK: - bagpipe-bgp liveness

    /// `GET /ping` every `pingInterval`: a new value means a new bagpipe-bgp, which has none of our attachments.
    func watchBagpipeBGP() async {
        while !Task.isCancelled {
            do throws(AgentHTTPError) {
                pinged(try await bagpipe.ping())
            } catch {
                if !warnedUnreachable { logger.warning("bagpipe-bgp unreachable, will retry: \(error)") }
                warnedUnreachable = true
                bagpipeReachable = false
            }
            await Self.pause(configuration.pingInterval)
        }
    }

    func pinged(_ value: String) {
        if value != pingValue {
            if pingValue == nil {
                logger.notice("bagpipe-bgp is up (ping \(value)): attaching \(state.desired.count) endpoint(s)")
            } else {
                logger.notice("bagpipe-bgp restarted (ping \(value)): replaying \(state.desired.count) endpoint(s)")
            }
            pingValue = value
            epoch += 1
            state.bagpipeRestarted()
            backoff = [:]
        } else if !bagpipeReachable {
            logger.notice("bagpipe-bgp is reachable again")
        }
        bagpipeReachable = true
        warnedUnreachable = false
        wake()
    }

    // MARK: - Converging

    func converge() async {
        for await _ in wakeStream {
            if Task.isCancelled { return }
            await convergeNow()
        }
    }

    func retryTicker() async {
        while !Task.isCancelled {
            await Self.pause(configuration.retryInterval)
            if bagpipeReachable && revision != nil && !state.isConverged { wake() }
        }
    }

    /// Carries out the actions until none is left, one at a time, each recorded when bagpipe-bgp accepted it. A
    /// failure leaves it to be done again later: nothing is dropped.
    func convergeNow() async {
        while bagpipeReachable && !Task.isCancelled {
            let now = ContinuousClock.now
            let actions = state.actions().filter { action in
                guard case .attach(let a) = action, let b = backoff[a.key] else { return true }
                return b.until <= now
            }
            if actions.isEmpty { return }
            let startEpoch = epoch
            var progressed = false
            for action in actions {
                guard epoch == startEpoch, bagpipeReachable, !Task.isCancelled else { return }
                do throws(AgentHTTPError) {
                    let outcome = try await bagpipe.perform(action)
                    guard epoch == startEpoch else { return }
                    switch (outcome, action) {
                    case (.done, _):
                        logger.info("\(action)")
                        state.completed(action)
                        backoff[action.attachment.key] = nil
                        progressed = true
                    case (.refused(let why), .detach):
                        // Not there (bagpipe-bgp lost it or never had it): the goal is reached all the same.
                        logger.warning("\(action) refused, considered done: \(why)")
                        state.completed(action)
                        progressed = true
                    case (.refused(let why), .attach(let a)):
                        let delay = min(
                            (backoff[a.key]?.delay ?? configuration.retryInterval / 2) * 2, configuration.maxBackoff)
                        backoff[a.key] = (ContinuousClock.now + delay, delay)
                        logger.error("\(action) refused (retrying in \(delay)): \(why)")
                    }
                } catch {
                    logger.warning("\(action) failed, will retry: \(error)")
                    bagpipeReachable = false
                    return
                }
            }
            if !progressed { return }
        }
    }
}
