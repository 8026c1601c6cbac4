import DiDKitCLI

HugePages.enableByReexecuting()
DidkitCommand.main()
