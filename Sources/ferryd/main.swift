print("ferryd: the node runtime is not built yet (see README.md)")
