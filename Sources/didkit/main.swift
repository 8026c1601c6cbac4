import DiDKitCLI

DidkitCommand.main()
