import Testing

@Test func placeholder_QueueTests() {}
