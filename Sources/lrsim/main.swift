import LRSimCLI

// Thin entry point: all behaviour lives in the LRSimCLI library so tests can drive it in-process. Long `fx quantize`
// value lists skip the argument parser's quadratic path (`FxValueList`).
LRSimCommand.main(FxValueList.rewritten(Array(CommandLine.arguments.dropFirst())))
