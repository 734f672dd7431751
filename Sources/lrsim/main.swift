import LRSimCLI

// Thin entry point: all behaviour lives in the LRSimCLI library so tests can drive it in-process.
LRSimCommand.main()
