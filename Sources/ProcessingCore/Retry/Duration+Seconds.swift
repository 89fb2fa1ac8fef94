extension Duration {
    /// The duration as fractional seconds (for arithmetic in Double and for logging).
    var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
