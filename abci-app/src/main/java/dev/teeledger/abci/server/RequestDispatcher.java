package dev.teeledger.abci.server;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.function.Supplier;
import tendermint.abci.Types.Request;
import tendermint.abci.Types.Response;
import tendermint.abci.Types.ResponseApplySnapshotChunk;
import tendermint.abci.Types.ResponseEcho;
import tendermint.abci.Types.ResponseException;
import tendermint.abci.Types.ResponseFinalizeBlock;
import tendermint.abci.Types.ResponseFlush;
import tendermint.abci.Types.ResponseOfferSnapshot;
import tendermint.abci.Types.ResponseProcessProposal;
import tendermint.abci.Types.ResponseVerifyVoteExtension;

/**
 * Maps one {@link Request} to the {@link Response} of the matching type by calling the
 * application, and turns an application failure into {@code Response.exception}. Checks the
 * response rules on which CometBFT v0.38 would otherwise panic or fail with a less precise
 * message (status UNKNOWN, tx result count), so the log names the faulty method. Shared by all
 * connections of a server; thread-safe if the application is, or if a lock is given.
 */
final class RequestDispatcher {

  private static final Logger LOG = System.getLogger(AbciServer.class.getName());

  private final AbciApplication application;
  private final Optional<Lock> applicationLock;

  RequestDispatcher(AbciApplication application, Optional<Lock> applicationLock) {
    this.application = application;
    this.applicationLock = applicationLock;
  }

  Response dispatch(Request request) {
    switch (request.getValueCase()) {
      case ECHO:
        return Response.newBuilder()
            .setEcho(ResponseEcho.newBuilder().setMessage(request.getEcho().getMessage()))
            .build();
      case FLUSH:
        return Response.newBuilder().setFlush(ResponseFlush.getDefaultInstance()).build();
      case VALUE_NOT_SET:
        // Also what a method added by a newer ABCI version parses to (an unknown field).
        return exception("unknown request: no ABCI 2.0.0 method set"
            + (request.getUnknownFields().asMap().isEmpty() ? ""
                : " (unknown field numbers " + request.getUnknownFields().asMap().keySet() + ")"));
      default:
        break;
    }
    applicationLock.ifPresent(Lock::lock);
    try {
      return callApplication(request);
    } finally {
      applicationLock.ifPresent(Lock::unlock);
    }
  }

  private Response callApplication(Request request) {
    String method = methodName(request.getValueCase());
    try {
      Response.Builder out = Response.newBuilder();
      switch (request.getValueCase()) {
        case INFO -> out.setInfo(nonNull(method, () -> application.info(request.getInfo())));
        case INIT_CHAIN -> out.setInitChain(
            nonNull(method, () -> application.initChain(request.getInitChain())));
        case QUERY -> out.setQuery(nonNull(method, () -> application.query(request.getQuery())));
        case CHECK_TX -> out.setCheckTx(
            nonNull(method, () -> application.checkTx(request.getCheckTx())));
        case PREPARE_PROPOSAL -> out.setPrepareProposal(nonNull(method,
            () -> application.prepareProposal(request.getPrepareProposal())));
        case PROCESS_PROPOSAL -> {
          ResponseProcessProposal r = nonNull(method,
              () -> application.processProposal(request.getProcessProposal()));
          if (r.getStatus() != ResponseProcessProposal.ProposalStatus.ACCEPT
              && r.getStatus() != ResponseProcessProposal.ProposalStatus.REJECT) {
            return contractViolation(method, "returned status " + r.getStatus()
                + "; CometBFT panics on anything but ACCEPT or REJECT");
          }
          out.setProcessProposal(r);
        }
        case FINALIZE_BLOCK -> {
          ResponseFinalizeBlock r = nonNull(method,
              () -> application.finalizeBlock(request.getFinalizeBlock()));
          int txs = request.getFinalizeBlock().getTxsCount();
          if (r.getTxResultsCount() != txs) {
            return contractViolation(method, "returned " + r.getTxResultsCount()
                + " tx results for " + txs + " txs; CometBFT requires exactly one per tx");
          }
          out.setFinalizeBlock(r);
        }
        case COMMIT -> out.setCommit(
            nonNull(method, () -> application.commit(request.getCommit())));
        case LIST_SNAPSHOTS -> out.setListSnapshots(nonNull(method,
            () -> application.listSnapshots(request.getListSnapshots())));
        case OFFER_SNAPSHOT -> {
          ResponseOfferSnapshot r = nonNull(method,
              () -> application.offerSnapshot(request.getOfferSnapshot()));
          if (r.getResult() == ResponseOfferSnapshot.Result.UNKNOWN
              || r.getResult() == ResponseOfferSnapshot.Result.UNRECOGNIZED) {
            return contractViolation(method, "returned result " + r.getResult()
                + "; state sync fails on it (answer REJECT when snapshots are unsupported)");
          }
          out.setOfferSnapshot(r);
        }
        case LOAD_SNAPSHOT_CHUNK -> out.setLoadSnapshotChunk(nonNull(method,
            () -> application.loadSnapshotChunk(request.getLoadSnapshotChunk())));
        case APPLY_SNAPSHOT_CHUNK -> {
          ResponseApplySnapshotChunk r = nonNull(method,
              () -> application.applySnapshotChunk(request.getApplySnapshotChunk()));
          if (r.getResult() == ResponseApplySnapshotChunk.Result.UNKNOWN
              || r.getResult() == ResponseApplySnapshotChunk.Result.UNRECOGNIZED) {
            return contractViolation(method, "returned result " + r.getResult()
                + "; state sync fails on it");
          }
          out.setApplySnapshotChunk(r);
        }
        case EXTEND_VOTE -> out.setExtendVote(
            nonNull(method, () -> application.extendVote(request.getExtendVote())));
        case VERIFY_VOTE_EXTENSION -> {
          ResponseVerifyVoteExtension r = nonNull(method,
              () -> application.verifyVoteExtension(request.getVerifyVoteExtension()));
          if (r.getStatus() != ResponseVerifyVoteExtension.VerifyStatus.ACCEPT
              && r.getStatus() != ResponseVerifyVoteExtension.VerifyStatus.REJECT) {
            return contractViolation(method, "returned status " + r.getStatus()
                + "; CometBFT panics on anything but ACCEPT or REJECT");
          }
          out.setVerifyVoteExtension(r);
        }
        default -> throw new IllegalStateException("unhandled " + request.getValueCase());
      }
      return out.build();
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError) {
        throw e; // out of memory or stack: no response can be trusted; the connection dies
      }
      LOG.log(Level.ERROR, "ABCI " + method + " failed; answering Response.exception, "
          + "which makes CometBFT stop the node", e);
      return exception(method + " failed: " + describe(e));
    }
  }

  private static <T> T nonNull(String method, Supplier<T> call) {
    T response = call.get();
    if (response == null) {
      throw new NullPointerException(method + " returned null");
    }
    return response;
  }

  private static Response contractViolation(String method, String detail) {
    LOG.log(Level.ERROR, "ABCI " + method + " " + detail
        + "; answering Response.exception, which makes CometBFT stop the node");
    return exception(method + " " + detail);
  }

  static Response exception(String message) {
    return Response.newBuilder()
        .setException(ResponseException.newBuilder().setError(message))
        .build();
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** ABCI method names as in the spec (and CometBFT's logs). */
  static String methodName(Request.ValueCase valueCase) {
    return switch (valueCase) {
      case ECHO -> "Echo";
      case FLUSH -> "Flush";
      case INFO -> "Info";
      case INIT_CHAIN -> "InitChain";
      case QUERY -> "Query";
      case CHECK_TX -> "CheckTx";
      case COMMIT -> "Commit";
      case LIST_SNAPSHOTS -> "ListSnapshots";
      case OFFER_SNAPSHOT -> "OfferSnapshot";
      case LOAD_SNAPSHOT_CHUNK -> "LoadSnapshotChunk";
      case APPLY_SNAPSHOT_CHUNK -> "ApplySnapshotChunk";
      case PREPARE_PROPOSAL -> "PrepareProposal";
      case PROCESS_PROPOSAL -> "ProcessProposal";
      case EXTEND_VOTE -> "ExtendVote";
      case VERIFY_VOTE_EXTENSION -> "VerifyVoteExtension";
      case FINALIZE_BLOCK -> "FinalizeBlock";
      case VALUE_NOT_SET -> "(none)";
    };
  }
}
