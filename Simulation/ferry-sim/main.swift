print("ferry-sim: not built yet")
