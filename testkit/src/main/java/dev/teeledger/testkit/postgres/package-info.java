/**
 * Embedded PostgreSQL for tests: {@link dev.teeledger.testkit.postgres.EmbeddedPostgresServer}
 * as a plain fixture, {@link dev.teeledger.testkit.postgres.PostgresTestResource} for
 * {@code @QuarkusTest}s. No Docker: zonky's PostgreSQL 17.6 linux-amd64 binaries.
 */
package dev.teeledger.testkit.postgres;
