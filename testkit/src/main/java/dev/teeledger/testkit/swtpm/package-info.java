/**
 * Software TPMs for tests: {@link dev.teeledger.testkit.swtpm.SwtpmFixture} provisions swtpm
 * instances with EK certificates from a private swtpm_localca CA and gathers EK, AK, node-key and
 * certify evidence with tpm2-tools. See docs/tpm-evidence.md.
 */
package dev.teeledger.testkit.swtpm;
