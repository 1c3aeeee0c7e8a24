public import ArgumentParser

/// The `hoclieu` command line.
public struct HoclieuCommand: AsyncParsableCommand {
    public init() {}
    public func run() async throws {}
}
