print("mock-kafka: not built yet")
