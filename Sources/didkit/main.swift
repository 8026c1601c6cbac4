import DiDKitCLI

MallocTunables.enableByReexecuting()
DidkitCommand.main()
