package dev.teeledger.abci.server;

import tendermint.abci.Types.RequestApplySnapshotChunk;
import tendermint.abci.Types.RequestCheckTx;
import tendermint.abci.Types.RequestCommit;
import tendermint.abci.Types.RequestExtendVote;
import tendermint.abci.Types.RequestFinalizeBlock;
import tendermint.abci.Types.RequestInfo;
import tendermint.abci.Types.RequestInitChain;
import tendermint.abci.Types.RequestListSnapshots;
import tendermint.abci.Types.RequestLoadSnapshotChunk;
import tendermint.abci.Types.RequestOfferSnapshot;
import tendermint.abci.Types.RequestPrepareProposal;
import tendermint.abci.Types.RequestProcessProposal;
import tendermint.abci.Types.RequestQuery;
import tendermint.abci.Types.RequestVerifyVoteExtension;
import tendermint.abci.Types.ResponseApplySnapshotChunk;
import tendermint.abci.Types.ResponseCheckTx;
import tendermint.abci.Types.ResponseCommit;
import tendermint.abci.Types.ResponseExtendVote;
import tendermint.abci.Types.ResponseFinalizeBlock;
import tendermint.abci.Types.ResponseInfo;
import tendermint.abci.Types.ResponseInitChain;
import tendermint.abci.Types.ResponseListSnapshots;
import tendermint.abci.Types.ResponseLoadSnapshotChunk;
import tendermint.abci.Types.ResponseOfferSnapshot;
import tendermint.abci.Types.ResponsePrepareProposal;
import tendermint.abci.Types.ResponseProcessProposal;
import tendermint.abci.Types.ResponseQuery;
import tendermint.abci.Types.ResponseVerifyVoteExtension;

/**
 * The state machine behind CometBFT v0.38 (ABCI 2.0.0), as seen by {@link AbciServer}: one
 * method per ABCI request. Echo and Flush are answered by the server itself and never reach the
 * application.
 *
 * <p><b>Connections and threads.</b> CometBFT opens four connections and the server serves each
 * on its own thread, so calls arrive concurrently from different threads:
 * <ul>
 *   <li>consensus: {@link #initChain}, {@link #prepareProposal}, {@link #processProposal},
 *       {@link #extendVote}, {@link #verifyVoteExtension}, {@link #finalizeBlock},
 *       {@link #commit};</li>
 *   <li>mempool: {@link #checkTx} (new txs, and rechecks after every Commit);</li>
 *   <li>query: {@link #info}, {@link #query} (also RPC {@code abci_info}/{@code abci_query});</li>
 *   <li>snapshot: {@link #listSnapshots}, {@link #offerSnapshot}, {@link #loadSnapshotChunk},
 *       {@link #applySnapshotChunk}.</li>
 * </ul>
 * Calls on one connection are strictly sequential and in CometBFT's order; calls on different
 * connections overlap, e.g. CheckTx and Query run while FinalizeBlock executes. An
 * implementation must therefore keep its shared state thread-safe: typically consensus works on
 * a private working copy, {@code commit} publishes a new immutable committed view atomically,
 * and CheckTx/Query read a committed view. CometBFT does lock the mempool and flush the mempool
 * connection around Commit, so no CheckTx overlaps {@code commit} itself, but Query and Info may.
 * (Set {@link AbciServerConfig#serializeApplicationCalls()} to run every call under one lock,
 * as CometBFT's Go socket server does, at the cost of that overlap.)
 *
 * <p><b>Errors.</b> An expected rejection is a result code in the response, never an
 * exception. A method that throws (or returns null, or breaks one of the response rules below
 * that CometBFT would panic on) makes the server answer {@code Response.exception} and close
 * that connection; CometBFT then stops the node. That is the intended outcome for a broken
 * invariant: halting beats committing divergent state.
 *
 * <p><b>Determinism.</b> {@link #processProposal}, {@link #verifyVoteExtension} and
 * {@link #finalizeBlock} must be pure functions of the committed state and the request: no
 * clock (use {@code RequestFinalizeBlock.time}), no randomness, no unordered iteration.
 * {@link #prepareProposal} and {@link #extendVote} run on one node only and need not be.
 *
 * <p>The default methods are what an application without the feature owes CometBFT; each says
 * what it returns. Override them deliberately.
 */
public interface AbciApplication {

  /**
   * Called on the query connection at startup (the handshake) and by RPC {@code abci_info}.
   * Must return {@code last_block_height} and {@code last_block_app_hash} of the last
   * <em>committed</em> block (0 and empty before the first Commit): CometBFT uses them to decide
   * whether to call InitChain and which blocks to replay, and panics on an app-hash mismatch.
   * Also {@code version}, {@code app_version} and {@code data}. Must not block on consensus.
   */
  ResponseInfo info(RequestInfo request);

  /**
   * Called once on the consensus connection when the chain starts (Info reported height 0),
   * and again after a crash before the first Commit. Loads {@code app_state_bytes} from
   * genesis. Returning an empty {@code validators} list keeps the genesis validator set; a
   * non-empty list replaces it. {@code app_hash} is the initial state root; it must be the same
   * on every node. Must not persist anything that survives without a later Commit.
   */
  ResponseInitChain initChain(RequestInitChain request);

  /**
   * Called on the query connection for RPC {@code abci_query}. Answers from committed state at
   * {@code height} (0 = latest) and, when {@code prove} is set, returns proof ops against the
   * app hash of that height, which appears in the header of height + 1. Read-only; may run
   * concurrently with block execution.
   */
  ResponseQuery query(RequestQuery request);

  /**
   * Called on the mempool connection for each new tx ({@code type} NEW) and for each tx left in
   * the mempool after every Commit ({@code type} RECHECK). Code 0 admits or keeps the tx,
   * anything else drops it. A cheap, stateless-first filter against committed (or
   * mempool-local) state: it is not consensus, so it need not be deterministic, but it must
   * never mutate consensus state. Runs concurrently with consensus calls except Commit.
   */
  ResponseCheckTx checkTx(RequestCheckTx request);

  /**
   * Called on the consensus connection when this node proposes a block. May reorder, drop or
   * add txs; the returned txs, measured as {@link ProposalTxs#encodedSize}, must total at most
   * {@code max_tx_bytes} or CometBFT discards the proposal. Need not be deterministic.
   *
   * <p>Default: the txs in the order given, cut at the first one that would exceed
   * {@code max_tx_bytes} ({@link ProposalTxs#prefixWithin}).
   */
  default ResponsePrepareProposal prepareProposal(RequestPrepareProposal request) {
    return ResponsePrepareProposal.newBuilder()
        .addAllTxs(ProposalTxs.prefixWithin(request.getTxsList(), request.getMaxTxBytes()))
        .build();
  }

  /**
   * Called on the consensus connection for every proposal this node receives (and its own).
   * Must be deterministic, and must answer ACCEPT or REJECT: CometBFT panics on UNKNOWN, the
   * proto3 default (the server turns UNKNOWN into {@code Response.exception} first, to name
   * the culprit). REJECT makes this node prevote nil, so reject only blocks that are invalid
   * as a whole; a bad tx in an accepted block is answered with an error code in FinalizeBlock.
   *
   * <p>Default: ACCEPT.
   */
  default ResponseProcessProposal processProposal(RequestProcessProposal request) {
    return ResponseProcessProposal.newBuilder()
        .setStatus(ResponseProcessProposal.ProposalStatus.ACCEPT)
        .build();
  }

  /**
   * Called on the consensus connection once a block is decided (and during replay). Executes
   * its txs against the committed state, deterministically, and returns exactly one
   * {@code tx_results} entry per {@code txs} entry, in the same order (the server checks the
   * count), plus {@code app_hash}: the state root after this block, which goes into the next
   * header. Validator and consensus-param updates take effect at height + 2. Must compute but
   * not persist; state becomes durable only in {@link #commit}. Only {@code code},
   * {@code data}, {@code gas_wanted} and {@code gas_used} of each result enter
   * {@code LastResultsHash}.
   */
  ResponseFinalizeBlock finalizeBlock(RequestFinalizeBlock request);

  /**
   * Called on the consensus connection after FinalizeBlock, with the mempool locked. Persists
   * the state, height and app hash of the finalized block atomically, so that a crash leaves
   * either the previous block or this one (Info must then report it). {@code retain_height}
   * lets CometBFT prune older blocks; 0 keeps all.
   */
  ResponseCommit commit(RequestCommit request);

  /**
   * Called on the snapshot connection when a peer state-syncing from this node asks which
   * snapshots it offers.
   *
   * <p>Default: no snapshots.
   */
  default ResponseListSnapshots listSnapshots(RequestListSnapshots request) {
    return ResponseListSnapshots.getDefaultInstance();
  }

  /**
   * Called on the snapshot connection while this node state-syncs, once per candidate snapshot
   * discovered from peers. Must answer ACCEPT, ABORT, REJECT, REJECT_FORMAT or REJECT_SENDER;
   * UNKNOWN (the proto3 default) fails state sync.
   *
   * <p>Default: REJECT, so CometBFT tries other snapshots and finally gives up state sync; the
   * node then has to sync by block replay.
   */
  default ResponseOfferSnapshot offerSnapshot(RequestOfferSnapshot request) {
    return ResponseOfferSnapshot.newBuilder()
        .setResult(ResponseOfferSnapshot.Result.REJECT)
        .build();
  }

  /**
   * Called on the snapshot connection to serve one chunk of a snapshot that
   * {@link #listSnapshots} advertised.
   *
   * <p>Default: an empty chunk; never called while {@link #listSnapshots} advertises nothing.
   */
  default ResponseLoadSnapshotChunk loadSnapshotChunk(RequestLoadSnapshotChunk request) {
    return ResponseLoadSnapshotChunk.getDefaultInstance();
  }

  /**
   * Called on the snapshot connection for each chunk of a snapshot that {@link #offerSnapshot}
   * accepted, in order. Must answer a result other than UNKNOWN.
   *
   * <p>Default: ABORT. It is only reachable if {@link #offerSnapshot} was overridden to accept
   * without this method being implemented; every other snapshot would fail the same way, so
   * aborting state sync is more honest than REJECT_SNAPSHOT.
   */
  default ResponseApplySnapshotChunk applySnapshotChunk(RequestApplySnapshotChunk request) {
    return ResponseApplySnapshotChunk.newBuilder()
        .setResult(ResponseApplySnapshotChunk.Result.ABORT)
        .build();
  }

  /**
   * Called on the consensus connection when this validator precommits a block, only at heights
   * from the consensus parameter {@code vote_extensions_enable_height} on (0 disables them). The
   * returned bytes are signed with the vote. Need not be deterministic.
   *
   * <p>Default: an empty extension.
   */
  default ResponseExtendVote extendVote(RequestExtendVote request) {
    return ResponseExtendVote.getDefaultInstance();
  }

  /**
   * Called on the consensus connection for each precommit from another validator that carries
   * an extension (only when vote extensions are enabled). Must be deterministic and answer
   * ACCEPT or REJECT: UNKNOWN makes CometBFT panic (the server reports it as
   * {@code Response.exception} first). REJECT discards the vote, so rejecting honest votes can
   * stall the chain.
   *
   * <p>Default: ACCEPT.
   */
  default ResponseVerifyVoteExtension verifyVoteExtension(RequestVerifyVoteExtension request) {
    return ResponseVerifyVoteExtension.newBuilder()
        .setStatus(ResponseVerifyVoteExtension.VerifyStatus.ACCEPT)
        .build();
  }
}
