/**
 * Values the sidecar hands out (identity, quote, signature, VRF evaluation) and the VRF key
 * binding statement a join carries. Plain records; the bytes are TPM structures as produced.
 */
package dev.teeledger.sidecar.evidence;
