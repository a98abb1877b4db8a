/**
 * In-JVM Kafka (KRaft) for tests: {@link dev.teeledger.testkit.kafka.InJvmKafkaBroker} as a
 * plain fixture, {@link dev.teeledger.testkit.kafka.KafkaTestResource} for {@code @QuarkusTest}s.
 * No Docker, no Dev Services.
 */
package dev.teeledger.testkit.kafka;
