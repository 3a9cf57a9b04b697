import BagpipeConfig
import Testing

/// The smallest valid file: the two required options.
let minimalBGP = """
    [BGP]
    local_address = 192.0.2.1
    my_as = 64512

    """

/// Parses `text`, recording an issue for each error; `nil` when there are errors.
func parsed(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> BGPConfiguration? {
    let result = BGPConfiguration.parse(text)
    for error in result.errors {
        Issue.record("unexpected error: \(error)", sourceLocation: sourceLocation)
    }
    return result.configuration
}

/// The text of every error of `text`.
func errors(_ text: String) -> [String] {
    BGPConfiguration.parse(text).errors.map(\.description)
}

/// The text of every warning of `text`.
func warnings(_ text: String) -> [String] {
    BGPConfiguration.parse(text).warnings.map(\.description)
}
