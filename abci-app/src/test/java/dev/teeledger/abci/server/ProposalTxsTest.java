package dev.teeledger.abci.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.List;
import org.junit.jupiter.api.Test;
import tendermint.types.Types.Data;

class ProposalTxsTest {

  @Test
  void sizesTxAsCometBftDataEncodingDoes() {
    for (int len : new int[] {0, 1, 127, 128, 16_383, 16_384, 70_000}) {
      ByteString tx = ByteString.copyFrom(new byte[len]);
      // CometBFT's ComputeProtoSizeForTxs: the size of Data{txs: [tx]}.
      int reference = Data.newBuilder().addTxs(tx).build().getSerializedSize();
      assertThat(ProposalTxs.encodedSize(tx)).as("len %d", len).isEqualTo(reference);
    }
  }

  @Test
  void keepsWholeListWhenItFits() {
    List<ByteString> txs = List.of(ByteString.copyFromUtf8("ab"), ByteString.copyFromUtf8("c"));
    assertThat(ProposalTxs.prefixWithin(txs, 7)).containsExactlyElementsOf(txs);
  }

  @Test
  void cutsAtFirstTxThatDoesNotFit() {
    List<ByteString> txs = List.of(ByteString.copyFromUtf8("ab"), ByteString.copyFromUtf8("c"));
    assertThat(ProposalTxs.prefixWithin(txs, 6)).containsExactly(txs.get(0));
    assertThat(ProposalTxs.prefixWithin(txs, -1)).isEmpty();
  }
}
