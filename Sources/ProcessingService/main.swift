print("processing-service: not built yet")
