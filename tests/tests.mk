# Test binaries (filled in as suites land).
.PHONY: test-binaries
test-binaries:
