import Testing

@testable import BagpipeServer

/// The agent side: desired state per host, and a change stream an agent can resume from its last revision.
@Suite struct AgentFeedTests {
    @Test(arguments: Backend.allCases)
    func hostStateCarriesRouteTargetsAndAttachments(_ backend: Backend) async throws {
        try await Harness.with(backend) { h in
            let net = await h.create("/v2.0/networks", "network", ["project_id": "project-a"])
            let sub = await h.create(
                "/v2.0/subnets", "subnet",
                ["network_id": net["id"]!, "cidr": "10.0.0.0/24", "ip_version": 4, "project_id": "project-a"])
            let port = await h.create(
                "/v2.0/ports", "port",
                ["network_id": net["id"]!, "binding:host_id": "compute-1", "project_id": "project-a"])
            _ = await h.create("/v2.0/ports", "port", ["network_id": net["id"]!, "binding:host_id": "compute-2"])
            let vpn = await h.create(
                "/v2.0/bgpvpn/bgpvpns", "bgpvpn",
                [
                    "project_id": "project-a", "route_targets": ["64512:1"], "import_targets": ["64512:2"],
                    "local_pref": 100,
                ])
            _ = await h.create(
                "/v2.0/bgpvpn/bgpvpns/\(h.id(vpn))/network_associations", "network_association",
                ["network_id": net["id"]!], Tokens.alice)
            _ = await h.create(
                "/v2.0/bgpvpn/bgpvpns/\(h.id(vpn))/port_associations", "port_association",
                ["port_id": port["id"]!, "routes": [["type": "prefix", "prefix": "20.1.0.0/16", "local_pref": 200]]],
                Tokens.alice)

            #expect(await h.call("GET", "/v2.0/bagpipe/hosts/compute-1/ports", Tokens.alice).status == 403)
            let state = await h.call("GET", "/v2.0/bagpipe/hosts/compute-1/ports")
            #expect(state.status == 200)
            let ports = state.body?["ports"]?.arrayValue ?? []
            #expect(ports.count == 1)
            let p = ports.first ?? .null
            #expect(p["id"] == port["id"])
            #expect(
                p["network"]?["route_target"] == .string("64512:\(net["provider:segmentation_id"]?.intValue ?? -1)"))
            #expect(p["subnets"]?[0]?["gateway_ip"] == sub["gateway_ip"])
            let attachments = p["attachments"]?.arrayValue ?? []
            #expect(attachments.count == 2)
            #expect(attachments.first?["vpn_type"] == "ipvpn")
            #expect(attachments.first?["vpn_instance_id"] == .string("ipvpn_\(h.id(net))"))
            #expect(attachments.first?["ip_address"] == port["fixed_ips"]?[0]?["ip_address"])
            #expect(attachments.first?["import_rt"] == ["64512:1", "64512:2"])
            #expect(attachments.first?["export_rt"] == ["64512:1"])
            #expect(attachments.first?["local_pref"] == 100)
            #expect(attachments.last?["ip_address"] == "20.1.0.0/16")
            #expect(attachments.last?["local_pref"] == 200)
            #expect(attachments.last?["advertise_subnet"] == true)
            #expect(attachments.last?["direction"] == "to-port")
        }
    }

    @Test(arguments: Backend.allCases)
    func resumableChangeStream(_ backend: Backend) async throws {
        try await Harness.with(backend) { h in
            let net = await h.create("/v2.0/networks", "network", [:])
            _ = await h.create(
                "/v2.0/subnets", "subnet", ["network_id": net["id"]!, "cidr": "10.0.0.0/24", "ip_version": 4])
            let snapshot = await h.call("GET", "/v2.0/bagpipe/hosts/compute-1/ports")
            let start = snapshot.body?["revision"]?.intValue ?? -1
            #expect(start > 0)
            // nothing new: the poll times out empty at the same revision
            let idle = await h.call("GET", "/v2.0/bagpipe/changes", query: "since=\(start)&host=compute-1&timeout=0.2")
            #expect(idle.body?["changes"] == [] && idle.body?["revision"] == .int(start))

            // a waiting agent is woken by the write
            let clock = ContinuousClock()
            let began = clock.now
            async let woken = h.call("GET", "/v2.0/bagpipe/changes", query: "since=\(start)&host=compute-1&timeout=20")
            try await Task.sleep(for: .milliseconds(200))
            let port = await h.create(
                "/v2.0/ports", "port", ["network_id": net["id"]!, "binding:host_id": "compute-1"])
            let batch = await woken
            #expect(clock.now - began < .seconds(10))
            #expect(batch.body?["changes"]?.arrayValue?.map { $0["id"] } == [port["id"]!])
            #expect(batch.body?["changes"]?[0]?["event"] == "created")

            // while "disconnected": a change for another host, a move away from compute-1, a BGPVPN change
            _ = await h.create("/v2.0/ports", "port", ["network_id": net["id"]!, "binding:host_id": "compute-9"])
            #expect(
                await h.call(
                    "PUT", "/v2.0/ports/\(h.id(port))", Tokens.admin, ["port": ["binding:host_id": "compute-2"]]
                ).status == 200)
            _ = await h.create("/v2.0/bgpvpn/bgpvpns", "bgpvpn", ["route_targets": ["64512:7"]])
            // resuming from the first batch's revision gets exactly what concerns compute-1, in order
            let resumeFrom = batch.body?["revision"]?.intValue ?? -1
            let missed = await h.call(
                "GET", "/v2.0/bagpipe/changes", query: "since=\(resumeFrom)&host=compute-1&timeout=0")
            let events = missed.body?["changes"]?.arrayValue?.map {
                "\($0["resource"]?.stringValue ?? "")/\($0["event"]?.stringValue ?? "")/\($0["host"]?.stringValue ?? "*")"
            }
            #expect(events == ["port/updated/compute-1", "bgpvpn/created/*"])
            let revisions = missed.body?["changes"]?.arrayValue?.compactMap { $0["revision"]?.intValue } ?? []
            #expect(revisions == revisions.sorted() && revisions.allSatisfy { $0 > resumeFrom })
            // the new snapshot of compute-1 no longer lists the port; compute-2's does
            #expect(await h.call("GET", "/v2.0/bagpipe/hosts/compute-1/ports").body?["ports"] == [])
            #expect(await h.call("GET", "/v2.0/bagpipe/hosts/compute-2/ports").body?["ports"]?[0]?["id"] == port["id"])
            // a cursor from the future (database reset) asks for a resync
            let future = await h.call("GET", "/v2.0/bagpipe/changes", query: "since=999999&timeout=0")
            #expect(future.status == 410 && future.errorType == "ChangeFeedResyncRequired")
            #expect(
                await h.call("GET", "/v2.0/bagpipe/changes", Tokens.alice, query: "since=0&timeout=0").status == 403)
        }
    }
}
