import Testing

@Test func placeholder_TransportTests() {}
