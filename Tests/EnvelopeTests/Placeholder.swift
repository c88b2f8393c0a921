import Testing

@Test func placeholder_EnvelopeTests() {}
