print("event-producer: not built yet")
