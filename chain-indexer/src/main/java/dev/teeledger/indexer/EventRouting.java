package dev.teeledger.indexer;

import java.util.List;
import java.util.Optional;

/**
 * Decides, for an event type and its attributes, which topic carries it and which entity key it
 * gets. Deterministic and total: every event, known or not, gets a topic and a key, so nothing
 * is ever dropped. Called by {@link BlockMapper} (keys) and the Kafka sink (topics).
 *
 * <p>Topic: by the type's prefix before the first dot ({@code hsm}, {@code manufacturer},
 * {@code firmware} → registry; {@code credit}; {@code attestation}; {@code gov} →
 * governance; anything else → other).
 *
 * <p>Key: the first attribute present among {@link #ENTITY_ATTRIBUTES}, written
 * {@code <entity>:<value>} ({@code hsm_id} and {@code hsm} → {@code hsm:}, {@code round} →
 * {@code round:}, {@code manufacturer_id} → {@code manufacturer:}, {@code sha256} →
 * {@code firmware:}, {@code reporter} → {@code reporter:}). Governance is special-cased:
 * {@code gov.param_changed} → {@code param:<name>}, other {@code gov.*} → {@code gov}. Without
 * any of these, {@code credit.normalized} → {@code credit:supply} and any other type →
 * {@code type:<type>}. Events of one entity thus land in one partition in chain order.
 */
public final class EventRouting {
    /** Attributes that name an entity, in priority order, with the key prefix each gets. */
    static final List<String[]> ENTITY_ATTRIBUTES = List.of(
            new String[] {"hsm_id", "hsm"},
            new String[] {"round", "round"},
            new String[] {"hsm", "hsm"},
            new String[] {"manufacturer_id", "manufacturer"},
            new String[] {"sha256", "firmware"},
            new String[] {"reporter", "reporter"});

    private final IndexerTopics topics;

    public EventRouting(IndexerTopics topics) {
        this.topics = topics;
    }

    /** The topic of an event type. */
    public String topic(String type) {
        int dot = type.indexOf('.');
        String prefix = dot < 0 ? type : type.substring(0, dot);
        return switch (prefix) {
            case "hsm", "manufacturer", "firmware" -> topics.registry();
            case "credit" -> topics.credit();
            case "attestation" -> topics.attestation();
            case "gov" -> topics.governance();
            default -> topics.other();
        };
    }

    /** The entity key of an event. */
    public static String key(String type, List<ChainEvent.Attribute> attributes) {
        if (type.equals("gov.param_changed")) {
            Optional<String> name = first(attributes, "name");
            if (name.isPresent()) {
                return "param:" + name.get();
            }
        }
        if (type.startsWith("gov.")) {
            return "gov";
        }
        for (String[] e : ENTITY_ATTRIBUTES) {
            Optional<String> v = first(attributes, e[0]);
            if (v.isPresent() && !v.get().isEmpty()) {
                return e[1] + ":" + v.get();
            }
        }
        if (type.equals("credit.normalized")) {
            return "credit:supply";
        }
        return "type:" + type;
    }

    private static Optional<String> first(List<ChainEvent.Attribute> attributes, String name) {
        for (ChainEvent.Attribute a : attributes) {
            if (a.key().equals(name)) {
                return Optional.of(a.value());
            }
        }
        return Optional.empty();
    }
}
