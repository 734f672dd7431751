// The LRReport module. See docs/design.md for how the modules fit together.
