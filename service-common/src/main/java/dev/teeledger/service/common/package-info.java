/**
 * What every TEE Ledger Quarkus service shares: the chain settings ({@code teeledger.chain.*}),
 * the RPC and light clients built from them, the chain readiness check, RFC 9457
 * {@code application/problem+json} errors (and their gRPC statuses, {@code GrpcProblems}), the
 * 413 problem for over-large bodies ({@code BodySizeLimit}), and the parsing of ids
 * ({@code Ids}), pages ({@code PageRequest}, {@code Paged}), height ranges ({@code HeightRange})
 * and flags and filters ({@code QueryParams}) that every service's REST and gRPC APIs share.
 * Indexed for Quarkus through {@code META-INF/beans.xml}, so its beans, filters and exception
 * mappers are discovered in every service that depends on it.
 */
package dev.teeledger.service.common;
