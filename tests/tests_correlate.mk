# Correlator test binaries (filled in with the correlator suites).
.PHONY: test-binaries-correlate
test-binaries-correlate:
