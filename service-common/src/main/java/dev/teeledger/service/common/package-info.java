/**
 * What every TEE Ledger Quarkus service shares: the chain settings ({@code teeledger.chain.*}),
 * the RPC and light clients built from them, the chain readiness check, RFC 9457
 * {@code application/problem+json} errors, and id parsing. Indexed for Quarkus through
 * {@code META-INF/beans.xml}, so its beans and exception mappers are discovered in every
 * service that depends on it.
 */
package dev.teeledger.service.common;
