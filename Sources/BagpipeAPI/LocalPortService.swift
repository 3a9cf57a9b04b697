/// What the REST API asks of the VPN manager (the original's `plug_vif_to_vpn` / `unplug_vif_from_vpn`).
///
/// Requests arrive validated. Throw ``APIError`` for a refusal (HTTP 400 `API error: <message>`); any other
/// error is an internal failure (HTTP 500 with the original's fixed text). A refused request must leave the
/// state unchanged.
public protocol LocalPortService: Sendable {
    func attach(_ request: AttachRequest) async throws
    func detach(_ request: DetachRequest) async throws
}
