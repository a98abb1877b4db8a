package dev.teeledger.chain.rpc;

import java.util.List;

/**
 * An ABCI event as CometBFT reports it in tx and block results: a type and ordered string
 * attributes. Used inside {@link AbciTxResult} and {@link BlockResults}.
 *
 * @param type event type, e.g. {@code "transfer"}
 * @param attributes attributes in emission order
 */
public record AbciEvent(String type, List<Attribute> attributes) {

  public AbciEvent {
    attributes = List.copyOf(attributes);
  }

  /**
   * One key/value attribute.
   *
   * @param key attribute key
   * @param value attribute value
   * @param index whether the node's indexer indexes it
   */
  public record Attribute(String key, String value, boolean index) {}
}
