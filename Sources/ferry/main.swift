print("ferry: the command-line tool is not built yet (see README.md)")
