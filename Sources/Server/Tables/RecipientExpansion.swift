/// What a recipient expands into: the targets to deliver to, in order,
/// without duplicates.
struct RecipientExpansion: Hashable, Sendable {
    /// Where copies go.
    var targets: [ExpansionTarget]
    /// Whether an alias, virtual entry or `.forward` file applied (rather than
    /// the recipient simply being the local user of its name).
    var applied: Bool
    /// Names in a list that are neither aliases nor users, left out (logged, not fatal while other targets remain).
    var unknown: [String]
}
