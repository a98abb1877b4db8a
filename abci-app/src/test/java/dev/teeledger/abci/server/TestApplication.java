package dev.teeledger.abci.server;

import com.google.protobuf.ByteString;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import tendermint.abci.Types.ExecTxResult;
import tendermint.abci.Types.RequestCheckTx;
import tendermint.abci.Types.RequestCommit;
import tendermint.abci.Types.RequestFinalizeBlock;
import tendermint.abci.Types.RequestInfo;
import tendermint.abci.Types.RequestInitChain;
import tendermint.abci.Types.RequestQuery;
import tendermint.abci.Types.ResponseCheckTx;
import tendermint.abci.Types.ResponseCommit;
import tendermint.abci.Types.ResponseFinalizeBlock;
import tendermint.abci.Types.ResponseInfo;
import tendermint.abci.Types.ResponseInitChain;
import tendermint.abci.Types.ResponseQuery;

/**
 * A tiny application for server tests: a tx's result code is its length, "boom" throws, the
 * app hash is the block height as a byte; hooks let tests block or count calls.
 */
class TestApplication implements AbciApplication {

  final AtomicInteger height = new AtomicInteger();
  volatile Consumer<String> hook = method -> { };

  @Override
  public ResponseInfo info(RequestInfo request) {
    hook.accept("info");
    return ResponseInfo.newBuilder().setData("test-app").setVersion(request.getVersion())
        .setLastBlockHeight(height.get()).build();
  }

  @Override
  public ResponseInitChain initChain(RequestInitChain request) {
    hook.accept("initChain");
    return ResponseInitChain.getDefaultInstance();
  }

  @Override
  public ResponseQuery query(RequestQuery request) {
    hook.accept("query");
    return ResponseQuery.newBuilder().setKey(request.getData()).setValue(request.getData())
        .build();
  }

  @Override
  public ResponseCheckTx checkTx(RequestCheckTx request) {
    hook.accept("checkTx");
    if (request.getTx().toStringUtf8().equals("boom")) {
      throw new IllegalStateException("checkTx exploded");
    }
    return ResponseCheckTx.newBuilder().setCode(request.getTx().size()).build();
  }

  @Override
  public ResponseFinalizeBlock finalizeBlock(RequestFinalizeBlock request) {
    hook.accept("finalizeBlock");
    ResponseFinalizeBlock.Builder out = ResponseFinalizeBlock.newBuilder();
    for (ByteString tx : request.getTxsList()) {
      if (tx.toStringUtf8().equals("boom")) {
        throw new IllegalStateException("invariant broken by tx boom");
      }
      out.addTxResults(ExecTxResult.newBuilder().setCode(tx.size()).setData(tx));
    }
    return out.setAppHash(ByteString.copyFrom(new byte[] {(byte) request.getHeight()})).build();
  }

  @Override
  public ResponseCommit commit(RequestCommit request) {
    hook.accept("commit");
    height.incrementAndGet();
    return ResponseCommit.getDefaultInstance();
  }
}
