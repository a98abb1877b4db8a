package dev.teeledger.abci.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tendermint.abci.Types.Request;
import tendermint.abci.Types.RequestApplySnapshotChunk;
import tendermint.abci.Types.RequestCheckTx;
import tendermint.abci.Types.RequestExtendVote;
import tendermint.abci.Types.RequestFinalizeBlock;
import tendermint.abci.Types.RequestListSnapshots;
import tendermint.abci.Types.RequestLoadSnapshotChunk;
import tendermint.abci.Types.RequestOfferSnapshot;
import tendermint.abci.Types.RequestPrepareProposal;
import tendermint.abci.Types.RequestProcessProposal;
import tendermint.abci.Types.RequestVerifyVoteExtension;
import tendermint.abci.Types.Response;
import tendermint.abci.Types.ResponseApplySnapshotChunk;
import tendermint.abci.Types.ResponseFinalizeBlock;
import tendermint.abci.Types.ResponseOfferSnapshot;
import tendermint.abci.Types.ResponseProcessProposal;
import tendermint.abci.Types.ResponseVerifyVoteExtension;

class RequestDispatcherTest {

  private final TestApplication app = new TestApplication();
  private final RequestDispatcher dispatcher = new RequestDispatcher(app, Optional.empty());

  @Test
  void answersEchoWithoutTheApplication() {
    app.hook = m -> {
      throw new AssertionError("app called for echo");
    };
    Response r = dispatcher.dispatch(AbciTestClient.echo("hello"));
    assertThat(r.getEcho().getMessage()).isEqualTo("hello");
  }

  @Test
  void answersFlush() {
    assertThat(dispatcher.dispatch(AbciTestClient.flush()).hasFlush()).isTrue();
  }

  @Test
  void answersEmptyRequestWithException() {
    Response r = dispatcher.dispatch(Request.getDefaultInstance());
    assertThat(r.getException().getError()).contains("unknown request");
  }

  @Test
  void namesUnknownFieldOfNewerProtocolInException() {
    Request future = Request.newBuilder()
        .setUnknownFields(UnknownFieldSet.newBuilder()
            .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build())
        .build();
    assertThat(dispatcher.dispatch(future).getException().getError()).contains("99");
  }

  @Test
  void turnsApplicationExceptionIntoResponseException() {
    Response r = dispatcher.dispatch(Request.newBuilder()
        .setCheckTx(RequestCheckTx.newBuilder().setTx(ByteString.copyFromUtf8("boom"))).build());
    assertThat(r.getException().getError())
        .isEqualTo("CheckTx failed: IllegalStateException: checkTx exploded");
  }

  @Test
  void turnsNullResponseIntoException() {
    AbciApplication nulls = new TestApplication() {
      @Override
      public tendermint.abci.Types.ResponseCommit commit(
          tendermint.abci.Types.RequestCommit request) {
        return null;
      }
    };
    Response r = new RequestDispatcher(nulls, Optional.empty()).dispatch(Request.newBuilder()
        .setCommit(tendermint.abci.Types.RequestCommit.getDefaultInstance()).build());
    assertThat(r.getException().getError()).contains("Commit returned null");
  }

  @Test
  void rejectsUnknownProcessProposalStatus() {
    AbciApplication unknown = new TestApplication() {
      @Override
      public ResponseProcessProposal processProposal(RequestProcessProposal request) {
        return ResponseProcessProposal.getDefaultInstance();
      }
    };
    Response r = new RequestDispatcher(unknown, Optional.empty()).dispatch(Request.newBuilder()
        .setProcessProposal(RequestProcessProposal.getDefaultInstance()).build());
    assertThat(r.getException().getError()).contains("ProcessProposal returned status UNKNOWN");
  }

  @Test
  void rejectsUnknownVerifyVoteExtensionStatus() {
    AbciApplication unknown = new TestApplication() {
      @Override
      public ResponseVerifyVoteExtension verifyVoteExtension(
          RequestVerifyVoteExtension request) {
        return ResponseVerifyVoteExtension.getDefaultInstance();
      }
    };
    Response r = new RequestDispatcher(unknown, Optional.empty()).dispatch(Request.newBuilder()
        .setVerifyVoteExtension(RequestVerifyVoteExtension.getDefaultInstance()).build());
    assertThat(r.getException().getError()).contains("VerifyVoteExtension returned status");
  }

  @Test
  void rejectsUnknownSnapshotResults() {
    AbciApplication unknown = new TestApplication() {
      @Override
      public ResponseOfferSnapshot offerSnapshot(RequestOfferSnapshot request) {
        return ResponseOfferSnapshot.getDefaultInstance();
      }

      @Override
      public ResponseApplySnapshotChunk applySnapshotChunk(RequestApplySnapshotChunk request) {
        return ResponseApplySnapshotChunk.getDefaultInstance();
      }
    };
    RequestDispatcher d = new RequestDispatcher(unknown, Optional.empty());
    assertThat(d.dispatch(Request.newBuilder()
        .setOfferSnapshot(RequestOfferSnapshot.getDefaultInstance()).build()).hasException())
        .isTrue();
    assertThat(d.dispatch(Request.newBuilder()
        .setApplySnapshotChunk(RequestApplySnapshotChunk.getDefaultInstance()).build())
        .hasException()).isTrue();
  }

  @Test
  void rejectsFinalizeBlockWithWrongNumberOfTxResults() {
    AbciApplication short1 = new TestApplication() {
      @Override
      public ResponseFinalizeBlock finalizeBlock(RequestFinalizeBlock request) {
        return ResponseFinalizeBlock.getDefaultInstance();
      }
    };
    Response r = new RequestDispatcher(short1, Optional.empty()).dispatch(Request.newBuilder()
        .setFinalizeBlock(RequestFinalizeBlock.newBuilder()
            .addTxs(ByteString.copyFromUtf8("a")).addTxs(ByteString.copyFromUtf8("b")))
        .build());
    assertThat(r.getException().getError())
        .contains("returned 0 tx results for 2 txs");
  }

  @Test
  void defaultMethodsAnswerWhatCometBftAccepts() {
    Response process = dispatcher.dispatch(Request.newBuilder()
        .setProcessProposal(RequestProcessProposal.getDefaultInstance()).build());
    assertThat(process.getProcessProposal().getStatus())
        .isEqualTo(ResponseProcessProposal.ProposalStatus.ACCEPT);
    Response verify = dispatcher.dispatch(Request.newBuilder()
        .setVerifyVoteExtension(RequestVerifyVoteExtension.getDefaultInstance()).build());
    assertThat(verify.getVerifyVoteExtension().getStatus())
        .isEqualTo(ResponseVerifyVoteExtension.VerifyStatus.ACCEPT);
    Response offer = dispatcher.dispatch(Request.newBuilder()
        .setOfferSnapshot(RequestOfferSnapshot.getDefaultInstance()).build());
    assertThat(offer.getOfferSnapshot().getResult())
        .isEqualTo(ResponseOfferSnapshot.Result.REJECT);
    Response apply = dispatcher.dispatch(Request.newBuilder()
        .setApplySnapshotChunk(RequestApplySnapshotChunk.getDefaultInstance()).build());
    assertThat(apply.getApplySnapshotChunk().getResult())
        .isEqualTo(ResponseApplySnapshotChunk.Result.ABORT);
    Response list = dispatcher.dispatch(Request.newBuilder()
        .setListSnapshots(RequestListSnapshots.getDefaultInstance()).build());
    assertThat(list.hasListSnapshots()).isTrue();
    assertThat(list.getListSnapshots().getSnapshotsList()).isEmpty();
    Response load = dispatcher.dispatch(Request.newBuilder()
        .setLoadSnapshotChunk(RequestLoadSnapshotChunk.getDefaultInstance()).build());
    assertThat(load.hasLoadSnapshotChunk()).isTrue();
    Response extend = dispatcher.dispatch(Request.newBuilder()
        .setExtendVote(RequestExtendVote.getDefaultInstance()).build());
    assertThat(extend.getExtendVote().getVoteExtension()).isEmpty();
  }

  @Test
  void defaultPrepareProposalKeepsOrderWithinMaxTxBytes() {
    ByteString a = ByteString.copyFrom(new byte[10]); // counts 12
    ByteString b = ByteString.copyFrom(new byte[20]); // counts 22
    ByteString c = ByteString.copyFrom(new byte[1]); // counts 3, but comes after b
    Response r = dispatcher.dispatch(Request.newBuilder()
        .setPrepareProposal(RequestPrepareProposal.newBuilder()
            .addTxs(a).addTxs(b).addTxs(c).setMaxTxBytes(33))
        .build());
    assertThat(r.getPrepareProposal().getTxsList()).containsExactly(a);
  }

  @Test
  void answersEachMethodWithMatchingResponseType() {
    for (Request.ValueCase vc : Request.ValueCase.values()) {
      if (vc == Request.ValueCase.VALUE_NOT_SET) {
        continue;
      }
      Request request = requestOf(vc);
      Response response = dispatcher.dispatch(request);
      assertThat(response.getValueCase().name()).as(vc.name()).isEqualTo(vc.name());
    }
  }

  private static Request requestOf(Request.ValueCase vc) {
    Request.Builder b = Request.newBuilder();
    var field = Request.getDescriptor().findFieldByNumber(vc.getNumber());
    b.setField(field, b.newBuilderForField(field).build());
    return b.build();
  }
}
